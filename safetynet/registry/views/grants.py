"""People, as the roles they are granted to see them too: the people list and a person's page, and
the county's giving and revoking of a service provider's access to a person (core.grants)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safetynet.core import grants, pages
from safetynet.core.privacy import Disclosure
from safetynet.core.selectors import division_path
from safetynet.core.services import LookupRefused
from safetynet.registry import forms, rules, selectors
from safetynet.registry.views.common import call_service, finished, found, unreadable_query
from safetynet.registry.views.lists import PAGE_SIZE

# Registry readers (their area's people) and the roles people are granted to (those granted).
people_view = pages.role_required(rules.may_read_people,
                                  lambda: _("Your role has no access to the registry."))


def person_url(pk: int) -> str:
    return reverse("registry:person_detail", args=[pk])


@require_GET
@people_view
def person_list(request):
    if refused := unreadable_query(request):
        return refused
    actor = request.user
    query = request.GET.get("q", "").strip()[:50]
    refusal = ""
    try:
        people = selectors.person_page(actor=actor, query=query)
    except LookupRefused as refused:
        refusal, people = str(refused), selectors.person_list(actor=actor).none()
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    disclosure = Disclosure(actor, channel="page")
    rows = [(person, disclosure.show(person, fields=("id_number",))) for person in page]
    explanation = refusal or (selectors.search_explanation(actor=actor, query=query) if not rows else "")
    return render(request, "registry/person_list.html", {
        "page": page, "rows": rows, "query": query, "explanation": explanation,
        "search_hint": forms.search_hint(actor), "granted_only": not rules.may_read_registry(actor),
    })


@require_GET
@people_view
def person_detail(request, pk: int):
    actor = request.user
    detail = found(selectors.person_detail, actor=actor, pk=pk)
    return render(request, "registry/person_detail.html", detail | _grants_context(actor, pk) | {
        "shown": Disclosure(actor, channel="page").show(detail["person"], fields=("id_number", "phone")),
        "village_path": division_path(detail["household"].village_id) if detail["household"] else [],
    })


def _grants_context(actor, pk: int, form=None) -> dict:
    if not grants.may_grant(actor, rules.PERSON_GRANT):
        return {"may_grant": False}
    return {
        "may_grant": True,
        "grants": grants.grants_of_record(actor=actor, kind=rules.PERSON_GRANT, object_id=pk),
        "grant_form": form or forms.GrantForm(actor=actor, kind=rules.PERSON_GRANT),
    }


@require_POST
@people_view
def grant_add(request, pk: int):
    """A county bureau lets a service provider of its area see this person."""
    actor = request.user
    detail = found(selectors.person_detail, actor=actor, pk=pk)
    if not grants.may_grant(actor, rules.PERSON_GRANT):
        raise PermissionDenied(_("Your role cannot grant access to records."))
    form = forms.GrantForm(request.POST, actor=actor, kind=rules.PERSON_GRANT)
    if form.is_valid():
        outcome = call_service(lambda: grants.grant_create(
            actor=actor, user=form.cleaned_data["user"], kind=rules.PERSON_GRANT, object_id=pk,
            reason=form.cleaned_data["reason"]), form)
        if outcome.ok:
            return finished(request, person_url(pk), _("%(user)s may now see %(person)s.") % {
                "user": form.cleaned_data["user"], "person": detail["person"].name})
    return render(request, "registry/person_detail.html", detail | _grants_context(actor, pk, form) | {
        "shown": Disclosure(actor, channel="page").show(detail["person"], fields=("id_number", "phone")),
        "village_path": division_path(detail["household"].village_id) if detail["household"] else [],
    }, status=400)


@require_POST
@people_view
def grant_revoke(request, pk: int):
    """End a provider's access to a person (of the actor's area)."""
    actor = request.user
    grant = found(grants.grant_get, actor=actor, pk=pk)
    form = forms.GrantRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    outcome = call_service(lambda: grants.grant_revoke(actor=actor, grant=grant, reason=reason), form)
    url = person_url(grant.object_id)
    if outcome.ok:
        return finished(request, url, _("%(user)s may no longer see this person.") % {"user": grant.user})
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return finished(request, url)
