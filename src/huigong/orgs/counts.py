"""Counts shown beside organizations in the tree, lists and detail pages.

They are computed for a whole batch of nodes with grouped queries over materialized-path
prefixes (per tree depth present in the batch: one query for the organizations and one
per declared dependent), never one query per node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Q
from django.db.models.functions import Substr

from .dependents import get_dependents
from .models import Organization, OrgKind, OrgStatus


@dataclass
class NodeCounts:
    """Active children, active grassroots unions below the node, and the rows of each
    declared dependent (``dependents.Dependent``, by key) in its subtree."""

    children: int = 0
    grassroots: int = 0
    dependents: dict[str, int] = field(default_factory=dict)

    @property
    def persons(self) -> int:
        """Workers registered in the subtree (declared by ``people`` as "persons")."""
        return self.dependents.get("persons", 0)


def _prefix_filter(field: str, paths: list[str]) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def subtree_counts(nodes: Iterable[Organization]) -> dict[int, NodeCounts]:
    """``{node.pk: NodeCounts}`` for every node given."""
    by_length: dict[int, list[Organization]] = defaultdict(list)
    result: dict[int, NodeCounts] = {}
    for node in nodes:
        by_length[len(node.path)].append(node)
        result[node.pk] = NodeCounts()
    for length, group in by_length.items():
        paths = [n.path for n in group]
        pk_by_path = {n.path: n.pk for n in group}
        depth = group[0].depth
        org_rows = (
            Organization.objects.filter(
                _prefix_filter("path", paths), depth__gt=depth, status=OrgStatus.ACTIVE
            )
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(
                children=Count("pk", filter=Q(depth=depth + 1)),
                grassroots=Count("pk", filter=Q(kind=OrgKind.GRASSROOTS)),
            )
            .order_by()
        )
        for row in org_rows:
            counts = result[pk_by_path[row["prefix"]]]
            counts.children, counts.grassroots = row["children"], row["grassroots"]
        for dependent in get_dependents():
            path_field = f"{dependent.organization_field}__path"
            dependent_rows = (
                dependent.rows()
                .filter(_prefix_filter(path_field, paths))
                .annotate(prefix=Substr(path_field, 1, length))
                .values("prefix")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for row in dependent_rows:
                result[pk_by_path[row["prefix"]]].dependents[dependent.key] = row["n"]
    return result


def attach_counts(nodes: list[Organization]) -> list[Organization]:
    """Set ``node.counts`` on each node (for templates) and return the list."""
    counts = subtree_counts(nodes)
    for node in nodes:
        node.counts = counts[node.pk]
    return nodes


@dataclass
class Reference:
    """Rows of one model that point at an organization through one field."""

    label: str  # "people.person.organization": stable key for logs and the API
    verbose: str  # "职工 · 所属工会": for people
    count: int


def organization_references(org: Organization) -> list[Reference]:
    """Every row (of any installed app) pointing at ``org`` through a foreign key,
    one-to-one or many-to-many field; what a merge re-points."""
    refs = []
    for rel in Organization._meta.related_objects:
        model = rel.related_model
        if model is Organization:
            continue
        if rel.many_to_many:
            through = rel.through
            if not through._meta.auto_created:
                continue  # a custom through model has its own FK, listed separately
            field_name = rel.field.m2m_reverse_field_name()
            count = through._base_manager.filter(**{field_name: org}).count()
        else:
            field_name = rel.field.name
            count = model._base_manager.filter(**{field_name: org}).count()
        if count:
            refs.append(
                Reference(
                    label=f"{model._meta.label_lower}.{rel.field.name}",
                    verbose=f"{model._meta.verbose_name} · {rel.field.verbose_name}",
                    count=count,
                )
            )
    return refs
