"""Try to rebuild the demo county's ID numbers and phones, and fail.

An attacker holds either a raw dump of the database (every table, every column as stored,
without the encryption and hash keys) or everything a staff user *without* the reveal
permission can see (person pages, the list, its Excel export, the API). They know which
area codes are in use. For every demo person we count the ID numbers consistent with
what they hold: area code × birth dates consistent with what is shown × order codes
consistent with the sex and any shown characters, each kept only if its check digit
matches a shown one. A count of 1 rebuilds the number. docs/security.md quotes the
minimum counts this test prints.
"""

from __future__ import annotations

import calendar
import datetime
import html
import io
import json
import re
from dataclasses import dataclass
from functools import cache

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from huigong.accounts.models import ApiToken, Role, RoleAssignment, User
from huigong.audit.models import AccessLog
from huigong.common.crypto import mask_id_number, mask_phone
from huigong.orgs.models import Organization
from huigong.people.models import HouseholdMember, Person

pytestmark = pytest.mark.django_db

#: What the staff user of part (c) holds: everything about persons except the reveal.
NO_REVEAL_PERMS = [
    "people.view_person",
    "people.view_householdmember",
    "people.export_person",
    "orgs.view_organization",
]
#: The fewest candidates measured for any demo person (area code guessed from the address,
#: birth year, sex and last four known); docs/security.md quotes it. The full-number
#: search limit must stay below it, so candidates cannot all be tried in one hour.
CANDIDATE_FLOOR = 32
_ID_RUN = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
_SHOWN_ID = re.compile(r"(?<![\dX*])[\dX*]{18}(?![\dX*])")
_SHOWN_PHONE = re.compile(r"(?<![\d*])[\d*]{11}(?![\d*])")


@dataclass(frozen=True)
class Known:
    """What the attacker holds about one person's ID number."""

    year: int | None = None
    date: datetime.date | None = None
    sex: str | None = None
    shown: str = ""  # the masked ID number as shown (``*`` for hidden characters)


def _days(year: int) -> list[datetime.date]:
    days = 366 if calendar.isleap(year) else 365
    return [datetime.date(year, 1, 1) + datetime.timedelta(days=d) for d in range(days)]


@cache
def count_candidates(areas: tuple[str, ...], known: Known) -> int:
    """How many valid ID numbers agree with ``known`` and an area code in ``areas``."""
    shown = known.shown or "*" * 18
    assert len(shown) == 18
    if known.date is not None:
        dates = [known.date]
    elif known.year is not None:
        dates = _days(known.year)
    else:
        dates = [d for y in range(1900, datetime.date.today().year + 1) for d in _days(y)]
    count = 0
    for area in areas:
        if any(s != "*" and s != a for s, a in zip(shown[:6], area, strict=True)):
            continue
        for day in dates:
            birth = f"{day:%Y%m%d}"
            if any(s != "*" and s != b for s, b in zip(shown[6:14], birth, strict=True)):
                continue
            fixed = shown[14:17]
            if "*" not in fixed and shown[17] != "*":
                # Order code and check digit shown: one number, if the check digit agrees.
                parity_ok = known.sex is None or (int(fixed[2]) % 2 == 1) == (known.sex == "M")
                number = f"{area}{birth}{fixed}0"
                count += parity_ok and ric.calc_check_digit(number) == shown[17]
                continue
            assert fixed == "***" and shown[17] == "*", f"unsupported mask {shown}"
            # Every order code consistent with the sex gives exactly one valid number.
            count += 500 if known.sex else 1000
    return count


def _stored_date_strings(day: datetime.date) -> set[str]:
    return {
        day.isoformat(),
        f"{day:%Y%m%d}",
        f"{day:%Y/%m/%d}",
        f"{day.year}年{day.month}月{day.day}日",
    }


