"""Workbench and portal forms for cases, by area: ``intake`` (the one-form intake),
``handling`` (one small form per action on the detail page), ``mediation``, ``portal``
(the worker's forms) and ``referrals`` (a partner department's reply); ``base`` holds
what they share.

The forms only parse types (choices, numbers, files) and pick the rows a user may choose
(persons, organizations, departments, handlers — all through the user's scope). The
rules — required texts and their lengths, routing, deadlines, amounts against the amount
claimed, states — live in ``cases.services``; their field-keyed errors are put back on
the form with ``base.add_service_errors``.
"""
