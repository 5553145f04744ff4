from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponseNotFound
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from safetynet.core import hooks


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login, except those marked @login_not_required and the API, which
    authenticates each request by its bearer token instead of a session."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class PasswordChangeRequiredMiddleware:
    """A user whose password someone else gave them (a new account, a reset by an administrator)
    chooses their own before any page opens: every page leads to the password page until then.
    Leaving, the language switch and the API (a bearer token, no password) stay open."""

    OPEN = ("/api/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.must_change_password
                and not request.path_info.startswith(self.OPEN)
                and request.path_info not in (reverse("password_change"), reverse("logout"))):
            return redirect("password_change")
        return self.get_response(request)


class PublicOnlyMiddleware:
    """A web server started with `safetynet serve --public-only` (SAFETYNET_PUBLIC_ONLY=1), the one
    that faces the internet, answers only the public entry points the apps register
    (`hooks.register_public_path`), static files (served by WhiteNoise above) and /healthz.
    Everything else — the login page, every staff page, the API — is "not found" there, before any
    session is read, so that a leaked password or session cookie is of no use from outside."""

    ALWAYS = ("/healthz",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PUBLIC_ONLY and not request.path_info.startswith(self.ALWAYS + hooks.public_paths()):
            return HttpResponseNotFound(_("There is no such page here."),
                                        content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response Django makes: pages, revealed numbers, exports,
    documents and the API all may carry personal data, which no browser or proxy cache may keep
    (a shared office computer's cache, the back button after logout). Static files are served by
    WhiteNoise above this middleware and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"  # HTTP/1.0 caches
        response.headers.pop("Expires", None)
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, for the login lockout: REMOTE_ADDR, or behind
    SAFETYNET_PROXY_COUNT reverse proxies the address the outermost trusted proxy saw."""
    count = settings.SAFETYNET_PROXY_COUNT
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
