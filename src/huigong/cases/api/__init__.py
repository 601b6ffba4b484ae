"""The cases API, mounted at ``/api/v1/cases/``: one router per area, all following the
conventions of ``huigong.api`` (stable error codes, scope through ``visible_to``).

- ``cases``: demands and rights cases, for staff and for workers (their own cases).
- ``mediation``: labour-dispute mediations of cases.
- ``inspections``: joint labour inspection campaigns, findings and rectification orders.
- ``referrals``: partner-department accounts answering the referrals sent to them.
"""

from ninja import Router

from . import cases, inspections, mediation, referrals

router = Router()
router.add_router("", cases.router)
router.add_router("", mediation.router)
router.add_router("", inspections.router)
router.add_router("", referrals.router)
