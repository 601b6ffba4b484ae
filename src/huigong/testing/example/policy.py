"""The reads: the staff loader through the data scope, the worker's own errands, and
the timeline as each audience sees it."""

from huigong.kernel.scope import get_visible_or_404
from huigong.kernel.timeline import Audience, timeline_rows

from .models import Errand

VIEW = "example.view_errand"


def visible_errand(user, pk: int) -> Errand:
    return get_visible_or_404(Errand.objects.select_related("organization"), user, VIEW, pk=pk)


def errand_timeline(errand: Errand, *, audience: str = Audience.STAFF, viewer=None) -> list:
    return timeline_rows(errand.events.select_related("actor"), audience=audience, viewer=viewer)