def _raw_dump() -> list[tuple[str, dict]]:
    """Every row of every table as the database holds it (no ORM field conversion)."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            rows.extend((table, dict(zip(columns, row, strict=True))) for row in cursor.fetchall())
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def _valid_id_numbers(text: str) -> set[str]:
    found = set()
    for match in _ID_RUN.finditer(text):
        number = match[0].upper()
        if ric.calc_check_digit(number) != number[17]:
            continue
        try:
            birth = ric.get_birth_date(number)
        except ValueError:
            continue
        if birth.year >= 1900 and birth <= datetime.date.today():
            found.add(number)
    return found


def _known_from_text(text: str, person: Person, shown: str) -> Known:
    """What ``text`` (one page, row or record) gives away about ``person``: the birth
    year is taken as known whenever it is shown, the full date only if it appears."""
    assert person.id_number not in text
    date = person.birth_date
    leaked_date = date if any(s in text for s in _stored_date_strings(date)) else None
    return Known(year=date.year, date=leaked_date, sex=person.sex, shown=shown)


def _shown_id(text: str) -> str:
    masks = {m for m in _SHOWN_ID.findall(text) if "*" in m}
    assert len(masks) == 1, masks
    return masks.pop()


def _assert_phone_masked(text: str, person: Person) -> None:
    assert person.phone not in text
    for shown in _SHOWN_PHONE.findall(text):
        if "*" in shown:
            assert sum(c.isdigit() for c in shown) <= 7, shown


def _summary(label: str, counts: dict[int, int], out: list[str]) -> int:
    low = min(counts.values())
    out.append(
        f"{label}: persons={len(counts)} min={low} median={sorted(counts.values())[len(counts) // 2]}"
    )
    assert low >= CANDIDATE_FLOOR, f"{label}: only {low} candidates for one ID number"
    return low


def _no_reveal_user(county: Organization) -> User:
    role = Role.objects.create(code="no_reveal", name="只读无查看权限")
    for name in NO_REVEAL_PERMS:
        app, codename = name.split(".")
        role.permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    user = User.objects.create_user("no-reveal", password="x")
    RoleAssignment.objects.create(user=user, role=role, organization=county)
    assert not user.has_perm("people.reveal_person")
    return user


def _rows_by_person(page_html: str) -> dict[int, str]:
    rows = {}
    for row in re.findall(r"<tr[^>]*>.*?</tr>", page_html, flags=re.S):
        link = re.search(r'href="/people/(\d+)/"', row)
        if link:
            rows[int(link[1])] = html.unescape(re.sub(r"<[^>]+>", " ", row))
    return rows


def test_candidate_count_pins_the_old_masked_form_beside_a_birth_date():
    # What pages showed before: the area code and last four, and the birth date beside.
    number = "430426197203180054"
    birth = datetime.date(1972, 3, 18)
    old = Known(date=birth, sex="M", shown="430426********0054")
    assert count_candidates(("430426", "430421", "431121"), old) == 1
    # Now: the last four and the birth year.
    new = Known(year=1972, sex="M", shown=mask_id_number(number))
    assert count_candidates(("430426", "430421", "431121"), new) > 50
    assert count_candidates(("430426",), Known(year=1972, sex="M")) == 366 * 500


def test_demo_dump_and_unrevealed_pages_do_not_rebuild_id_numbers(demo_output, client):
    persons = {p.pk: p for p in Person.objects.select_related("organization")}
    members = list(HouseholdMember.objects.all())
    assert len(persons) > 500
    areas = tuple(sorted({p.id_number[:6] for p in persons.values()}))
    home = "430426"
    report: list[str] = [f"area codes in use: {len(areas)}"]

    # (a) Nothing in the dump is a valid ID number or a demo person's phone in clear.
    dump = _raw_dump()
    blob = "\n".join(_text(v) for _, row in dump for v in row.values())
    assert _valid_id_numbers(blob) == set()
    person_rows = {row["id"]: row for table, row in dump if table == "people_person"}
    member_rows = {row["id"]: row for table, row in dump if table == "people_householdmember"}
    for person in persons.values():
        assert person.id_number not in blob and person.phone not in blob
    for member in members:
        assert member.id_number not in blob

    # (b) From the dump: what each person's own row holds in clear (the scan above shows
    # that no other row holds the number).
    by_dump = {}
    by_dump_home = {}
    for pk, person in persons.items():
        row = person_rows[pk]
        # A text column holding the last four characters would show them to the attacker.
        last4 = person.id_number[-4:]
        shown = "*" * 14 + last4 if last4 in row.values() else ""
        known = _known_from_text(" ".join(_text(v) for v in row.values()), person, shown)
        by_dump[pk] = count_candidates(areas, known)
        by_dump_home[pk] = count_candidates((home,), known)
    for member in members:
        row_text = " ".join(_text(v) for v in member_rows[member.pk].values())
        assert not _stored_date_strings(member.birth_date) & set(row_text.split())
        assert member.birth_date.isoformat() not in row_text
    _summary("dump", by_dump, report)
    _summary("dump, area code guessed from the address", by_dump_home, report)

    # (c) What a staff user without the reveal permission sees.
    county = Organization.objects.get(name="祁东县总工会")
    user = _no_reveal_user(county)
    client.force_login(user)
    by_page: dict[str, dict[int, int]] = {"detail": {}, "list": {}, "export": {}, "api": {}}
    for pk, person in persons.items():
        page = client.get(reverse("people:detail", args=[pk]))
        assert page.status_code == 200
        text = html.unescape(page.content.decode())
        _assert_phone_masked(text, person)
        id_cell = re.search(r'data-testid="id-number">([^<]*)<', text)[1].strip()
        assert id_cell == mask_id_number(person.id_number)
        by_page["detail"][pk] = count_candidates(areas, _known_from_text(text, person, id_cell))

    page_number = 1
    while True:
        page = client.get(reverse("people:list"), {"page": page_number})
        rows = _rows_by_person(page.content.decode()) if page.status_code == 200 else {}
        if not rows or set(rows) <= set(by_page["list"]):
            break
        for pk, text in rows.items():
            person = persons[pk]
            _assert_phone_masked(text, person)
            known = _known_from_text(text, person, _shown_id(text))
            by_page["list"][pk] = count_candidates(areas, known)
        page_number += 1

    export = client.get(reverse("people:list"), {"export": "xlsx"})
    content = b"".join(export.streaming_content) if export.streaming else export.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    header, *lines = sheet.to_python()
    by_mask = {(p.name, mask_id_number(p.id_number)): p for p in persons.values()}
    for line in lines:
        text = " ".join(_text(c) for c in line)
        person = by_mask[(line[header.index("姓名")], line[header.index("身份证号码")])]
        _assert_phone_masked(text, person)
        known = _known_from_text(text, person, _shown_id(text))
        by_page["export"][person.pk] = count_candidates(areas, known)

    _token, key = ApiToken.issue(user, "rebuild test")
    headers = {"Authorization": f"Bearer {key}"}
    api_page = 1
    while True:
        response = client.get(
            "/api/v1/people/persons", {"page": api_page, "page_size": 200}, headers=headers
        )
        assert response.status_code == 200, response.content
        items = response.json()["items"]
        for item in items:
            person = persons[item["id"]]
            text = json.dumps(item, ensure_ascii=False)
            assert item["phone_masked"] == mask_phone(person.phone)
            known = _known_from_text(text, person, item["id_number_masked"])
            by_page["api"][person.pk] = count_candidates(areas, known)
        if not items or len(by_page["api"]) >= response.json()["count"]:
            break
        api_page += 1

    for label, counts in by_page.items():
        assert set(counts) == set(persons), label
        _summary(f"without reveal: {label}", counts, report)
    home_counts = {
        pk: count_candidates(
            (home,), _known_from_text("", person, mask_id_number(person.id_number))
        )
        for pk, person in persons.items()
    }
    _summary("without reveal, area code guessed from the address", home_counts, report)
    print("\n".join(report))


def _candidate_numbers(area: str, known: Known) -> list[str]:
    """The ID numbers ``count_candidates`` counts for one area code, one birth year and
    the last four shown (order code and check digit)."""
    order, check = known.shown[14:17], known.shown[17]
    numbers = (f"{area}{day:%Y%m%d}{order}" for day in _days(known.year))
    return [n + check for n in numbers if ric.calc_check_digit(n + "0") == check]


def _search_once(client, headers: dict, turn: int, number: str) -> tuple[set[int], bool]:
    """One full-number search through the list page, the global search or the API in
    turn: the person ids it shows, and whether it was refused."""
    if turn % 3 == 0:
        page = client.get(reverse("people:list"), {"q": number})
        body = html.unescape(page.content.decode())
        return set(_rows_by_person(page.content.decode())), "全号码检索次数已达上限" in body
    if turn % 3 == 1:
        page = client.get(reverse("search"), {"q": number})
        refused = 'data-testid="search-refused"' in page.content.decode()
        return {p.pk for p in page.context["persons"]}, refused
    response = client.get("/api/v1/people/persons", {"q": number}, headers=headers)
    if response.status_code == 429:
        assert response.json()["code"] == "throttled"
        return set(), True
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}, False


def test_full_number_search_cannot_try_every_candidate(demo_output, client, settings):
    """The search oracle: a staff user without the reveal permission who holds a masked
    number (last four), the birth year, the sex and the area code searches each candidate
    number until the person turns up. The hourly limit stops the run long before."""
    home = "430426"
    persons = [p for p in Person.objects.all() if p.id_number.startswith(home)]
    knowns = {
        p.pk: Known(year=p.birth_date.year, sex=p.sex, shown=p.masked_id_number) for p in persons
    }
    target = min(persons, key=lambda p: count_candidates((home,), knowns[p.pk]))
    candidates = _candidate_numbers(home, knowns[target.pk])
    assert len(candidates) == count_candidates((home,), knowns[target.pk])
    assert target.id_number in candidates
    limit = settings.FULL_NUMBER_SEARCH_LIMIT
    assert limit < CANDIDATE_FLOOR <= len(candidates)
    # The worst order for the test: the right number comes last.
    candidates.remove(target.id_number)
    candidates.append(target.id_number)

    user = _no_reveal_user(Organization.objects.get(name="祁东县总工会"))
    client.force_login(user)
    _token, key = ApiToken.issue(user, "oracle test")
    headers = {"Authorization": f"Bearer {key}"}
    outcomes = [_search_once(client, headers, turn, n) for turn, n in enumerate(candidates)]

    answered = [found for found, refused in outcomes if not refused]
    assert len(answered) == limit
    assert all(refused for _found, refused in outcomes[limit:])
    assert not any(found for found, refused in outcomes if refused)
    assert not any(target.pk in found for found in answered)
    # Every try is in the access log, and the log holds none of the numbers tried.
    logged = AccessLog.objects.filter(actor=user)
    assert logged.count() == len(candidates)
    text = " ".join(f"{r.object_repr} {r.reason}" for r in logged)
    assert _valid_id_numbers(text) == set()
