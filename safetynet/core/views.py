import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from safetynet.core.selectors import division_path, identifier_lookup_notices
from safetynet.core.services import identifier_lookup_limit

logger = logging.getLogger(__name__)

# --- what the domain apps add to the menu and the home page ----------------------------------------
# core may not import the domain apps (they depend on it, not the other way round), so each app
# registers its menu entries and home-page panel here when its views module is imported — which
# the URL configuration does before any request is served.


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    allowed: Callable[[object], bool]


_MENU: list[MenuItem] = []
_HOME_PANELS: list[Callable[[HttpRequest], str | None]] = []


def register_menu_item(label, url_name: str, allowed: Callable[[object], bool]) -> None:
    if all(item.url_name != url_name for item in _MENU):
        _MENU.append(MenuItem(label, url_name, allowed))


def register_home_panel(panel: Callable[[HttpRequest], str | None]):
    """Decorator: `panel(request)` returns the HTML of its part of the home page, or None."""
    if panel not in _HOME_PANELS:
        _HOME_PANELS.append(panel)
    return panel


def menu_items(request: HttpRequest) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    return [
        {"label": item.label, "url": reverse(item.url_name)} for item in _MENU if item.allowed(user)
    ]


# --- the county's notice of lookups by whole number ------------------------------------------------

NOTICES_SHOWN = 20


@register_home_panel
def identifier_lookup_notices_panel(request) -> str | None:
    """For a city or county bureau: users of its area refused a lookup of a whole ID or phone number
    past their limit, or told that a number they typed is registered outside their area."""
    notices = identifier_lookup_notices(actor=request.user)
    rows = list(notices[:NOTICES_SHOWN])
    if not rows:
        return None
    limit, window = identifier_lookup_limit()
    return render_to_string("core/_lookup_notices.html", {
        "notices": rows, "total": notices.count(), "limit": limit,
        "hours": round(window.total_seconds() / 3600),
    }, request=request)


# --- pages ---------------------------------------------------------------------------------------

@require_GET
def home(request):
    panels = [html for panel in _HOME_PANELS if (html := panel(request))]
    return render(request, "core/home.html", {
        "area_path": division_path(request.user.division_id),
        "panels": panels,
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
