"""Members of a household (adding, moving, changing, removing) and people (changing, showing their
whole numbers)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from safetynet.core.privacy import Disclosure, reveal
from safetynet.registry import forms, selectors, services
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

REVEALED_PERSON_FIELDS = ("id_number", "phone")


@require_POST
@reader_view
def person_reveal(request, pk: int):
    """The whole ID and phone numbers, for a role entitled to them; the view is logged."""
    person = found(selectors.person_get, actor=request.user, pk=pk)
    numbers = reveal(actor=request.user, record=person, channel="page", fields=REVEALED_PERSON_FIELDS)
    template = "registry/_identifiers.html" if request.htmx else "registry/person_reveal.html"
    membership = selectors.person_current_membership(person=person)
    return render(request, template, {
        "person": person, "shown": numbers, "household_id": membership and membership.household_id,
    })


# --- members --------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def member_add(request, pk: int):
    actor = request.user
    household = found(selectors.household_get, actor=actor, pk=pk)
    data = request.POST if request.method == "POST" else None
    member_form = forms.MemberAddForm(data, actor=actor)
    person_form = forms.PersonForm(data, actor=actor, prefix="person", defaults_from_household=True)
    forms_valid = False
    if data is not None:
        forms_valid = member_form.is_valid()
        if member_form.wants_new_person:
            forms_valid = person_form.is_valid() and forms_valid
    if forms_valid:
        new_person = member_form.wants_new_person
        household_data = {"village": household.village, "urban_rural": household.urban_rural,
                          "address": household.address}
        filled_in = (person_form, member_form) if new_person else (member_form,)
        outcome = call_service(lambda: services.member_register(
            actor=actor, household=household, **member_form.member_data(),
            person=None if new_person else member_form.cleaned_data["person"],
            person_data=person_form.service_data(household=household_data) if new_person else None,
        ), *filled_in)
        if outcome.ok:
            show_warnings(request, outcome.value[1])
            return finished(request, household_url(pk, "members"), _("The member is added."))
    return render(request, "registry/member_add.html", {
        "household": household, "member_form": member_form, "person_form": person_form,
        **picker_context(request, housed=False, pick_form=member_form),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def member_move(request, pk: int):
    """Bring a member of another household of the area into this one; both histories keep it."""
    actor = request.user
    household = found(selectors.household_get, actor=actor, pk=pk)
    form = forms.MemberMoveForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.member_move(
            actor=actor, person=form.cleaned_data["person"], to_household=household,
            relation=form.cleaned_data["relation"], on=form.cleaned_data["on"],
        ), form)
        if outcome.ok:
            return finished(request, household_url(pk, "members"),
                            _("The person has moved to this household."))
    return render(request, "registry/member_move.html", {
        "household": household, "form": form, **picker_context(request, housed=True, pick_form=form),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def member_edit(request, pk: int):
    membership = found(selectors.membership_get, actor=request.user, pk=pk)
    form = forms.MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.member_update(
            actor=request.user, membership=membership, version=form.seen_version, data=form.service_data(),
        ), form)
        if outcome.ok:
            return finished(request, household_url(membership.household_id, "members"),
                            _("The member is saved."))
    return form_page(
        request, title=_("Member: %(name)s") % {"name": membership.person.name}, forms_=[form],
        action=reverse("registry:member_edit", args=[pk]),
        cancel_url=household_url(membership.household_id, "members"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def member_remove(request, pk: int):
    membership = found(selectors.membership_get, actor=request.user, pk=pk)
    form = forms.MemberRemoveForm(request.POST or None, initial={"version": membership.version})
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.member_remove(
            actor=request.user, membership=membership, version=form.cleaned_data["version"],
            left_on=form.cleaned_data["left_on"], reason=form.cleaned_data["reason"],
        ), form)
        if outcome.ok:
            return finished(request, household_url(membership.household_id, "members"),
                            _("%(name)s has left the household; the history keeps the membership.")
                            % {"name": membership.person.name})
    return form_page(
        request, title=_("Remove %(name)s from the household") % {"name": membership.person.name},
        intro=_("The person stays registered and the household's history keeps their membership."),
        forms_=[form], action=reverse("registry:member_remove", args=[pk]), submit=_("Remove from household"),
        cancel_url=household_url(membership.household_id, "members"),
    )


# --- people ---------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def person_edit(request, pk: int):
    actor = request.user
    person = found(selectors.person_get, actor=actor, pk=pk)
    membership = selectors.person_current_membership(person=person)
    if membership:
        back = household_url(membership.household_id, "members")
    else:
        back = reverse("registry:household_list")
    form = forms.PersonForm(request.POST or None, instance=person, actor=actor)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.person_update(
            actor=actor, person=person, version=form.seen_version, data=form.service_data(),
        ), form)
        if outcome.ok:
            saved, warnings = outcome.value
            show_warnings(request, warnings)
            return finished(request, back, _("%(name)s is saved.") % {"name": saved.name})
    elif request.method == "GET" and form.identifiers_shown:
        # The form shows the whole numbers: that is an unmasked view like any other, and is logged.
        reveal(actor=actor, record=person, channel="page", fields=form.identifiers_shown)
    intro = ""
    if form.identifiers_hidden:
        shown = Disclosure(actor, channel="page").show(person)  # masked: nothing to log
        intro = _(
            "ID number %(id)s, age %(age)s. Your role sees ID numbers, phone numbers, disability "
            "certificate numbers and dates of birth masked, so it cannot change them: ask the township "
            "office or the county bureau."
        ) % {"id": shown["id_number"], "age": shown["age"]}
    return form_page(
        request, title=_("Person: %(name)s") % {"name": person.name}, forms_=[form], intro=intro,
        action=reverse("registry:person_edit", args=[pk]), cancel_url=back,
    )
