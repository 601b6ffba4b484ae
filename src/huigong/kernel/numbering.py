"""Document numbers (诉求编号, 调解案号 …): one sequence per kind of document, key
(usually the handling organization's number prefix) and year.

``next_number`` is a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement on
both PostgreSQL and SQLite: the first number of a year creates the row, every later one
increments it in place. Two transactions drawing from the same sequence at once are
serialised on that row's lock (PostgreSQL) or the database write lock (SQLite), and never
receive the same number; a transaction that rolls back gives its number back with it.
"""

from __future__ import annotations

from django.db import connection

from .models import NumberSequence


def next_number(kind: str, *, key: str, year: int) -> int:
    """Draw the next number of the ``kind`` sequence for ``key`` and ``year`` (1, 2, …)."""
    q = connection.ops.quote_name
    table, kind_, key_, year_, last = (
        q(NumberSequence._meta.db_table),
        q("kind"),
        q("key"),
        q("year"),
        q("last"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({kind_}, {key_}, {year_}, {last}) "  # noqa: S608
            "VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT ({kind_}, {key_}, {year_}) DO UPDATE SET {last} = {table}.{last} + 1 "
            f"RETURNING {last}",
            [kind, key, year],
        )
        return cursor.fetchone()[0]


def formatted_number(kind: str, *, key: str, year: int, digits: int = 6) -> str:
    """``<key>-<year>-<number>``, the number zero-padded to ``digits``."""
    return f"{key}-{year}-{next_number(kind, key=key, year=year):0{digits}d}"
