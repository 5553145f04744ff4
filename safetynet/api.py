"""/api/v1: one NinjaAPI; each app adds its router. The OpenAPI document is public, data is not.

The interactive docs page (Swagger UI) is served only when its files can be served from here:
ninja renders them from its own static files when `ninja` is an installed app, and from a CDN
otherwise — and intranets have no internet, so then there is no docs page. The OpenAPI document
at /api/v1/openapi.json is always there.
"""

from django.conf import settings
from ninja import NinjaAPI

from safetynet.care.api import router as care_router
from safetynet.care.purchase.api import router as care_purchase_router
from safetynet.core.accounts.api import router as accounts_router
from safetynet.core.api import TokenAuth, install_error_handlers
from safetynet.core.api import router as core_router
from safetynet.core.workdays.api import router as calendar_router
from safetynet.core.workflows.api import router as casework_router
from safetynet.institutions.api import router as institutions_router
from safetynet.institutions.inspections.api import router as inspections_router
from safetynet.payments.api import router as payments_router
from safetynet.programmes.aid.api import router as aid_router
from safetynet.programmes.api import router as programmes_router
from safetynet.programmes.applications.api import router as applications_router
from safetynet.programmes.life.api import router as life_router
from safetynet.registry.api import router as registry_router
from safetynet.registry.api_files import router as files_router

api = NinjaAPI(
    title="safetynet API",
    version="1",
    description="Registry of the civil-affairs bureau. Every data endpoint needs a bearer token "
    "(`safetynet token create USER`) and sees only the token owner's area: an id outside it is 404. "
    "Errors are JSON `{\"detail\": …}` in the language of Accept-Language (Chinese by default); 422 "
    "lists `{\"field\", \"message\"}`. Money is a decimal string. ID and phone numbers come masked; "
    "`unmask=true` shows them whole to roles allowed to see them, and logs it. A body field the "
    "schema does not know is refused; a query parameter it does not know is ignored. A body that is "
    "not JSON is 400.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
)
install_error_handlers(api)
api.add_router("/", core_router)
# Before the registry's: /households/export is no /households/{household_id}.
api.add_router("/", files_router)
api.add_router("/", registry_router)
api.add_router("/", accounts_router)
api.add_router("/", calendar_router)
api.add_router("/programmes", programmes_router)
api.add_router("/programmes", applications_router)
api.add_router("/programmes", aid_router)  # temporary aid
api.add_router("/programmes", life_router)  # assistance in payment: reviews, decisions, transfers
api.add_router("/", institutions_router)
api.add_router("/", inspections_router)
api.add_router("/", casework_router)
api.add_router("/", care_router)
api.add_router("/", care_purchase_router)  # purchased care services (issue 14, item 4)
api.add_router("/", payments_router)  # payroll runs, lines, bank files, results, accounts (issue 15)
api.add_router("/", "safetynet.payments.funds.api.router")  # payments: funds, ledger, balances, reserves
