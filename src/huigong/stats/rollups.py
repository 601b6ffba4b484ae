"""Rollups: every indicator's value for every organization and period of the window,
kept up to date by recomputing only the organizations whose rows changed.

What is stored
--------------
``IndicatorSnapshot`` holds, for every organization (leaves included) and every period
of the *window* — the periods the dashboard's picker offers and the ones they are
compared with (13 months, 9 quarters, 7 years) — each base indicator's value for the
subtree (``value``) and the part of it counted at the organization itself (``own``).
Zeros are not stored. A period listed in ``RollupPeriod`` is *covered*: its rows are
complete as of ``as_of``. Ratios are never stored; dashboards derive them.

How a run sees what changed
---------------------------
Each indicator reads one *source*: a table and the link from its rows to an
organization (``cases.case`` by ``organization``, ``cases.caseevent`` by
``case__organization`` …). A run first takes a fingerprint of every source, one grouped
query each: per organization, the number of rows and the latest change
(``max(updated_at)``, or ``max(id)`` for timelines, which are only ever appended to).
``RollupState`` keeps the fingerprints of the last run; an organization whose
fingerprint differs is *dirty* — a row was added, changed, deleted, or moved to or from
it. Counting rows is what makes deletions and moves visible, which a watermark on
``updated_at`` alone would miss. The counts, summed up the tree, are also the measured
size that decides whether a dashboard computes live (``stats.services``).

- **Incremental run**: for the dirty organizations only, each indicator's own values are
  recomputed — one query per indicator, restricted to those organizations, with one
  conditional aggregate per period built from the same ``period_q``/``measure`` the live
  dashboard uses — and the differences with the stored ``own`` are added to the
  organization's and every ancestor's ``value``. All indicators are recomputed for a
  dirty organization, whichever table changed, because some writes touch a table the
  fingerprint cannot see change in place (the deadline sweep flips ``is_overdue``
  with a bulk ``update()``) but do add a timeline event. Indicators over tables without
  a modification time are recomputed, the same way, for every organization that holds
  or held rows of that table (today: mediations and inspections, which are few).
- **Full run**: every value is recomputed and the window's rows are replaced. A run is
  full when no full run has been made yet, when a period of the window is not covered
  (a new month began), when the tree changed shape (an organization was deleted or moved;
  new ones are simply dirty), or when the last full run is older than
  ``STATS_ROLLUP_FULL_EVERY`` seconds (default one day): a safety net for writes no
  fingerprint sees (a bulk ``update()`` of a row that writes no event).

Runs are serialized: each continues the previous ``RollupRun`` (``based_on`` is unique)
and does all its reading and writing in one transaction, so two workers never apply the
same differences twice. A system job: it reads all rows unscoped; dashboards read the
snapshots of organizations loaded through the user's scope.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone

from huigong.kernel.indicators import TOTAL, Indicator, all_indicators, part_key
from huigong.kernel.periods import Period, PeriodUnit, recent_periods
from huigong.kernel.timeline import TimelineEvent
from huigong.orgs.models import Organization

from .models import IndicatorSnapshot, RollupMode, RollupPeriod, RollupRun, RollupState

Number = int | Decimal
#: ``(organization id, part, period key)`` → value, for one indicator.
Cells = dict[tuple[int, str, str], Number]

#: How many periods of each unit the dashboard's period picker offers; the rollup keeps
#: these and the one before the oldest (it is what the oldest is compared with).
WINDOW = {PeriodUnit.MONTH: 12, PeriodUnit.QUARTER: 8, PeriodUnit.YEAR: 6}
DEFAULT_FULL_EVERY = 24 * 3600
#: How long a rolled-up figure of the current period may be shown (``STATS_SNAPSHOT_MAX_AGE``).
DEFAULT_SNAPSHOT_MAX_AGE = 2 * 3600
#: Organizations per ``IN (…)`` list, well under SQLite's limit of bound parameters.
CHUNK = 500


def as_number(value) -> Number:
    """Counts as ``int``; sums as ``Decimal`` unless they are whole numbers."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    return value


