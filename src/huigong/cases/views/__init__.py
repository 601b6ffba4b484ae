"""The pages of cases, by area: ``cases`` (queues, intake, the case page and its actions),
``mediation``, ``referrals`` (a partner department's queue) and ``portal`` (the worker's
own cases under /m/). Each reads through ``cases.policy`` and ``cases.actions`` and
writes through ``cases.services``; none imports another's helpers except the mediation
pages, which render the case page they are opened from."""
