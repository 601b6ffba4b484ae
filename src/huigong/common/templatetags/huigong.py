"""Small template helpers used across the workbench."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ row|get_item:col.key }}`` for dict look-ups with a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