def fresh_after(period: Period, now: datetime) -> datetime:
    """Snapshots of ``period`` computed before this moment are not to be shown: a closed
    period's must be taken after it ended (then they are final), the current one's within
    ``STATS_SNAPSHOT_MAX_AGE`` seconds."""
    if now >= period.end_datetime:
        return period.end_datetime
    max_age = getattr(settings, "STATS_SNAPSHOT_MAX_AGE", DEFAULT_SNAPSHOT_MAX_AGE)
    return now - timedelta(seconds=max_age)


def _chunks(values: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


# --- sources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A table the indicators read and the lookup from its rows to their organization's
    id (``pk`` when the rows are organizations)."""

    model: type[models.Model]
    link: str

    @property
    def key(self) -> str:
        return f"{self.model._meta.label_lower}:{self.link}"

    @property
    def version(self) -> str | None:
        """A field whose maximum moves with every write of a row: ``updated_at`` when the
        model keeps one, the id of an append-only timeline; None when rows can change in
        place unseen."""
        try:
            field = self.model._meta.get_field("updated_at")
        except FieldDoesNotExist:
            field = None
        if field is not None and getattr(field, "auto_now", False):
            return "updated_at"
        if issubclass(self.model, TimelineEvent):
            return "pk"
        return None


def source_of(indicator: Indicator) -> Source:
    """The source ``indicator`` counts from, derived from its ``path_field``."""
    model = indicator.model
    if indicator.path_field == "path" and issubclass(model, Organization):
        return Source(model, "pk")
    if indicator.path_field.endswith("__path"):
        return Source(model, indicator.path_field.removesuffix("__path"))
    raise ImproperlyConfigured(
        f"indicator {indicator.key!r}: path_field must end with '__path' to be rolled up"
    )


def default_rollup_periods(today: date | None = None) -> list[Period]:
    """The window: the periods the dashboard's picker offers, and for each unit the one
    before the oldest."""
    periods: list[Period] = []
    for unit, count in WINDOW.items():
        recent = recent_periods(unit, count, today)
        periods += [*recent, recent[-1].previous()]
    return periods


# --- the tree and its fingerprints --------------------------------------------------------


class _Tree:
    """Every organization's path and, on demand, its chain of ancestors (itself first)."""

    def __init__(self) -> None:
        self.paths: dict[int, str] = dict(Organization.objects.order_by().values_list("id", "path"))
        self.ids = {path: org_id for org_id, path in self.paths.items()}
        self._chains: dict[int, tuple[int, ...]] = {}

    def chain(self, org_id: int) -> tuple[int, ...]:
        """``org_id`` and its ancestors; empty for an organization created after the tree
        was read (the next run sees it as new)."""
        chain = self._chains.get(org_id)
        if chain is None:
            path = self.paths.get(org_id)
            step = Organization.steplen
            prefixes = range(len(path), 0, -step) if path else ()
            chain = tuple(self.ids[path[:n]] for n in prefixes if path[:n] in self.ids)
            self._chains[org_id] = chain
        return chain


def _fingerprints(
    sources: Iterable[Source], tree: _Tree
) -> tuple[dict[int, dict[str, list]], dict[int, dict[str, int]]]:
    """Per organization: ``{source: [rows, latest change]}`` of the rows attached to it,
    and ``{source: rows}`` of its subtree. One grouped query per source."""
    prints: dict[int, dict[str, list]] = defaultdict(dict)
    subtree: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for source in sources:
        rows = (
            source.model._base_manager.order_by()
            .values(source.link)
            .annotate(stats_rows=Count("pk"), stats_latest=Max(source.version or "pk"))
        )
        for row in rows:
            org_id, count, latest = row[source.link], row["stats_rows"], row["stats_latest"]
            if org_id is None:
                continue
            if isinstance(latest, datetime):
                latest = latest.isoformat()
            prints[org_id][source.key] = [count, latest]
            for ancestor in tree.chain(org_id):
                subtree[ancestor][source.key] += count
    return dict(prints), {org_id: dict(rows) for org_id, rows in subtree.items()}


# --- values ------------------------------------------------------------------------------


def _own_values(
    indicator: Indicator, periods: list[Period], org_ids: Collection[int] | None
) -> Cells:
    """Each organization's own value of ``indicator`` in every period (the rows attached
    to it directly), for ``org_ids`` or all organizations; zeros left out."""
    source = source_of(indicator)
    conditions = [(p.key, indicator.period_q(p)) for p in periods]
    if indicator.date_field is None:  # the same rows in every period: aggregate once
        aggregates = {"stats_all": indicator.measure()}
        columns = [(key, "stats_all") for key, _q in conditions]
    else:
        aggregates = {f"stats_{i}": indicator.measure(q) for i, (_k, q) in enumerate(conditions)}
        columns = [(key, f"stats_{i}") for i, (key, _q) in enumerate(conditions)]
    group = [source.link, *([indicator.breakdown] if indicator.breakdown else [])]
    base = indicator.queryset().order_by().filter(reduce(or_, (q for _k, q in conditions)))
    batches = [None] if org_ids is None else list(_chunks(org_ids))
    cells: Cells = defaultdict(int)
    for batch in batches:
        queryset = base if batch is None else base.filter(**{f"{source.link}__in": batch})
        for row in queryset.values(*group).annotate(**aggregates):
            org_id = row[source.link]
            if org_id is None:
                continue
            parts = [TOTAL, part_key(row[indicator.breakdown])] if indicator.breakdown else [TOTAL]
            for period_key, column in columns:
                value = as_number(row[column])
                if value:
                    for part in parts:
                        cells[(org_id, part, period_key)] += value
    return dict(cells)


def _stored_own(key: str, period_keys: list[str], org_ids: Collection[int]) -> Cells:
    """The ``own`` values stored for indicator ``key`` at ``org_ids`` (zeros left out)."""
    cells: Cells = {}
    for batch in _chunks(org_ids):
        rows = (
            IndicatorSnapshot.objects.filter(
                organization_id__in=batch, key=key, period__in=period_keys
            )
            .exclude(own=0)
            .values_list("organization_id", "part", "period", "own")
        )
        for org_id, part, period_key, own in rows:
            cells[(org_id, part, period_key)] = as_number(own)
    return cells


def _full(indicators: list[Indicator], periods: list[Period], tree: _Tree, now: datetime) -> int:
    """Replace the snapshot rows of ``periods`` with freshly computed ones."""
    IndicatorSnapshot.objects.filter(period__in=[p.key for p in periods]).delete()
    written = 0
    for indicator in indicators:
        own = _own_values(indicator, periods, None)
        totals: Cells = defaultdict(int)
        for (org_id, part, period_key), value in own.items():
            for ancestor in tree.chain(org_id):
                totals[(ancestor, part, period_key)] += value
        rows = (
            (org_id, indicator.key, part, period_key, value, own.get((org_id, part, period_key), 0))
            for (org_id, part, period_key), value in totals.items()
            if value
        )
        written += _insert(rows, now)
    return written


def _insert(rows: Iterable[tuple], now: datetime) -> int:
    """Insert new snapshot rows given as ``(organization id, key, part, period, value,
    own)`` tuples. A full run writes millions of rows at province scale: ``bulk_create``
    would spend most of its time building and preparing a model instance per row, and
    row-by-row inserts most of theirs in round trips, so the tuples are streamed with
    ``COPY`` on PostgreSQL and ``executemany`` (in-process) on SQLite."""
    table = IndicatorSnapshot._meta
    quote = connection.ops.quote_name
    names = ["organization", "key", "part", "period", "value", "own", "computed_at"]
    columns = ", ".join(quote(table.get_field(name).column) for name in names)
    target = f"{quote(table.db_table)} ({columns})"
    stamp = connection.ops.adapt_datetimefield_value(now)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, stamp))
                    written += 1
            return written
        sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(names))})"
        rows = iter(rows)
        while batch := [(*row, stamp) for row in itertools.islice(rows, 5000)]:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _incremental(
    indicators: list[Indicator],
    periods: list[Period],
    tree: _Tree,
    dirty: set[int],
    holders: dict[str, set[int]],
    now: datetime,
) -> int:
    """Recompute the own values of the ``dirty`` organizations — of every organization
    that holds or held rows of the source, for sources without a modification time — and
    add the differences up the tree."""
    period_keys = [p.key for p in periods]
    written = 0
    for indicator in indicators:
        source = source_of(indicator)
        scope = dirty if source.version else holders.get(source.key, set())
        if not scope:
            continue
        new = _own_values(indicator, periods, scope)
        old = _stored_own(indicator.key, period_keys, scope)
        changes: dict[tuple[int, str, str], list[Number]] = defaultdict(lambda: [0, 0])
        for cell in new.keys() | old.keys():
            delta = new.get(cell, 0) - old.get(cell, 0)
            if not delta:
                continue
            org_id, part, period_key = cell
            chain = tree.chain(org_id)
            if not chain:
                continue  # created after the tree was read: the next run sees it as new
            changes[cell][1] += delta
            for ancestor in chain:
                changes[(ancestor, part, period_key)][0] += delta
        written += _apply(indicator.key, changes, now)
    return written


