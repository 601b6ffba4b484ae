import pytest

from huigong.people.search import QueryKind, parse_query, search_persons

from .conftest import MINE_ID, MINE_PHONE, THEIRS_ID


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("刘德华", QueryKind.NAME, "刘德华"),
        (" 劉德華 ", QueryKind.NAME, "刘德华"),
        ("LDH", QueryKind.PINYIN, "ldh"),
        ("ｌｉｕ ｄｅ ｈｕａ", QueryKind.PINYIN, "liudehua"),
        ("430426199005121246", QueryKind.ID_NUMBER, "430426199005121246"),
        ("43042619900512124x", QueryKind.ID_NUMBER, "43042619900512124X"),
        ("139-1234-5678", QueryKind.PHONE, "13912345678"),
        ("+86 139 1234 5678", QueryKind.PHONE, "13912345678"),
        ("0734-1234567", QueryKind.PHONE, "07341234567"),
        ("５６７８", QueryKind.LAST4, "5678"),
        ("123x", QueryKind.LAST4, "123X"),
        ("12345", QueryKind.NONE, "12345"),
        ("   ", QueryKind.NONE, ""),
    ],
)
def test_parse_query_detects_the_kind(raw, kind, value):
    query = parse_query(raw)
    assert (query.kind, query.value) == (kind, value)


@pytest.fixture
def people(mine, theirs):
    return mine, theirs


@pytest.mark.parametrize(
    "query",
    [
        "德华",
        "劉德華",
        "ldh",
        "LDH",
        "liudehua",
        "dehua",
        MINE_ID,
        MINE_ID.lower(),
        " ".join([MINE_ID[:6], MINE_ID[6:14], MINE_ID[14:]]),
        MINE_ID[-4:],
        MINE_PHONE,
        "139 1234 5678",
        MINE_PHONE[-4:],
    ],
)
def test_county_cadre_finds_person_by_every_kind(tree, county_cadre, people, query):
    mine, _theirs = people
    assert list(search_persons(county_cadre, query)) == [mine]


def test_full_width_id_number_is_found(tree, county_cadre, people):
    mine, _theirs = people
    full_width = MINE_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert list(search_persons(county_cadre, full_width)) == [mine]


def test_search_is_scoped(tree, township_cadre, sibling_cadre, people):
    mine, theirs = people
    assert list(search_persons(township_cadre, THEIRS_ID)) == []
    assert list(search_persons(township_cadre, "王建国")) == []
    assert list(search_persons(township_cadre, "wjg")) == []
    assert list(search_persons(sibling_cadre, MINE_ID)) == []
    assert list(search_persons(sibling_cadre, "王建国")) == [theirs]


def test_search_without_view_permission_finds_nothing(tree, roles, people):
    from huigong.testing.factories import UserFactory, give_role

    hr = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    assert list(search_persons(hr, "刘德华")) == []


def test_partial_digits_match_nothing(tree, county_cadre, people):
    assert list(search_persons(county_cadre, MINE_ID[:8])) == []


def test_narrowed_queryset_is_still_scoped(tree, township_cadre, people):
    from huigong.people.models import Person

    assert list(search_persons(township_cadre, THEIRS_ID, queryset=Person.objects.all())) == []
