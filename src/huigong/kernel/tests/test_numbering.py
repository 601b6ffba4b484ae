"""Document numbers: one sequence per kind, key and year; concurrent draws never share a
number. On SQLite a rolled-back draw gives its number back; on PostgreSQL the sequences
never make two drawers wait for each other, and a rolled-back draw leaves a gap."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from huigong.kernel.models import NumberSequence
from huigong.kernel.numbering import formatted_number, last_number, next_number
from huigong.testing.concurrency import draw_concurrently


def test_each_kind_key_and_year_counts_on_its_own(db):
    assert [next_number("case", key="QD", year=2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("mediation", key="QD", year=2026) == 1
    assert next_number("case", key="HY", year=2026) == 1
    assert next_number("case", key="QD", year=2027) == 1
    assert next_number("case", key="QD", year=2026) == 4
    assert last_number("case", key="QD", year=2026) == 4
    assert last_number("mediation", key="QD", year=2026) == 1
    assert last_number("case", key="XX", year=2026) == 0
    assert NumberSequence.objects.count() == 4


def test_formatted_number_pads_the_count(db):
    assert formatted_number("case", key="QDTJ", year=2026) == "QDTJ-2026-000001"
    assert formatted_number("case", key="QDTJ", year=2026, digits=3) == "QDTJ-2026-002"


def test_a_rolled_back_draw_is_given_back_on_sqlite_and_lost_on_postgresql(db):
    next_number("case", key="QD", year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("case", key="QD", year=2026) == 2
        raise RuntimeError("the intake failed after drawing")
    expected = 3 if connection.vendor == "postgresql" else 2
    assert next_number("case", key="QD", year=2026) == expected


def test_a_sequence_continues_after_the_rows_last_number(db):
    """A row written before sequences (or copied from SQLite) keeps counting from its
    ``last``: no number is given out twice."""
    NumberSequence.objects.create(kind="case", key="QD", year=2026, last=41)
    assert next_number("case", key="QD", year=2026) == 42
    assert last_number("case", key="QD", year=2026) == 42


def test_numbers_up_to_a_raised_last_are_never_given_again(db):
    """A reloaded row says numbers up to 10 are taken while its sequence is at 3: the
    next number is 11 on both databases."""
    assert [next_number("case", key="QD", year=2026) for _ in range(3)] == [1, 2, 3]
    NumberSequence.objects.filter(kind="case", key="QD", year=2026).update(last=10)
    assert next_number("case", key="QD", year=2026) == 11
    assert next_number("case", key="QD", year=2026) == 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_draws_never_share_a_number():
    """Eight threads draw at once, each in its own connection and transactions, on a
    sequence that does not exist yet (the first draws race to create it)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections; SQLite's test database is in memory")
    numbers = draw_concurrently(
        lambda: next_number("case", key="QD", year=2026), threads=8, rounds=5
    )
    assert sorted(numbers) == list(range(1, 41))


@pytest.mark.django_db(transaction=True)
def test_draws_in_open_transactions_do_not_wait_for_each_other():
    """Two intakes of one county, each still inside its transaction, both draw at once:
    the second draw returns while the first transaction is open (a row lock would make it
    wait until the first commits), and the numbers differ."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections; SQLite's test database is in memory")
    # The year's first draw creates the sequence; only that one draw may make others wait.
    assert next_number("case", key="QD", year=2026) == 1
    first_drew, second_done = threading.Event(), threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                results["first"] = next_number("case", key="QD", year=2026)
                first_drew.set()
                # Stay open until the second intake has drawn (or give up after 10 s).
                results["second_done_while_open"] = second_done.wait(10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            first_drew.set()
        finally:
            connections.close_all()

    def second():
        try:
            first_drew.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Waiting on a lock for more than 2 s fails the draw (and the test).
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                results["second"] = next_number("case", key="QD", year=2026)
                second_done.set()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert results["second_done_while_open"] is True
    assert {results["first"], results["second"]} == {2, 3}
    assert last_number("case", key="QD", year=2026) == 3