def _apply(key: str, changes: dict[tuple[int, str, str], list[Number]], now: datetime) -> int:
    """Add ``[value, own]`` differences to the stored rows of indicator ``key``: rows that
    become 0 are deleted, the others inserted or updated."""
    if not changes:
        return 0
    stored: dict[tuple[int, str, str], tuple[int, Number, Number]] = {}
    org_ids = {org_id for org_id, _part, _period in changes}
    period_keys = {period_key for _org, _part, period_key in changes}
    for batch in _chunks(org_ids):
        rows = IndicatorSnapshot.objects.filter(
            key=key, period__in=period_keys, organization_id__in=batch
        ).values_list("pk", "organization_id", "part", "period", "value", "own")
        for pk, org_id, part, period_key, value, own in rows:
            stored[(org_id, part, period_key)] = (pk, as_number(value), as_number(own))
    upserts, deletes = [], []
    for cell, (d_value, d_own) in changes.items():
        pk, value, own = stored.get(cell, (None, 0, 0))
        value, own = value + d_value, own + d_own
        if value or own:
            org_id, part, period_key = cell
            upserts.append(
                IndicatorSnapshot(
                    organization_id=org_id,
                    key=key,
                    part=part,
                    period=period_key,
                    value=value,
                    own=own,
                    computed_at=now,
                )
            )
        elif pk is not None:
            deletes.append(pk)
    IndicatorSnapshot.objects.bulk_create(
        upserts,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["organization", "key", "part", "period"],
        update_fields=["value", "own", "computed_at"],
    )
    for batch in _chunks(deletes):
        IndicatorSnapshot.objects.filter(pk__in=batch).delete()
    return len(upserts) + len(deletes)


