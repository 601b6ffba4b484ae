"""The declaration helpers apps use: indicator groups, the usual object URLs and the
platform ``AppConfig``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve
from django.views import View

from huigong.kernel import registry
from huigong.kernel.indicators import (
    IndicatorGroup,
    IndicatorKind,
    Section,
    get_indicator,
    get_ratio,
    register_section,
    unregister,
    unregister_section,
)
from huigong.people.models import Person

KEYS = ["tests.all", "tests.new", "tests.share", "tests.later", "tests.explicit"]


@pytest.fixture
def section():
    section = register_section(Section("tests_group", "测试", order=999))
    yield section
    for key in KEYS:
        unregister(key)
    unregister_section("tests_group")


def test_a_group_shares_its_fields_and_orders_entries_as_declared(section):
    people = IndicatorGroup(
        section, order=500, permission="people.view_person", unit="人", kind=IndicatorKind.STOCK
    )
    persons = people.group(queryset=lambda: Person.objects.all())
    persons.indicator("tests.all", "全部")
    persons.indicator("tests.new", "新登记", kind=IndicatorKind.NEW)
    persons.percentage("tests.share", "占比", "tests.new", "tests.all")
    people.group(order=600, queryset=lambda: Person.objects.all()).indicator("tests.later", "后")
    people.indicator("tests.explicit", "指定", queryset=lambda: Person.objects.all(), order=42)

    first, second = get_indicator("tests.all"), get_indicator("tests.new")
    assert (first.order, second.order, get_ratio("tests.share").order) == (500, 501, 502)
    assert (first.kind, second.kind) == (IndicatorKind.STOCK, IndicatorKind.NEW)
    assert first.permission == second.permission == "people.view_person"
    assert first.section is section and str(first.unit) == "人"
    share = get_ratio("tests.share")
    assert (share.unit, share.scale, share.section) == ("%", 100, section)
    assert get_indicator("tests.later").order == 600
    assert get_indicator("tests.explicit").order == 42


def test_a_group_without_an_order_wants_one_per_entry(section):
    group = IndicatorGroup(section, kind=IndicatorKind.STOCK, unit="人")
    with pytest.raises(ImproperlyConfigured, match="needs one per entry"):
        group.indicator("tests.all", "全部", queryset=lambda: Person.objects.all())


class _Page(View):
    pass


def _page(request, pk):
    return None


def test_object_urls_put_the_usual_pages_at_the_usual_paths():
    patterns = registry.object_urls(
        list=_Page, create=_Page, detail=_page, edit=(_Page, "update"), action=_Page
    )
    assert [(str(p.pattern), p.name) for p in patterns] == [
        ("", "list"),
        ("new/", "create"),
        ("<int:pk>/", "detail"),
        ("<int:pk>/edit/", "update"),
        ("<int:pk>/<slug:action>/", "action"),
    ]
    assert patterns[2].callback is _page
    assert patterns[0].callback.view_class is _Page


def test_the_apps_keep_their_urls():
    assert resolve("/people/7/edit/").url_name == "update"
    assert resolve("/cases/inspections/7/close/").kwargs == {"pk": 7, "action": "close"}
    assert resolve("/cases/mediation/7/agreement.pdf").url_name == "mediation_pdf"
    assert resolve("/m/me/tokens/3/revoke/").url_name == "revoke_token"


def test_a_platform_app_registers_what_it_declares(monkeypatch):
    import huigong.testing.example as module

    monkeypatch.setattr(registry, "_MENU", {})
    monkeypatch.setattr(registry, "_TILES", {})
    monkeypatch.setattr(registry, "_GRANTS", {})
    monkeypatch.setattr(registry, "_JOBS", {})
    registered = []

    class Config(registry.PlatformAppConfig):
        menu_items = (registry.MenuItem("example", "示例", "example:list"),)
        tiles = (registry.Tile("example", "示例", "portal:example"),)
        jobs = (registry.Job("example-job", "huigong.example.job", 60.0),)
        grants = {"auditor": ["example.view_errand"]}

        def register(self):
            registered.append(self.label)

    Config("huigong.testing.example", module).ready()

    assert [item.key for item in registry.menu_items()] == ["example"]
    assert list(registry._TILES) == ["example"]
    assert list(registry._JOBS) == ["example-job"]
    assert registry.granted("auditor") == ["example.view_errand"]
    assert registered == ["example"]
