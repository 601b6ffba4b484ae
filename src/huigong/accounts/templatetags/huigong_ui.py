"""Small template helpers for the shell: Tabler error styling and durations."""

from __future__ import annotations

import datetime

from django import template

register = template.Library()


@register.filter
def widget(bound_field, other_errors=None):
    """Render a form field's widget, marked ``is-invalid`` (Tabler) when it has errors
    (its own, or ``other_errors`` reported for it from elsewhere)."""
    if not bound_field.errors and not other_errors:
        return bound_field.as_widget()
    css = bound_field.field.widget.attrs.get("class", "")
    return bound_field.as_widget(
        attrs={
            "class": f"{css} is-invalid".strip(),
            "aria-invalid": "true",
            "aria-describedby": f"{bound_field.auto_id}_error",
        }
    )


@register.filter
def minutes(value) -> int:
    """Whole minutes of a ``timedelta`` (rounded up), e.g. for a lockout's cool-off."""
    if not isinstance(value, datetime.timedelta):
        return 0
    return -(-int(value.total_seconds()) // 60)
