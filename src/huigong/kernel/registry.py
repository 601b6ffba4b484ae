"""Where apps plug into the platform. Each app calls these from its ``AppConfig.ready``
— menu items, portal tiles, the permissions its roles hold, deadline sweeps and other
scheduled jobs, reference seeds and its part of the demo county — so that adding an app
means adding it to ``INSTALLED_APPS`` and nothing else. The readers (the workbench menu,
the portal home, ``seed_reference``, ``seed_roles``, the Celery beat schedule, the demo
command) take what is registered here.

Registering twice under the same name replaces the first entry, so a module imported
twice (tests, autoreload) never shows an item twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.urls import NoReverseMatch, include, path, reverse
from django.utils.functional import Promise

# -- workbench menu -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuItem:
    """A section of the staff workbench's main menu. It shows when the user holds
    ``permission`` (or passes ``allowed``) and its page exists (its URL name reverses)."""

    key: str
    label: str | Promise
    url_name: str
    permission: str = ""
    allowed: Callable[[Any], bool] | None = None
    order: int = 100
    #: Marks the item current on views whose name starts with this (a section that shares
    #: its URL namespace with another).
    view_prefix: str = ""
    #: Other URL namespaces whose pages belong to this section (pages of a lower app
    #: reached from it, e.g. partner departments from 诉求).
    also_for: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        return self.url_name.split(":", 1)[0] if ":" in self.url_name else self.url_name

    def shown_to(self, user) -> bool:
        if self.permission and not user.has_perm(self.permission):
            return False
        return self.allowed is None or bool(self.allowed(user))


_MENU: dict[str, MenuItem] = {}


def register_menu_item(item: MenuItem) -> None:
    _MENU[item.key] = item


def menu_items() -> list[MenuItem]:
    return sorted(_MENU.values(), key=lambda i: (i.order, i.key))


def menu_for(user, current_namespace: str = "", current_view: str = "") -> list[dict]:
    """The menu entries for a staff ``user``: label, url and whether it is the current
    section (by the view's name where an item claims it with ``view_prefix``, else by
    namespace). Workers and visitors get none."""
    if not user.is_authenticated or user.is_worker:
        return []
    items = menu_items()
    claimed = next(
        (i for i in items if i.view_prefix and current_view.startswith(i.view_prefix)), None
    )
    shown = []
    for item in items:
        if not item.shown_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if claimed is not None:
            active = item is claimed
        else:
            active = not item.view_prefix and current_namespace in (item.section, *item.also_for)
        shown.append({"key": item.key, "label": item.label, "url": url, "active": active})
    return shown


# -- organization pickers ------------------------------------------------------------------------

_PICKER_PERMISSIONS: set[str] = set()


def register_picker_permissions(*permissions: str) -> None:
    """Permissions an organization picker of the app may narrow its choices by (the
    organizations where the user holds it); any other is refused by the picker search."""
    _PICKER_PERMISSIONS.update(permissions)


def picker_permissions() -> frozenset[str]:
    return frozenset(_PICKER_PERMISSIONS)


# -- portal tiles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """A service on the worker portal's home page. It shows only when its page exists and
    the visitor may use it."""

    key: str
    label: str | Promise
    url_name: str
    description: str | Promise = ""
    #: "worker": signed-in workers only; "anyone": also anonymous visitors.
    audience: str = "worker"
    order: int = 100


_TILES: dict[str, Tile] = {}


def register_tile(tile: Tile) -> None:
    _TILES[tile.key] = tile


def unregister_tile(key: str) -> None:
    _TILES.pop(key, None)


def tiles_for(user) -> list[dict]:
    """The tiles ``user`` sees, in order, with their URLs."""
    is_worker = user.is_authenticated and user.is_worker
    shown = []
    for tile in sorted(_TILES.values(), key=lambda t: (t.order, t.key)):
        if tile.audience == "worker" and not is_worker:
            continue
        try:
            url = reverse(tile.url_name)
        except NoReverseMatch:
            continue
        shown.append(
            {"key": tile.key, "label": tile.label, "url": url, "description": tile.description}
        )
    return shown


# -- roles ----------------------------------------------------------------------------------------

_GRANTS: dict[str, dict[str, list[str]]] = {}


def grant(role: str, permissions: list[str], *, app: str) -> None:
    """``app`` gives the seeded ``role`` these permissions (``app_label.codename``).
    The roles themselves are defined by ``accounts``; ``seed_roles`` adds what is granted
    here and never removes what an administrator gave."""
    _GRANTS.setdefault(role, {})[app] = list(permissions)


def granted(role: str) -> list[str]:
    """Every permission the apps grant ``role``, without repeats, in registration order."""
    seen: dict[str, None] = {}
    for perms in _GRANTS.get(role, {}).values():
        seen.update(dict.fromkeys(perms))
    return list(seen)


# -- sweeps and scheduled jobs --------------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    """A deadline rule run on a schedule: it marks what became due or overdue, sends the
    reminders and returns counts (a dict) of what it did. Sweeps must be safe to run twice
    (claim rows with a compare-and-set update): beat may repeat and operators may run
    ``python -m huigong sweep_deadlines`` by hand or from cron."""

    name: str
    run: Callable[..., dict]
    description: str | Promise = ""
    #: Seconds between runs, or a ``celery.schedules.crontab``.
    schedule: Any = 3600.0


@dataclass(frozen=True)
class Job:
    """A periodic Celery task that is not a deadline rule (rollups, clean-ups, digests)."""

    name: str
    task: str
    schedule: Any
    description: str | Promise = ""
    kwargs: dict = field(default_factory=dict)


_SWEEPS: dict[str, Sweep] = {}
_JOBS: dict[str, Job] = {}

#: The Celery task that runs one registered sweep by name (``huigong.kernel.tasks``).
RUN_SWEEP_TASK = "huigong.kernel.run_sweep"


def register_sweep(sweep: Sweep) -> None:
    _SWEEPS[sweep.name] = sweep


def register_job(job: Job) -> None:
    _JOBS[job.name] = job


def sweeps() -> list[Sweep]:
    return [_SWEEPS[name] for name in sorted(_SWEEPS)]


def get_sweep(name: str) -> Sweep:
    try:
        return _SWEEPS[name]
    except KeyError:
        raise LookupError(f"no sweep named {name!r}") from None


def run_sweep(name: str, *, today: datetime.date | None = None) -> dict:
    return dict(get_sweep(name).run(today=today))


def beat_schedule() -> dict[str, dict]:
    """The Celery beat schedule: one entry per sweep and per job. A deployment may run
    every sweep at one interval instead (``settings.SWEEP_INTERVAL_SECONDS``)."""
    every = getattr(settings, "SWEEP_INTERVAL_SECONDS", None)
    schedule = {
        f"sweep-{s.name}": {
            "task": RUN_SWEEP_TASK,
            "schedule": every or s.schedule,
            "args": (s.name,),
        }
        for s in sweeps()
    }
    for job in sorted(_JOBS.values(), key=lambda j: j.name):
        schedule[job.name] = {"task": job.task, "schedule": job.schedule, "kwargs": job.kwargs}
    return schedule


# -- reference seeds and the demo -----------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """Reference data every deployment needs (roles, holidays, categories). ``run``
    only adds what is missing and returns how many rows it created."""

    name: str
    run: Callable[[], int]
    order: int = 100


@dataclass
class DemoContext:
    """What the demo command has built before the apps' loaders run: the demo accounts
    by username (``worker`` is the portal account), the organization each of them works
    at, the organizations by name, and the day the demo is played up to."""

    users: dict[str, Any]
    homes: dict[str, Any]
    orgs: dict[str, Any]
    worker: Any
    today: datetime.date
    #: Shared between loaders that build on each other (cases → mediations).
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoLoader:
    """An app's part of the demo county, run by ``python -m huigong demo`` after the
    tree, people and accounts exist, in ``order``. ``run(context)`` plays the app's
    stories through its services and returns how many objects it made, which the
    command reports under ``label``."""

    name: str
    run: Callable[[DemoContext], int]
    label: str = ""
    order: int = 100


_SEEDS: dict[str, Seed] = {}
_DEMO: dict[str, DemoLoader] = {}


def register_seed(seed: Seed) -> None:
    _SEEDS[seed.name] = seed


def seeds() -> list[Seed]:
    return sorted(_SEEDS.values(), key=lambda s: (s.order, s.name))


def register_demo_loader(loader: DemoLoader) -> None:
    _DEMO[loader.name] = loader


def demo_loaders() -> list[DemoLoader]:
    return sorted(_DEMO.values(), key=lambda d: (d.order, d.name))


# -- an app's declarations ----------------------------------------------------------------------


class PlatformAppConfig(AppConfig):
    """The ``AppConfig`` of an app that plugs into the platform: it declares what it adds
    as class attributes, which ``ready`` registers, and overrides ``register`` for what
    needs its models or services (sweeps, seeds, demo loaders …)."""

    menu_items: tuple[MenuItem, ...] = ()
    tiles: tuple[Tile, ...] = ()
    picker_permissions: tuple[str, ...] = ()
    jobs: tuple[Job, ...] = ()
    #: The permissions the app gives each seeded role (``grant``).
    grants: dict[str, list[str]] = {}

    def ready(self) -> None:
        for item in self.menu_items:
            register_menu_item(item)
        for tile in self.tiles:
            register_tile(tile)
        register_picker_permissions(*self.picker_permissions)
        for job in self.jobs:
            register_job(job)
        for role, permissions in self.grants.items():
            grant(role, permissions, app=self.label)
        self.register()

    def register(self) -> None:
        """Register what the class attributes cannot declare (it needs the app's models)."""


# -- URLs -----------------------------------------------------------------------------------------


def _app_module(config, name: str):
    try:
        return import_module(f"{config.name}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.{name}":
            raise
        return None


def _platform_apps() -> list:
    return [c for c in apps.get_app_configs() if c.name.startswith("huigong.")]


def app_urls() -> list:
    """The workbench URLs of every installed app: its ``urls.urlpatterns`` under
    ``AppConfig.url_prefix`` (default ``<label>/``), longest prefix first so that an app
    mounted inside another's path (``cases/departments/``) is matched before it."""
    mounted = []
    for config in _platform_apps():
        module = _app_module(config, "urls")
        if module is None or not getattr(module, "urlpatterns", None):
            continue
        prefix = getattr(config, "url_prefix", f"{config.label}/")
        mounted.append((prefix, path(prefix, include(module))))
    mounted.sort(key=lambda item: -len(item[0]))
    return [pattern for _prefix, pattern in mounted]


def portal_urls() -> list:
    """The worker portal's pages of every installed app: ``portal_urlpatterns`` in its
    ``urls`` module, all in the ``portal`` namespace under ``/m/``."""
    patterns = []
    for config in _platform_apps():
        module = _app_module(config, "urls")
        patterns.extend(getattr(module, "portal_urlpatterns", None) or [])
    return patterns


#: Where the usual pages of a kind of object live, the same in every app.
OBJECT_PAGES = {
    "list": "",
    "create": "new/",
    "detail": "<int:pk>/",
    "edit": "<int:pk>/edit/",
    "action": "<int:pk>/<slug:action>/",
}


def object_urls(**pages) -> list:
    """URL patterns of an object's usual pages at their usual paths (``OBJECT_PAGES``):
    ``object_urls(list=ListView, detail=DetailView, edit=(UpdateView, "update"))``. Each
    keyword gives a page's view (a class-based view or a function), named after the page
    unless it comes as ``(view, url name)``."""
    patterns = []
    for page, view in pages.items():
        view, name = view if isinstance(view, tuple) else (view, page)
        if isinstance(view, type):
            view = view.as_view()
        patterns.append(path(OBJECT_PAGES[page], view, name=name))
    return patterns
