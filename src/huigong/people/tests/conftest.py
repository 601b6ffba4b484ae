"""Fixtures for the people tests: one person in each sibling township, with known
protected values so tests can assert they never leak."""

from __future__ import annotations

import datetime

import pytest

from huigong.testing.factories import PersonFactory, make_id_number

#: A valid ID number of a woman born 1990 in 祁东县 (no area-code warning).
MINE_ID = make_id_number(area="430426", birth=datetime.date(1990, 5, 12), seq=124)
#: A man born 1968 in 祁东县: valid, but the county code is younger than him (warning).
OLD_ID = make_id_number(area="430426", birth=datetime.date(1968, 5, 12), seq=123)
THEIRS_ID = make_id_number(area="430426", birth=datetime.date(1985, 3, 1), seq=457)
MINE_PHONE = "13912345678"
THEIRS_PHONE = "13787654321"


@pytest.fixture
def mine(tree):
    """A person of 新发食品有限公司工会 in 黄土铺镇 (the township cadre's scope)."""
    return PersonFactory(
        organization=tree.xinfa, name="刘德华", id_number=MINE_ID, phone=MINE_PHONE
    )


@pytest.fixture
def theirs(tree):
    """A person of 流泉村工会 in the sibling township 白地市镇."""
    return PersonFactory(
        organization=tree.liuquan, name="王建国", id_number=THEIRS_ID, phone=THEIRS_PHONE
    )
