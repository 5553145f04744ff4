"""The service worker and the page it shows when there is no network (see core/sw.js).

The worker is served from the site's root so that its scope covers every page; it is rendered
(the addresses it needs come from the URL configuration) and never cached by the browser's HTTP
cache, so that a new version reaches the phones on their next page.
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
@never_cache
def service_worker(request):
    return render(request, "core/sw.js", {
        "outbox_js": static("core/outbox.js"),
        "offline_url": reverse("offline"),
        "login_path": reverse("login"),
        "logout_path": reverse("logout"),
        "static_prefix": static(""),
    }, content_type="text/javascript; charset=utf-8")


@login_not_required
@require_GET
def offline(request):
    """What the phone shows when a page is not kept on it and there is no network, and after a form
    was kept to be sent later. Stored by the service worker when it starts, so it holds no one's
    data: only words and the outbox's state, which the page asks the worker for."""
    return render(request, "core/offline.html")
