"""How every registry page treats the user, missing records and the services: the decorators that
let a role in, 404 for what is outside the area, a service's refusal on the form, the page after a
change."""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from safetynet.core.services import ConflictError
from safetynet.core.text import control_characters_message, has_control_characters
from safetynet.registry import forms, rules

# --- how every view treats the user, missing records and the services ---------------------------

def reader_view(view):
    """Only roles that may read the registry get past; everyone else gets a 403 page saying so."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.may_read_registry(request.user):
            raise PermissionDenied(_("Your role has no access to the registry."))
        return view(request, *args, **kwargs)

    return wrapper


def writer_view(view):
    """Only roles that may change the registry get past (the services check the area again)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.may_write_registry(request.user):
            raise PermissionDenied(_("Your role cannot change registry records."))
        return view(request, *args, **kwargs)

    return reader_view(wrapper)


def found(select, **kwargs):
    """What the selector returns, or 404: a record outside the user's area is as good as absent."""
    try:
        return select(**kwargs)
    except ObjectDoesNotExist:
        raise Http404(_("This record does not exist or is outside your area.")) from None


@dataclass
class Outcome:
    ok: bool
    value: object = None


def call_service(call, *filled_in) -> Outcome:
    """Run a service. If it refuses the input, or someone saved the record meanwhile, put its
    message on the forms; PermissionDenied goes on up to the 403 page."""
    try:
        return Outcome(True, call())
    except ValidationError as error:
        forms.attach_errors(error, *filled_in)
    except ConflictError as error:
        filled_in[0].add_error(None, str(error))
    return Outcome(False)


def finished(request, url: str, message: str = ""):
    """After a successful change, go to `url` (a household page, often the one the form sits in)."""
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


def household_url(household_id: int, section: str = "") -> str:
    url = reverse("registry:household_detail", args=[household_id])
    return f"{url}#{section}" if section else url


def form_page(request, *, title: str, forms_: list, action: str, cancel_url: str, submit: str = "",
              intro: str = ""):
    """A form as a page, or as the fragment htmx swaps into the page it was opened from."""
    return render(request, "registry/_form.html" if request.htmx else "registry/form_page.html", {
        "title": title, "forms": forms_, "action": action, "cancel_url": cancel_url,
        "submit": submit or _("Save"), "intro": intro, "multipart": any(f.is_multipart() for f in forms_),
    })


def unreadable_query(request):
    """A 400 page when a value in the query string holds a control character (a NUL pasted into a
    search, or a probe): no search could mean anything by it, and PostgreSQL refuses NUL."""
    if any(has_control_characters(value) for values in request.GET.lists() for value in values[1]):
        return render(request, "400.html", {"message": control_characters_message()}, status=400)
    return None
