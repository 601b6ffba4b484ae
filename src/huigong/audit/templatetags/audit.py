"""``{% object_history obj %}``: the change history of one object, for detail pages.

Usage in a detail template::

    {% load audit %}
    {% object_history person %}            {# latest 20 changes #}
    {% object_history person limit=50 %}

It renders a card with a timeline of the object's ``ChangeLog`` rows, newest first: who
(actor), when, what (新建/修改/删除, the note) and, per field, ``字段名:原值 → 新值``
with the fields' verbose names, choice labels and related objects by name. Protected
fields (ID number, phone, bank account) show only "已设置", as they are logged.

Rows are limited to the viewer's data scope (``ChangeLog.objects.visible_to(user)``):
whoever may open the detail page sees the history written while the object was in their
subtree. Users holding ``audit.view_audit`` also get a link to the full log filtered to
this object. The tag needs ``request`` in the template context (the workbench's
``RequestContext`` provides it).
"""

from __future__ import annotations

from django import template

from ..display import ChangeFormatter
from ..models import ChangeLog

register = template.Library()


@register.inclusion_tag("audit/_object_history.html", takes_context=True)
def object_history(context, obj, limit: int = 20):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    try:
        limit = max(1, min(int(limit), 200))
    except (TypeError, ValueError):
        limit = 20
    rows = list(
        ChangeLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .visible_to(user)
        .order_by("-time", "-id")[: limit + 1]
    )
    more, rows = len(rows) > limit, rows[:limit]
    formatter = ChangeFormatter(user)
    formatter.prefetch(rows)
    return {
        "entries": [(log, formatter.changes(log)) for log in rows],
        "more": more,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "can_view_audit": bool(user and user.has_perm("audit.view_audit")),
    }