# --- runs --------------------------------------------------------------------------------


def _full_every() -> timedelta:
    return timedelta(seconds=getattr(settings, "STATS_ROLLUP_FULL_EVERY", DEFAULT_FULL_EVERY))


def _full_reason(
    periods: list[Period], tree: _Tree, states: dict[int, tuple], now: datetime
) -> str:
    """Why this run must be full ("" when an incremental run is enough)."""
    last_full = RollupRun.objects.filter(mode=RollupMode.FULL).order_by("-id").first()
    if last_full is None:
        return "first run"
    covered = set(
        RollupPeriod.objects.filter(period__in=[p.key for p in periods]).values_list(
            "period", flat=True
        )
    )
    if len(covered) < len(periods):
        return "new period"
    if any(tree.paths.get(org_id) != path for org_id, (path, _p, _r) in states.items()):
        return "tree changed"
    if last_full.as_of < now - _full_every():
        return "scheduled"
    return ""


def _save_state(
    tree: _Tree,
    states: dict[int, tuple],
    prints: dict[int, dict[str, list]],
    subtree: dict[int, dict[str, int]],
    *,
    sizes_only: bool,
) -> None:
    """Store what this run saw. ``sizes_only`` (a run of chosen periods, which did not
    bring the other periods up to date) refreshes the subtree sizes and records new
    organizations without a fingerprint, so the next run still sees their rows as new."""
    rows = []
    for org_id, path in tree.paths.items():
        old_path, old_prints, old_rows = states.get(org_id, (None, None, None))
        fingerprints = prints.get(org_id, {})
        sizes = subtree.get(org_id, {})
        if sizes_only:
            if old_path is not None and old_rows == sizes:
                continue
            path, fingerprints = old_path or path, old_prints or {}
        elif (old_path, old_prints, old_rows) == (path, fingerprints, sizes):
            continue
        rows.append(
            RollupState(
                organization_id=org_id, path=path, fingerprints=fingerprints, subtree_rows=sizes
            )
        )
    RollupState.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["organization_id"],
        update_fields=["subtree_rows"] if sizes_only else ["path", "fingerprints", "subtree_rows"],
    )
    if not sizes_only:
        gone = set(states) - set(tree.paths)
        for batch in _chunks(gone):
            RollupState.objects.filter(organization_id__in=batch).delete()


