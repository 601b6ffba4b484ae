"""A URLconf for the error-handling tests: the real site plus views that fail on purpose,
one under /api/ that is not a django-ninja view (so the API's own handlers do not see it)."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from huigong.urls import handler400, handler403, handler404, handler500, urlpatterns


def boom(request):
    raise RuntimeError("boom")


def suspicious(request):
    raise SuspiciousOperation("tampered")


urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    path("api/suspicious/", suspicious),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
