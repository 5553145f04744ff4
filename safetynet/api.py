"""/api/v1: one NinjaAPI; each app adds its router. The OpenAPI document is public, data is not."""

from ninja import NinjaAPI

from safetynet.core.api import TokenAuth, router as core_router
from safetynet.registry.api import router as registry_router

api = NinjaAPI(
    title="safetynet API",
    version="1",
    description="Registry of the civil-affairs bureau. Every data endpoint needs a bearer token "
    "(`safetynet token create USER`) and sees only the token owner's area.",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", registry_router)
