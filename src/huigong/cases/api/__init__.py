"""The cases API, mounted at ``/api/v1/cases/``: one router per area, all following the
conventions of ``huigong.api`` (stable error codes, scope through ``visible_to``).

- ``cases``: demands and rights cases, for staff and for workers (their own cases).
- ``mediation``: labour-dispute mediations of cases.
- ``referrals``: partner-department accounts answering the referrals sent to them.

Joint labour inspections, also under ``/api/v1/cases/``, are ``huigong.inspections``'.
"""

from ninja import Router

from . import cases, mediation, referrals

router = Router()
router.add_router("", cases.router)
router.add_router("", mediation.router)
router.add_router("", referrals.router)
