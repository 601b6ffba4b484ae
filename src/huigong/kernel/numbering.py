"""Document numbers (诉求编号, 调解案号 …): one sequence per kind of document, key
(usually the county's number prefix) and year.

Why two mechanisms. Every intake of a county draws from the same sequence, so the draw
must not make concurrent intakes wait for one another:

- **PostgreSQL**: one database ``SEQUENCE`` per (kind, key, year), created on demand and
  drawn with ``nextval`` by the function ``kernel_next_number`` (kernel migration 0003),
  one round trip. ``nextval`` takes no row lock and is not rolled back, so two intakes of
  the same county in open transactions both get their number at once and neither waits
  for the other to commit. The price is that numbers are *gap-tolerant*: a transaction
  that rolls back after drawing loses its number (``QD-2026-000041`` may never exist),
  as a bank's cheque numbers do. Numbers still never repeat and still grow with time.
  The ``NumberSequence`` row is the sequence's registry (sequence
  ``kernel_number_<row id>``): the first draw of a year inserts it and creates the
  sequence, and a concurrent first draw waits for that one transaction (once per key and
  year). On PostgreSQL the row's ``last`` is only a floor, not the current value
  (``last_number`` reads that): numbers up to it count as given out, so a row written
  before sequences, copied from SQLite or reloaded gets a sequence that continues after
  it, or has its lagging sequence moved past it (once, under the row's lock). A logical
  copy of a PostgreSQL database must carry the sequences (``pg_dump`` does; ``dumpdata``
  does not, and its rows' floors are those of the last reverse migration).
- **SQLite** (the embedded single-machine default): one ``INSERT … ON CONFLICT DO UPDATE
  … RETURNING`` on the ``NumberSequence`` row. SQLite has one writer at a time anyway,
  so a row per sequence costs nothing more there, and a rolled-back transaction gives its
  number back (no gaps).

A block allocator (each process reserving ten numbers at a time) was the other way to
drop the hot row; it was not taken because it needs a second connection to reserve
outside the intake's transaction, loses whole blocks when a process stops, and hands out
numbers out of time order across processes, while a sequence does none of this.
"""

from __future__ import annotations

from django.db import connection

from .models import NumberSequence

#: The PostgreSQL sequence of a ``NumberSequence`` row (the function names it the same way).
SEQUENCE_NAME = "kernel_number_{id}"


def next_number(kind: str, *, key: str, year: int) -> int:
    """Draw the next number of the ``kind`` sequence for ``key`` and ``year`` (1, 2, …)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT kernel_next_number(%s, %s, %s)", [kind, key, year])
        else:
            cursor.execute(_upsert_sql(), [kind, key, year])
        return cursor.fetchone()[0]


def last_number(kind: str, *, key: str, year: int) -> int:
    """The last number drawn from the ``kind`` sequence for ``key`` and ``year`` (0: none)."""
    row = NumberSequence.objects.filter(kind=kind, key=key, year=year).first()
    if row is None:
        return 0
    if connection.vendor != "postgresql":
        return row.last
    name = SEQUENCE_NAME.format(id=row.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            return row.last
        cursor.execute(f"SELECT last_value, is_called FROM {connection.ops.quote_name(name)}")  # noqa: S608
        value, called = cursor.fetchone()
    return value if called else value - 1


def formatted_number(kind: str, *, key: str, year: int, digits: int = 6) -> str:
    """``<key>-<year>-<number>``, the number zero-padded to ``digits``."""
    return f"{key}-{year}-{next_number(kind, key=key, year=year):0{digits}d}"


def _upsert_sql() -> str:
    q = connection.ops.quote_name
    table, kind_, key_, year_, last = (
        q(NumberSequence._meta.db_table),
        q("kind"),
        q("key"),
        q("year"),
        q("last"),
    )
    return (
        f"INSERT INTO {table} ({kind_}, {key_}, {year_}, {last}) "  # noqa: S608
        "VALUES (%s, %s, %s, 1) "
        f"ON CONFLICT ({kind_}, {key_}, {year_}) DO UPDATE SET {last} = {table}.{last} + 1 "
        f"RETURNING {last}"
    )
