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
    #: Marks the item current on views whose name starts with this (a section that
    #: shares its URL namespace with another, e.g. 执法检查 inside ``cases``).
    view_prefix: str = ""

    @property
    def section(self) -> str:
        return self.url_name.split(":", 1)[0] if ":" in self.url_name else self.url_name


WORKBENCH_NAV: list[NavItem] = [
    NavItem(pgettext_lazy("workbench menu", "统计"), "stats:dashboard", _staff),
    NavItem(pgettext_lazy("workbench menu", "组织"), "orgs:list", _perm("orgs.view_organization")),
    NavItem(pgettext_lazy("workbench menu", "职工"), "people:list", _perm("people.view_person")),
    NavItem(pgettext_lazy("workbench menu", "诉求"), "cases:list", _perm("cases.view_case")),
    NavItem(
        pgettext_lazy("workbench menu", "转办给本部门"),
        "cases:referral_queue",
        _perm("cases.answer_referral"),
        view_prefix="cases:referral",
    ),
    NavItem(
        pgettext_lazy("workbench menu", "执法检查"),
        "cases:inspection_list",
        _perm("cases.view_inspection"),
        view_prefix="cases:inspection_",
    ),
    NavItem(pgettext_lazy("workbench menu", "审计"), "audit:changes", _perm("audit.view_audit")),
    NavItem(pgettext_lazy("workbench menu", "系统配置"), "admin:index", _superuser),
]


def workbench_nav(user, current_namespace: str = "", current_view: str = "") -> list[dict]:
    """The menu entries for ``user``: label, url and whether it is the current section
    (by the view's name where an item claims it with ``view_prefix``, else by namespace)."""
    if not user.is_authenticated or user.is_worker:
        return []
    claimed = next(
        (i for i in WORKBENCH_NAV if i.view_prefix and current_view.startswith(i.view_prefix)),
        None,
    )
    items = []
    for item in WORKBENCH_NAV:
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if claimed is not None:
            active = item is claimed
        else:
            active = not item.view_prefix and item.section == current_namespace
        items.append({"label": item.label, "url": url, "active": active})
    return items
