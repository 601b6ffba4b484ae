"""The data scope lives in ``huigong.kernel.scope``: it joins the organization tree and the
role assignments, and sits below ``orgs``, ``accounts`` and ``audit`` so that all of them
can use it without an import cycle.

This module only re-exports it for the modules that still import it from here (the
domain apps' models, being moved to the kernel by the kernel refactor). New code imports
``huigong.kernel.scope``.
"""

from huigong.kernel.scope import (
    ScopedQuerySetMixin,
    get_visible_or_404,
    scope_paths,
    scope_q,
    user_can_at,
    users_acting_in,
)

__all__ = [
    "ScopedQuerySetMixin",
    "get_visible_or_404",
    "scope_paths",
    "scope_q",
    "user_can_at",
    "users_acting_in",
]
