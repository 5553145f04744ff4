"""How every app's pages treat the user, missing records and the services: a decorator that lets
roles in, 404 for what is outside the area, a service's refusal on the form it came from, the page
after a change. Apps build their reader/writer decorators from `role_required` (registry.views)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from safetynet.core.services import ConflictError
from safetynet.core.text import control_characters_message, has_control_characters


def role_required(allowed: Callable[[object], bool], refusal: Callable[[], str]):
    """A view decorator: users for whom `allowed(user)` is false get the 403 page with `refusal()`
    (a function, so that the message is translated in the user's language at request time)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied(refusal())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def found(select, **kwargs):
    """What the selector returns, or 404: a record outside the user's area is as good as absent."""
    try:
        return select(**kwargs)
    except ObjectDoesNotExist:
        raise Http404(_("This record does not exist or is outside your area.")) from None


def attach_errors(error: ValidationError, *filled_in: forms.Form,
                  decorate: Callable[[ValidationError], ValidationError] = lambda e: e) -> None:
    """Show a service's ValidationError on the forms the user filled in: each message beside the
    field it is about (on the first form that has that field), the others above the first form.
    `decorate` may dress a message for the page (registry adds a link to a person named in it)."""
    first = filled_in[0]
    if not hasattr(error, "error_dict"):
        first.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        errors = [decorate(each) for each in errors]
        owner = next((form for form in filled_in if field in form.fields), None)
        if owner is None:
            first.add_error(None, errors)
        else:
            owner.add_error(field, errors)


@dataclass
class Outcome:
    ok: bool
    value: object = None


def call_service(call, *filled_in: forms.Form, attach=attach_errors) -> Outcome:
    """Run a service. If it refuses the input, or someone saved the record meanwhile, put its
    message on the forms; PermissionDenied goes on up to the 403 page."""
    try:
        return Outcome(True, call())
    except ValidationError as error:
        attach(error, *filled_in)
    except ConflictError as error:
        filled_in[0].add_error(None, str(error))
    return Outcome(False)


def finished(request, url: str, message: str = ""):
    """After a successful change, go to `url` (often the page the form sits in)."""
    if message:
        messages.success(request, message)
    if not request.htmx:
        return redirect(url)
    # Sent to the page it is on, a browser would only jump to the #section and show stale data.
    if urlsplit(request.htmx.current_url or "").path == urlsplit(url).path:
        return HttpResponseClientRefresh()
    return HttpResponseClientRedirect(url)


def show_warnings(request, warnings) -> None:
    for warning in warnings or []:
        messages.warning(request, warning)


def unreadable_query(request):
    """A 400 page when a value in the query string holds a control character (a NUL pasted into a
    search, or a probe): no search could mean anything by it, and PostgreSQL refuses NUL."""
    if any(has_control_characters(value) for values in request.GET.lists() for value in values[1]):
        return render(request, "400.html", {"message": control_characters_message()}, status=400)
    return None


def attachment(stored) -> HttpResponse:
    """A generated document (core.documents.document_generate) as a download, under its own name."""
    response = HttpResponse(stored.content, content_type=stored.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{stored.quoted_name}"
    return response
