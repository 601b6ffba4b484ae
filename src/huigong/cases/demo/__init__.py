"""The cases' part of the demo county (registered as a demo loader in ``apps.py``): the
partner departments and the cases of the last three months, played through the case
services by the demo accounts whose work they are (``loader``, stories in ``stories``),
then the mediations of some of those cases (``mediations``)."""

from __future__ import annotations

from huigong.kernel.registry import DemoContext


def load_cases(context: DemoContext) -> int:
    from .loader import CaseLoader

    loader = CaseLoader(context)
    loader.build_departments()
    loader.build_cases()
    context.shared["cases"] = loader.cases
    return len(loader.cases)


def load_mediations(context: DemoContext) -> int:
    from .mediations import MediationLoader

    return len(MediationLoader(users=context.users, today=context.today).build_mediations())
