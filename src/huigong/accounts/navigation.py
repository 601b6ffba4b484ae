"""The workbench's main menu: which sections a staff user sees.

Apps register their sections with ``huigong.kernel.registry.register_menu_item`` in
``AppConfig.ready``. An item shows only when the user holds its permission *and* its
page exists (its URL name reverses), so a section that is not installed never shows a
dead link.
"""

from __future__ import annotations

from huigong.kernel.registry import menu_for


def workbench_nav(user, current_namespace: str = "", current_view: str = "") -> list[dict]:
    """The menu entries for ``user``: label, url and whether it is the current section."""
    return menu_for(user, current_namespace, current_view)
