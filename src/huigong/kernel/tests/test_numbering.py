"""Document numbers: one sequence per kind, key and year; concurrent draws never share a
number and a rolled-back draw gives its number back."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from huigong.kernel.models import NumberSequence
from huigong.kernel.numbering import formatted_number, next_number
from huigong.testing.concurrency import draw_concurrently


def test_each_kind_key_and_year_counts_on_its_own(db):
    assert [next_number("case", key="QD", year=2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("mediation", key="QD", year=2026) == 1
    assert next_number("case", key="HY", year=2026) == 1
    assert next_number("case", key="QD", year=2027) == 1
    assert next_number("case", key="QD", year=2026) == 4
    assert NumberSequence.objects.get(kind="case", key="QD", year=2026).last == 4
    assert NumberSequence.objects.count() == 4


def test_formatted_number_pads_the_count(db):
    assert formatted_number("case", key="QDTJ", year=2026) == "QDTJ-2026-000001"
    assert formatted_number("case", key="QDTJ", year=2026, digits=3) == "QDTJ-2026-002"


def test_a_rolled_back_draw_gives_its_number_back(db):
    next_number("case", key="QD", year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("case", key="QD", year=2026) == 2
        raise RuntimeError("the intake failed after drawing")
    assert next_number("case", key="QD", year=2026) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_never_share_a_number():
    """Eight threads draw at once, each in its own connection and transactions, on a
    sequence that does not exist yet (the first draws race to create the row)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections; SQLite's test database is in memory")
    numbers = draw_concurrently(
        lambda: next_number("case", key="QD", year=2026), threads=8, rounds=5
    )
    assert sorted(numbers) == list(range(1, 41))
