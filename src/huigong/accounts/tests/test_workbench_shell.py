import re

import pytest
from django.urls import reverse

from huigong.accounts.navigation import workbench_nav
from huigong.testing.factories import UserFactory

pytestmark = pytest.mark.urls("huigong.accounts.tests.shell_urls")


def _nav_labels(client, user, url="/stats/") -> list[str]:
    client.force_login(user)
    html = client.get(url).content.decode()
    return re.findall(r'data-testid="nav-item"><span class="nav-link-title">([^<]+)<', html)


def test_county_cadre_sees_sections_of_their_permissions(client, county_cadre):
    assert _nav_labels(client, county_cadre) == ["统计", "组织", "职工"]


def test_auditor_also_sees_audit(client, auditor):
    assert _nav_labels(client, auditor) == ["统计", "组织", "职工", "审计"]


def test_superuser_sees_everything_including_system_settings(client, superuser):
    assert _nav_labels(client, superuser) == ["统计", "组织", "职工", "审计", "系统配置"]


def test_staff_without_roles_sees_only_statistics(client, db):
    assert _nav_labels(client, UserFactory(username="norole")) == ["统计"]


def test_partner_role_without_people_permission_has_no_people_item(client, tree, roles):
    from huigong.testing.factories import give_role

    partner = give_role(UserFactory(username="hr"), "enterprise_hr", tree.xinfa)
    assert _nav_labels(client, partner) == ["统计", "组织"]


def test_current_section_is_marked_active(client, county_cadre):
    client.force_login(county_cadre)
    html = client.get("/people/").content.decode()
    assert re.search(
        r'nav-item active"><a class="nav-link" href="/people/" aria-current="page"', html
    )


@pytest.mark.urls("huigong.urls")
def test_sections_not_installed_are_left_out(county_cadre):
    # With the real URL configuration, an item whose page does not exist never shows.
    from django.urls import NoReverseMatch

    def exists(name):
        try:
            reverse(name)
            return True
        except NoReverseMatch:
            return False

    urls = [item["url"] for item in workbench_nav(county_cadre)]
    expected = [
        name
        for name in (
            "stats:dashboard",
            "orgs:list",
            "people:list",
            "cases:list",
            "inspections:list",
        )
        if exists(name)
    ]
    assert urls == [reverse(name) for name in expected]


def test_header_shows_the_users_scope(client, township_cadre, county_cadre):
    client.force_login(township_cadre)
    html = client.get("/stats/").content.decode()
    assert re.search(r'data-testid="scope-label">\s*黄土铺镇工会联合会', html)
    assert 'data-testid="scope-org">黄土铺镇工会联合会<' in html
    assert "白地市镇" not in html
    client.force_login(county_cadre)
    html = client.get("/stats/").content.decode()
    assert 'data-testid="scope-org">祁东县总工会<' in html


def test_header_scope_with_several_assignments(client, tree, township_cadre, roles):
    from huigong.testing.factories import give_role

    give_role(township_cadre, "station_staff", tree.baidishi)
    client.force_login(township_cadre)
    html = client.get("/stats/").content.decode()
    assert "黄土铺镇工会联合会 等 1 处" in html
    assert html.count('data-testid="scope-org"') == 2


def test_header_scope_for_superuser_and_for_no_roles(client, superuser, db):
    client.force_login(superuser)
    assert 'data-testid="scope-org">全部组织<' in client.get("/stats/").content.decode()
    client.force_login(UserFactory(username="norole"))
    assert "无数据范围" in client.get("/stats/").content.decode()


def test_shell_has_user_menu_language_switch_and_logout(client, township_cadre):
    client.force_login(township_cadre)
    html = client.get("/stats/").content.decode()
    assert 'data-testid="language-switch"' in html
    assert 'value="en"' in html and "English" in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert reverse("accounts:api_tokens") in html
    assert reverse("accounts:password_change") in html
    assert 'name="viewport"' in html


def test_nav_costs_a_fixed_number_of_queries(client, county_cadre, django_assert_max_num_queries):
    # Signed in as staff sign in (the role backend reads the user with their notification
    # preferences, so the bell's unread count is the only query it adds).
    client.force_login(county_cadre, backend="huigong.accounts.backends.RoleBackend")
    client.get("/stats/")
    with django_assert_max_num_queries(8):
        client.get("/stats/")


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/stats/",
        "/orgs/",
        "/people/",
        "/audit/",
        "/search/",
        "/admin/",
        "/accounts/tokens/",
        "/accounts/password/",
        "/accounts/login/",
    ],
)
def test_worker_never_reaches_the_workbench(client, worker, url):
    client.force_login(worker)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_worker_post_to_staff_page_changes_nothing(client, worker):
    from huigong.accounts.models import ApiToken

    client.force_login(worker)
    response = client.post("/accounts/tokens/", {"name": "偷偷", "lifetime_days": "30"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_worker_may_switch_language_and_sign_out_anywhere(client, worker):
    client.force_login(worker)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/m/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.urls("huigong.urls")
def test_partner_department_pages_belong_to_the_cases_section(client, county_cadre):
    client.force_login(county_cadre)
    html = client.get("/cases/departments/").content.decode()
    assert re.search(
        r'nav-item active"><a class="nav-link" href="/cases/" aria-current="page"', html
    )
