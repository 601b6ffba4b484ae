"""What is registered at an organization besides its child organizations.

Apps whose rows belong to an organization (``people``: the workers registered there)
declare them here from their ``AppConfig.ready``. The tree pages count them per subtree
(``counts.subtree_counts``), and an organization is not dissolved while any of them is
still registered directly at it (``services.dissolve_organization``). ``orgs`` sits below
those apps and imports none of them: it only reads what they declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class Dependent:
    """Rows that belong to an organization.

    - ``key``: the name the counts carry them under (``NodeCounts.dependents[key]``);
    - ``rows``: a callable returning all the rows (called when counting, after the
      models are loaded);
    - ``blocks_dissolve``: the message naming how many are still registered at an
      organization that is to be dissolved, with ``%(n)d``;
    - ``organization_field``: the foreign key to ``Organization`` on those rows.
    """

    key: str
    rows: Callable[[], QuerySet]
    blocks_dissolve: str | Promise
    organization_field: str = "organization"

    def registered_at(self, organization) -> int:
        """How many rows are registered directly at ``organization``."""
        return self.rows().filter(**{self.organization_field: organization}).count()


_dependents: dict[str, Dependent] = {}


def register_dependent(dependent: Dependent) -> None:
    """Declare rows that belong to organizations (a second call with the same key
    replaces the first, so a module imported twice never counts them twice)."""
    _dependents[dependent.key] = dependent


def get_dependents() -> list[Dependent]:
    """Every declared kind of dependent row, by key."""
    return [_dependents[key] for key in sorted(_dependents)]


def dissolve_blockers(organization) -> list[str]:
    """One message per kind of row still registered directly at ``organization``."""
    blockers = []
    for dependent in get_dependents():
        n = dependent.registered_at(organization)
        if n:
            blockers.append(str(dependent.blocks_dissolve) % {"n": n})
    return blockers
