"""The household page, registering a household and changing it. (The registry's menu entries and
home-page cards are registered in registry.hooks.)"""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.core.hooks import household_panels
from safetynet.core.privacy import Disclosure, may_unmask, refused, reveal
from safetynet.core.selectors import division_path
from safetynet.registry import forms, privacy, rules, selectors, services
from safetynet.registry.timeline import household_timeline
from safetynet.registry.views.common import (
    call_service,
    finished,
    form_page,
    found,
    household_url,
    reader_view,
    show_warnings,
    writer_view,
)
from safetynet.registry.views.lists import picker_context

# --- the household page ---------------------------------------------------------------------------

@require_GET
@reader_view
def household_detail(request, pk: int):
    actor = request.user
    detail = found(selectors.household_detail, actor=actor, pk=pk)
    household = detail["household"]
    disclosure = Disclosure(actor, channel="page")
    # A former member may live in another area now: of them the page shows only the name the
    # household's history recorded, nothing of their current record.
    members = privacy.members_shown(actor=actor, memberships=detail["members"])
    past_members = privacy.members_shown(actor=actor, memberships=detail["past_members"])
    for member in members:
        if member.in_area:
            member.shown = disclosure.show(member.membership.person)
    return render(request, "registry/household_detail.html", detail | {
        "members": members,
        "past_members": past_members,
        "village_path": division_path(household.village_id),
        "may_write": rules.may_write_registry(actor),
        "household_shown": disclosure.show(household),
        "panels": household_panels(request, household),
        **_history(actor, household, [*members, *past_members], whole=False),
    })

if TYPE_CHECKING:  # for annotations only
    from safetynet.registry.models import Household


def _history(actor, household, members: list[privacy.Member], *, whole: bool) -> dict:
    """The household's timeline (the newest entries, registry.timeline) as the actor may see it;
    `whole`: with the identifiers the actor may unmask shown whole, and logged."""
    disclosure = Disclosure(actor, channel="page", whole=whole)
    timeline = household_timeline(actor=actor, household=household, disclosure=disclosure, members=members)
    return {"timeline": timeline.entries, "timeline_cut": timeline.cut,
            "timeline_may_reveal": timeline.may_reveal, "household": household}


@require_POST
@reader_view
def household_reveal(request, pk: int):
    """The household's whole contact phone, for a role entitled to it; the view is logged."""
    household = found(selectors.household_get, actor=request.user, pk=pk)
    shown = reveal(actor=request.user, record=household, channel="page")
    template = "registry/_household_phone.html" if request.htmx else "registry/household_reveal.html"
    return render(request, template, {"household": household, "household_shown": shown})


@require_POST
@reader_view
def household_history_reveal(request, pk: int):
    """The household's history with the identifiers in it whole, for a role entitled to them:
    each person and household whose numbers it shows is logged."""
    actor = request.user
    detail = found(selectors.household_detail, actor=actor, pk=pk)
    household = detail["household"]
    if not may_unmask(actor, household.village_id):
        raise refused()
    members = privacy.members_shown(actor=actor, memberships=[*detail["members"], *detail["past_members"]])
    template = "registry/_timeline.html" if request.htmx else "registry/household_history.html"
    return render(request, template, _history(actor, household, members, whole=True))


# --- households -----------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def household_create(request):
    actor = request.user
    data = request.POST if request.method == "POST" else None
    household_form = forms.HouseholdForm(data, actor=actor)
    head_form = forms.HeadForm(data, actor=actor)
    person_form = forms.PersonForm(data, actor=actor, prefix="person", defaults_from_household=True)
    forms_valid = None
    if data is not None:
        forms_valid = all([household_form.is_valid(), head_form.is_valid()])
        if head_form.wants_new_person:
            forms_valid = person_form.is_valid() and forms_valid
    if forms_valid:
        household_data, new_head = household_form.service_data(), head_form.wants_new_person
        # A new head's values are on the person form: its errors go there first.
        filled_in = (person_form, household_form, head_form) if new_head else (household_form, head_form)
        outcome = call_service(lambda: services.household_register(
            actor=actor, data=household_data, head_relation=head_form.cleaned_data["relation"],
            head=None if new_head else head_form.cleaned_data["person"],
            head_data=person_form.service_data(household=household_data) if new_head else None,
        ), *filled_in)
        if outcome.ok:
            household, warnings = outcome.value
            show_warnings(request, warnings)
            _point_out_same_address(request, household)
            return finished(request, household_url(household.pk), _("The household is registered."))
    return render(request, "registry/household_create.html", {
        "household_form": household_form, "head_form": head_form, "person_form": person_form,
        **picker_context(request, housed=False, pick_form=head_form),
    })


def _point_out_same_address(request, household: "Household") -> None:
    """A new household at an address where others are registered: the same family twice, perhaps."""
    others = selectors.households_at_same_address(actor=request.user, household=household)
    if not others:
        return
    links = format_html_join("、", '<a href="{}">{}</a>', (
        (household_url(other.pk),
         other.head.name if other.head else _("household no. %(number)s") % {"number": other.pk})
        for other in others
    ))
    messages.warning(request, format_html(
        _("Other households are registered at {address}: {households}. Check that the same family is "
          "not registered twice."), address=household.address, households=links,
    ))


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def household_edit(request, pk: int):
    household = found(selectors.household_get, actor=request.user, pk=pk)
    form = forms.HouseholdForm(request.POST or None, instance=household, actor=request.user)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.household_update(
            actor=request.user, household=household, version=form.seen_version, data=form.service_data(),
        ), form)
        if outcome.ok:
            return finished(request, household_url(pk), _("The household is saved."))
    elif request.method == "GET" and "phone" in form.fields:
        # The form shows the whole phone number: an unmasked view like any other, and logged.
        reveal(actor=request.user, record=household, channel="page")
    return form_page(request, title=_("Edit the household"), forms_=[form],
                     action=reverse("registry:household_edit", args=[pk]), cancel_url=household_url(pk))
