"""The HTTP API under /api/v1/ (django-ninja). Each app contributes a router."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Huigong API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
