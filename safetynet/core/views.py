import itertools
import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from safetynet.core import hooks
from safetynet.core.scope import grant_only
from safetynet.core.selectors import division_path, identifier_lookup_notices
from safetynet.core.services import identifier_lookup_limit

logger = logging.getLogger(__name__)

NOTICES_SHOWN = 20
_legacy_order = itertools.count(1000)


def register_menu_item(label, url_name: str, allowed) -> None:
    """The former way to add a menu entry, kept for callers not yet moved to
    `core.hooks.register_menu_item` (which they should use: it names the entry and orders it).
    Entries registered this way come after the others, in the order registered."""
    hooks.register_menu_item(name=url_name, label=label, url_name=url_name, allowed=allowed,
                             order=next(_legacy_order))



def identifier_lookup_notices_panel(actor) -> dict | None:
    """The home-page card of a city or county bureau: users of its area refused a lookup of a whole
    ID or phone number past their limit, or told that a number they typed is registered outside
    their area (registered in CoreConfig.ready)."""
    notices = identifier_lookup_notices(actor=actor)
    rows = list(notices[:NOTICES_SHOWN])
    if not rows:
        return None
    limit, window = identifier_lookup_limit()
    return {"notices": rows, "total": notices.count(), "limit": limit,
            "hours": round(window.total_seconds() / 3600)}


# --- pages ---------------------------------------------------------------------------------------

@require_GET
def home(request):
    return render(request, "core/home.html", {
        "area_path": division_path(request.user.division_id),
        "panels": hooks.home_panels(request),
        "queues": hooks.desk_queues(request.user),
        "by_grant_only": grant_only(request.user.role),
    })


# The language switch must work on the login page too.
set_language = login_not_required(django_set_language)


@login_not_required
def healthz(request):
    """Is the process up and the database answering? For load balancers and operators."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any failure means unhealthy
        # The error may name hosts, users or paths: it goes to the log, never to an anonymous caller.
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
