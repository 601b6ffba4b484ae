"""Joint labour inspections (联合执法检查): campaigns a union runs with partner departments,
the enterprises they visit, what they find, the rectification orders they issue and the
cases opened from findings.

A domain app beside ``cases``: it reads ``cases`` (a finding's case, opened through
``cases.services``) and ``partners``; ``cases`` knows nothing of it. Its models moved out
of ``cases`` keeping their tables (inspections 0001, cases 0009), its pages and API keep
their paths under ``/cases/inspections/`` and ``/api/v1/cases/``, and everything it adds
to the platform — menu item, deadline sweep, role grants, demo, indicators, API router,
URLs — is registered by ``apps.py`` and found through ``INSTALLED_APPS``.
"""