def _cover(periods: list[Period], as_of: datetime) -> None:
    RollupPeriod.objects.bulk_create(
        [RollupPeriod(period=p.key, as_of=as_of) for p in periods],
        update_conflicts=True,
        unique_fields=["period"],
        update_fields=["as_of"],
    )


def rollup_indicators(
    periods: Iterable[Period] | None = None,
    *,
    now: datetime | None = None,
    full: bool = False,
) -> RollupRun | None:
    """Bring the snapshots up to date: incrementally when possible, in full when needed
    (see the module docstring), or — given ``periods`` — recompute those periods for every
    organization (e.g. a closed period outside the window). Returns the run, or None when
    another run got there first (nothing was written)."""
    started = time.perf_counter()
    now = now or timezone.now()
    chosen = list(dict.fromkeys(periods)) if periods is not None else None
    try:
        with transaction.atomic():
            last = RollupRun.objects.order_by("-id").values_list("id", flat=True).first()
            run = RollupRun.objects.create(mode=RollupMode.PERIODS, based_on=last or 0, as_of=now)
            _run(run, chosen, full=full)
            run.seconds = round(time.perf_counter() - started, 3)
            run.save(
                update_fields=[
                    "mode",
                    "reason",
                    "periods",
                    "organizations",
                    "rows_written",
                    "seconds",
                ]
            )
    except IntegrityError:
        if RollupRun.objects.filter(based_on=last or 0).exists():
            return None  # another run continued the same one first
        raise
    return run


def _run(run: RollupRun, chosen: list[Period] | None, *, full: bool) -> None:
    """The body of ``rollup_indicators``, inside its transaction."""
    indicators = all_indicators()
    sources = list({source_of(ind).key: source_of(ind) for ind in indicators}.values())
    tree = _Tree()
    states = {
        org_id: (path, prints, rows)
        for org_id, path, prints, rows in RollupState.objects.values_list(
            "organization_id", "path", "fingerprints", "subtree_rows"
        )
    }
    prints, subtree = _fingerprints(sources, tree)
    periods = chosen or default_rollup_periods(timezone.localdate(run.as_of))
    if chosen is not None:
        run.reason = "periods chosen"
        run.rows_written = _full(indicators, periods, tree, run.as_of)
        run.organizations = len(tree.paths)
    else:
        run.reason = "forced" if full else _full_reason(periods, tree, states, run.as_of)
        if run.reason:
            run.mode = RollupMode.FULL
            run.rows_written = _full(indicators, periods, tree, run.as_of)
            run.organizations = len(tree.paths)
        else:
            run.mode = RollupMode.INCREMENTAL
            dirty = {
                org_id
                for org_id in tree.paths
                if prints.get(org_id, {}) != (states.get(org_id) or (None, {}, None))[1]
            }
            holders: dict[str, set[int]] = defaultdict(set)
            for org_id, fingerprints in [
                *prints.items(),
                *((org_id, state[1]) for org_id, state in states.items()),
            ]:
                for key in fingerprints or {}:
                    holders[key].add(org_id)
            run.rows_written = _incremental(indicators, periods, tree, dirty, holders, run.as_of)
            run.organizations = len(dirty)
    run.periods = ",".join(p.key for p in periods)
    _save_state(tree, states, prints, subtree, sizes_only=chosen is not None)
    _cover(periods, run.as_of)
