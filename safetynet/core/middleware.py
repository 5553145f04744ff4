from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse


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
