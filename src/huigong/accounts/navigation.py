"""The workbench's main menu: which sections a staff user sees.

An item shows only when the user holds its permission *and* its page exists (its URL
name reverses), so a section that is not installed never shows a dead link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


def _perm(name: str) -> Callable:
    return lambda user: user.has_perm(name)


def _staff(user) -> bool:
    return not user.is_worker


def _superuser(user) -> bool:
    return user.is_superuser


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    allowed: Callable
    icon: str = ""

    @property
    def section(self) -> str:
        return self.url_name.split(":", 1)[0] if ":" in self.url_name else self.url_name


WORKBENCH_NAV: list[NavItem] = [
    NavItem(pgettext_lazy("workbench menu", "统计"), "stats:dashboard", _staff),
    NavItem(pgettext_lazy("workbench menu", "组织"), "orgs:list", _perm("orgs.view_organization")),
    NavItem(pgettext_lazy("workbench menu", "职工"), "people:list", _perm("people.view_person")),
    NavItem(pgettext_lazy("workbench menu", "诉求"), "cases:list", _perm("cases.view_case")),
    NavItem(pgettext_lazy("workbench menu", "审计"), "audit:changes", _perm("audit.view_audit")),
    NavItem(pgettext_lazy("workbench menu", "系统配置"), "admin:index", _superuser),
]


def workbench_nav(user, current_namespace: str = "") -> list[dict]:
    """The menu entries for ``user``: label, url and whether it is the current section."""
    if not user.is_authenticated or user.is_worker:
        return []
    items = []
    for item in WORKBENCH_NAV:
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": item.section == current_namespace})
    return items
