"""How every registry page treats the user: the decorators that let a role in, and the registry's
own page shapes. The plumbing every app shares (404 for what is outside the area, a service's
refusal on the form, the page after a change) is core.pages."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from safetynet.core import pages
from safetynet.core.pages import Outcome, finished, found, show_warnings, unreadable_query
from safetynet.registry import forms, rules

__all__ = ["Outcome", "call_service", "finished", "form_page", "found", "household_url", "reader_view",
           "show_warnings", "unreadable_query", "writer_view"]

# Only roles that may read the registry get past; everyone else gets a 403 page saying so.
reader_view = pages.role_required(
    rules.may_read_registry, lambda: _("Your role has no access to the registry.")
)
_may_write = pages.role_required(
    rules.may_write_registry, lambda: _("Your role cannot change registry records.")
)


def writer_view(view):
    """Only roles that may change the registry get past (the services check the area again)."""
    return reader_view(_may_write(view))


def call_service(call, *filled_in) -> Outcome:
    """core.pages.call_service, with the registry's messages dressed for its pages (a link to the
    person who holds an ID number)."""
    return pages.call_service(call, *filled_in, attach=forms.attach_errors)


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
