"""The inspection API, mounted at ``/api/v1/cases/`` with the tags ``cases`` and
``inspections`` (``InspectionsConfig.api_prefix`` and ``api_tags``): the paths, tags and
operation ids its endpoints were published with when inspections were part of cases."""

from .inspections import router

__all__ = ["router"]
