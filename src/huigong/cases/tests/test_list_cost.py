"""The API's case list at a fixed cost: the token, the roles (the permission check and
the scope together), the count and the page — whatever the page holds — and rows that
read only the columns they show, yet carry the same values as the case's detail."""

from __future__ import annotations

import datetime

from huigong.cases import services
from huigong.cases.models import Case, Outcome
from huigong.testing.factories import make_id_number

#: Token, roles, count, page. (A worker's roles, none, are read for the choices of the
#: list's organization filter.)
STAFF_LIST_QUERIES = WORKER_LIST_QUERIES = 4


def _list_and_details(client) -> tuple[dict, dict[int, dict]]:
    page = client.get("/cases").json()
    return page, {row["id"]: client.get(f"/cases/{row['id']}").json() for row in page["items"]}


def test_staff_list_costs_the_same_for_one_case_and_for_many(
    api, township_cadre, make_case, django_assert_num_queries
):
    client = api(township_cadre)
    make_case()
    client.get("/cases")
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        assert client.get("/cases").json()["count"] == 1
    for i in range(12):
        make_case(applicants=[{"name": f"职工{i}", "id_number": make_id_number()}])
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = client.get("/cases", page_size=10)
    data = response.json()
    assert data["count"] == 13 and len(data["items"]) == 10


def test_worker_list_costs_a_fixed_number_of_queries(
    api, worker, categories, django_assert_num_queries
):
    client = api(worker)
    body = {"category_id": categories["wage_arrears"].pk, "description": "拖欠工资"}
    for _ in range(3):
        assert client.post("/cases", body).status_code == 201
    client.get("/cases")
    with django_assert_num_queries(WORKER_LIST_QUERIES):
        data = client.get("/cases").json()
    assert data["count"] == 3


def test_list_rows_carry_what_the_detail_says(api, township_cadre, station_staff, make_case):
    """Open, resolved (awaiting the rating) and closed cases: each row's fields are the
    detail's, status label, deadline, category and organization names included."""
    open_case = make_case()
    resolved = make_case(applicants=[{"name": "李四", "id_number": make_id_number()}])
    closed = make_case(applicants=[{"name": "王五", "id_number": make_id_number()}])
    for case in (resolved, closed):
        services.accept_case(actor=station_staff, case=case)
        services.resolve_case(
            actor=station_staff, case=case, outcome=Outcome.IN_FAVOUR, result_text="已解决"
        )
    services.close_case(actor=station_staff, case=Case.objects.get(pk=closed.pk))
    page, details = _list_and_details(api(township_cadre))
    rows = {row["id"]: row for row in page["items"]}
    assert set(rows) == {open_case.pk, resolved.pk, closed.pk}
    for pk, row in rows.items():
        assert row == {name: details[pk][name] for name in row}, pk
    assert rows[open_case.pk]["deadline"]  # "剩余 N 个工作日" or the like
    assert rows[resolved.pk]["awaiting_rating"] is True
    assert rows[closed.pk]["deadline"] == "" and rows[closed.pk]["status"] == "closed"
    assert rows[open_case.pk]["organization"]["name"] == "黄土铺镇工会联合会"
    assert rows[open_case.pk]["category"]["name"] == open_case.category.name
    assert datetime.date.fromisoformat(rows[open_case.pk]["due_date"]) == open_case.due_date
