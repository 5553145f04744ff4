"""The registry pages. Reads go through the selectors, writes through the services; a view only
turns a request into a call and the outcome into a page (or, for htmx, the part of it that changed)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import (
    BadRequest,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from safetynet.core.models import ChangeRecord, Division, User
from safetynet.core.selectors import division_names, division_path, field_changes
from safetynet.core.services import ConflictError, LookupRefused
from safetynet.core.text import control_characters_message, has_control_characters
from safetynet.core.views import register_home_panel, register_menu_item
from safetynet.registry import codes, forms, privacy, rules, selectors, services
from safetynet.registry.models import (
    AssetItem,
    Document,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
)

PAGE_SIZE = 25
TIMELINE_LIMIT = 200

register_menu_item(gettext_lazy("Households"), "registry:household_list", rules.may_read_registry)


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


# --- home page and menu -------------------------------------------------------------------------

@register_home_panel
def registry_home_panel(request) -> str | None:
    if not rules.may_read_registry(request.user):
        return None
    return render_to_string("registry/_home_panel.html", {
        "summary": selectors.registry_summary(actor=request.user),
        "may_write": rules.may_write_registry(request.user),
        "may_import": rules.may_import_registry(request.user),
    }, request=request)


# --- list and search ------------------------------------------------------------------------------

def unreadable_query(request):
    """A 400 page when a value in the query string holds a control character (a NUL pasted into a
    search, or a probe): no search could mean anything by it, and PostgreSQL refuses NUL."""
    if any(has_control_characters(value) for values in request.GET.lists() for value in values[1]):
        return render(request, "400.html", {"message": control_characters_message()}, status=400)
    return None


class ListPaginator(Paginator):
    """Pages of a household list, counted as the list says it may be (HouseholdListQuerySet.counted):
    `more` is true when more households match than `count`."""

    @cached_property
    def count(self) -> int:
        counted = getattr(self.object_list, "counted", None)
        if counted is None:
            self.more = False
            return super().count
        number, self.more = counted()
        return number


@require_GET
@reader_view
@vary_on_headers("HX-Request")
def household_list(request):
    if refused := unreadable_query(request):
        return refused
    actor = request.user
    filter_form = forms.HouseholdFilterForm(request.GET or None, actor=actor)
    filters = filter_form.filters()
    refusal = ""
    try:
        households = selectors.household_list(actor=actor, **filters)
    except LookupRefused as refused:
        # Past the user's limit of lookups by whole number: nothing is searched, the reason is shown.
        refusal, households = str(refused), Household.objects.none()
    page = ListPaginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    townships = {h.village.parent_id for h in page}
    counties = None
    if len(actor.division_id) <= selectors.CITY_CODE_LENGTH:  # a city user: which county, by township
        county_names = division_names({code[:6] for code in townships})
        counties = {code: county_names.get(code[:6], "") for code in townships}
    context = {
        "filter_form": filter_form, "page": page,
        "townships": division_names(townships), "counties": counties,
        "matches": selectors.household_list_matches(actor=actor, households=households, shown=page),
        "explanation": refusal or selectors.search_explanation(actor=actor, query=filters.get("query", "")),
        "search_hint": forms.search_hint(actor), "refused": bool(refusal),
        "may_write": rules.may_write_registry(actor),
        "may_import": rules.may_import_registry(actor),
    }
    partial = request.htmx and not request.htmx.boosted
    return render(request, "registry/_household_results.html" if partial else "registry/household_list.html",
                  context)


def _search_candidates(request, query: str, housed: bool) -> tuple[list | None, str]:
    """The picker's candidates for `query`, or the reason none may be looked up."""
    if not query:
        return None, ""
    try:
        candidates = selectors.person_candidates(actor=request.user, query=query, housed=housed)
    except LookupRefused as refused:
        return [], str(refused)
    if candidates:
        return candidates, ""
    return candidates, selectors.search_explanation(actor=request.user, query=query)


@require_GET
@reader_view
def person_candidates(request):
    """People matching a search, to pick one (htmx fragment inside a create or move form)."""
    if refused := unreadable_query(request):
        return refused
    housed = request.GET.get("housed") == "1"
    candidates, explanation = _search_candidates(request, request.GET.get("person_q", "").strip(), housed)
    return render(request, "registry/_person_candidates.html",
                  {"candidates": candidates, "housed": housed, "explanation": explanation})


def _candidates(request, *, housed: bool, pick_form) -> dict:
    """The picker's search results, from the page's query string; the person already chosen stays."""
    query = request.GET.get("person_q", "")
    if has_control_characters(query):
        raise BadRequest(control_characters_message())  # the 400 page (core's 400.html)
    candidates, explanation = _search_candidates(request, query.strip(), housed)
    chosen = pick_form.cleaned_data.get("person") if hasattr(pick_form, "cleaned_data") else None
    if chosen is not None and chosen not in (candidates or []):
        candidates = [chosen, *(candidates or [])]
    return {"person_q": query, "housed": housed, "candidates": candidates, "explanation": explanation,
            "chosen_pk": chosen.pk if chosen else None, "search_hint": forms.search_hint(request.user)}


# --- the household page ---------------------------------------------------------------------------

@require_GET
@reader_view
def household_detail(request, pk: int):
    actor = request.user
    detail = found(selectors.household_detail, actor=actor, pk=pk)
    household = detail["household"]
    disclosure = privacy.Disclosure(actor, channel="page")
    # A former member may live in another area now: of them the page shows only the name the
    # household's history recorded, nothing of their current record.
    members = privacy.members_shown(actor=actor, memberships=detail["members"])
    past_members = privacy.members_shown(actor=actor, memberships=detail["past_members"])
    for member in members:
        if member.in_area:
            member.shown = disclosure.person(member.membership.person)
    records = selectors.household_timeline(actor=actor, household=household)[:TIMELINE_LIMIT]
    timeline = describe_changes(
        list(records), actor=actor,
        member_names={m.membership.pk: m.name for m in [*members, *past_members]},
    )
    return render(request, "registry/household_detail.html", detail | {
        "members": members,
        "past_members": past_members,
        "village_path": division_path(household.village_id),
        "timeline": timeline,
        "timeline_cut": len(timeline) == TIMELINE_LIMIT,
        "may_write": rules.may_write_registry(actor),
        "household_shown": disclosure.household(household),
    })


# What the "Show in full" button beside a member shows (and logs): the ID and phone numbers.
REVEALED_PERSON_FIELDS = ("id_number", "phone")


@require_POST
@reader_view
def person_reveal(request, pk: int):
    """The whole ID and phone numbers, for a role entitled to them; the view is logged."""
    person = found(selectors.person_get, actor=request.user, pk=pk)
    numbers = privacy.person_reveal(actor=request.user, person=person, channel="page",
                                    fields=REVEALED_PERSON_FIELDS)
    template = "registry/_identifiers.html" if request.htmx else "registry/person_reveal.html"
    membership = selectors.person_current_membership(person=person)
    return render(request, template, {
        "person": person, "shown": numbers, "household_id": membership and membership.household_id,
    })


@require_POST
@reader_view
def household_reveal(request, pk: int):
    """The household's whole contact phone, for a role entitled to it; the view is logged."""
    household = found(selectors.household_get, actor=request.user, pk=pk)
    shown = privacy.household_reveal(actor=request.user, household=household, channel="page")
    template = "registry/_household_phone.html" if request.htmx else "registry/household_reveal.html"
    return render(request, template, {"household": household, "household_shown": shown})


@require_GET
@reader_view
def document_download(request, pk: int):
    document = found(selectors.document_get, actor=request.user, pk=pk)
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing from the server.")) from None
    response = FileResponse(stream, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


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
    outcome = forms_valid = None
    if data is not None:
        forms_valid = all([household_form.is_valid(), head_form.is_valid()])
        if head_form.wants_new_person:
            forms_valid = person_form.is_valid() and forms_valid
    if forms_valid:
        household_data, relation = household_form.service_data(), head_form.cleaned_data["relation"]
        if head_form.wants_new_person:
            outcome = call_service(lambda: services.household_create_with_new_head(
                actor=actor, data=household_data, head_relation=relation,
                head_data=person_form.service_data(household=household_data),
            ), person_form, household_form, head_form)
            household, warnings = outcome.value if outcome.ok else (None, [])
        else:
            outcome = call_service(lambda: services.household_create(
                actor=actor, data=household_data, head=head_form.cleaned_data["person"],
                head_relation=relation,
            ), household_form, head_form)
            household, warnings = outcome.value, []
        if outcome.ok:
            show_warnings(request, warnings)
            _point_out_same_address(request, household)
            return finished(request, household_url(household.pk), _("The household is registered."))
    return render(request, "registry/household_create.html", {
        "household_form": household_form, "head_form": head_form, "person_form": person_form,
        **_candidates(request, housed=False, pick_form=head_form),
    })


def _point_out_same_address(request, household: Household) -> None:
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
        privacy.household_reveal(actor=request.user, household=household, channel="page")
    return form_page(request, title=_("Edit the household"), forms_=[form],
                     action=reverse("registry:household_edit", args=[pk]), cancel_url=household_url(pk))


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
        member_data = member_form.member_data()
        if member_form.wants_new_person:
            household_data = {"village": household.village, "urban_rural": household.urban_rural,
                              "address": household.address}
            outcome = call_service(lambda: services.member_add_new_person(
                actor=actor, household=household, **member_data,
                person_data=person_form.service_data(household=household_data),
            ), person_form, member_form)
            warnings = outcome.value[1] if outcome.ok else []
        else:
            outcome = call_service(lambda: services.member_add(
                actor=actor, household=household, person=member_form.cleaned_data["person"], **member_data,
            ), member_form)
            warnings = []
        if outcome.ok:
            show_warnings(request, warnings)
            return finished(request, household_url(pk, "members"), _("The member is added."))
    return render(request, "registry/member_add.html", {
        "household": household, "member_form": member_form, "person_form": person_form,
        **_candidates(request, housed=False, pick_form=member_form),
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
        "household": household, "form": form, **_candidates(request, housed=True, pick_form=form),
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
        privacy.person_reveal(actor=actor, person=person, channel="page", fields=form.identifiers_shown)
    intro = ""
    if form.identifiers_hidden:
        shown = privacy.person_values(person, whole=False, birth_date=False)
        intro = _(
            "ID number %(id)s, age %(age)s. Your role sees ID numbers, phone numbers, disability "
            "certificate numbers and dates of birth masked, so it cannot change them: ask the township "
            "office or the county bureau."
        ) % {"id": shown["id_number"], "age": shown["age"]}
    return form_page(
        request, title=_("Person: %(name)s") % {"name": person.name}, forms_=[form], intro=intro,
        action=reverse("registry:person_edit", args=[pk]), cancel_url=back,
    )


# --- income, assets, expenses ---------------------------------------------------------------------

@dataclass(frozen=True)
class ItemKind:
    """One kind of household item: its form, selector, services and where it shows on the page."""

    form: type
    get: Callable
    create: Callable
    update: Callable
    delete: Callable
    section: str
    add_title: str
    edit_title: str


# The keys are also the URL names' prefixes: income_add, asset_edit, expense_delete …
ITEM_KINDS = {
    "income": ItemKind(
        forms.IncomeForm, selectors.income_item_get, services.income_item_create, services.income_item_update,
        services.income_item_delete, "income", gettext_lazy("Add an income item"),
        gettext_lazy("Edit the income item"),
    ),
    "asset": ItemKind(
        forms.AssetForm, selectors.asset_item_get, services.asset_item_create, services.asset_item_update,
        services.asset_item_delete, "assets", gettext_lazy("Add an asset"), gettext_lazy("Edit the asset"),
    ),
    "expense": ItemKind(
        forms.ExpenseForm, selectors.expense_get, services.expense_create, services.expense_update,
        services.expense_delete, "expenses", gettext_lazy("Add a rigid expense"),
        gettext_lazy("Edit the rigid expense"),
    ),
}


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def item_add(request, pk: int, kind: str):
    spec = ITEM_KINDS[kind]
    household = found(selectors.household_get, actor=request.user, pk=pk)
    form = spec.form(request.POST or None, actor=request.user, household=household)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: spec.create(
            actor=request.user, household=household, data=form.service_data(),
        ), form)
        if outcome.ok:
            return finished(request, household_url(pk, spec.section), _("Saved."))
    return form_page(request, title=str(spec.add_title), forms_=[form],
                     action=reverse(f"registry:{kind}_add", args=[pk]),
                     cancel_url=household_url(pk, spec.section))


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def item_edit(request, pk: int, kind: str):
    spec = ITEM_KINDS[kind]
    item = found(spec.get, actor=request.user, pk=pk)
    form = spec.form(request.POST or None, instance=item, actor=request.user, household=item.household)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: spec.update(
            actor=request.user, item=item, version=form.seen_version, data=form.service_data(),
        ), form)
        if outcome.ok:
            return finished(request, household_url(item.household_id, spec.section), _("Saved."))
    return form_page(request, title=str(spec.edit_title), forms_=[form],
                     action=reverse(f"registry:{kind}_edit", args=[pk]),
                     cancel_url=household_url(item.household_id, spec.section))


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def item_delete(request, pk: int, kind: str):
    spec = ITEM_KINDS[kind]
    item = found(spec.get, actor=request.user, pk=pk)
    form = forms.ConfirmForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: spec.delete(actor=request.user, item=item,
                                                 version=form.cleaned_data["version"]), form)
        if outcome.ok:
            return finished(request, household_url(item.household_id, spec.section), _("Deleted."))
    return form_page(
        request, title=_("Delete: %(item)s") % {"item": item_label(item)}, forms_=[form],
        intro=_("The household's history keeps what it was."), submit=_("Delete"),
        action=reverse(f"registry:{kind}_delete", args=[pk]),
        cancel_url=household_url(item.household_id, spec.section),
    )


def item_label(item) -> str:
    if isinstance(item, IncomeItem):
        return f"{item.get_category_display()} {item.amount}"
    if isinstance(item, AssetItem):
        return f"{item.get_asset_type_display()} {item.value}"
    if isinstance(item, RigidExpense):
        return f"{item.get_expense_type_display()} {item.amount}"
    return str(item)


# --- documents ------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def document_upload(request, pk: int):
    household = found(selectors.household_get, actor=request.user, pk=pk)
    form = forms.DocumentForm(request.POST or None, request.FILES or None, actor=request.user,
                              household=household)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.document_upload(
            actor=request.user, household=household, upload=form.cleaned_data["file"],
            material_type=form.cleaned_data["material_type"], person=form.cleaned_data["person"],
        ), form)
        if outcome.ok:
            return finished(request, household_url(pk, "documents"), _("The document is uploaded."))
    return form_page(request, title=_("Upload a document"), forms_=[form], submit=_("Upload"),
                     action=reverse("registry:document_upload", args=[pk]),
                     cancel_url=household_url(pk, "documents"))


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def document_delete(request, pk: int):
    document = found(selectors.document_get, actor=request.user, pk=pk)
    form = forms.ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.document_delete(actor=request.user, document=document), form)
        if outcome.ok:
            return finished(request, household_url(document.household_id, "documents"), _("Deleted."))
    return form_page(
        request, title=_("Delete: %(item)s") % {"item": document.original_name}, forms_=[form],
        intro=_("The household's history keeps a record that the document existed."), submit=_("Delete"),
        action=reverse("registry:document_delete", args=[pk]),
        cancel_url=household_url(document.household_id, "documents"),
    )


# --- the timeline ---------------------------------------------------------------------------------

_ENTITY_MODELS: dict[str, type[models.Model]] = {
    model._meta.model_name: model
    for model in (Household, Person, Membership, IncomeItem, AssetItem, RigidExpense, Document)
}
# Identifiers kept in history are masked by privacy.change_values before anything here sees them.
_HIDDEN = {"household_id", "area_id", "sha256", "person_name"}  # person_name: shown as the subject
_EXTRA_LABELS = {
    "person_name": gettext_lazy("member"),
    "head_name": gettext_lazy("head of household"),
    # A household created in bulk (import, demo city) records its members and items in one entry.
    "members": gettext_lazy("household members"),
    "member_count": gettext_lazy("number of members"),
    "income_count": gettext_lazy("number of income items"),
    "asset_count": gettext_lazy("number of assets"),
    "expense_count": gettext_lazy("number of rigid expenses"),
}
# What names an item in a one-line summary (an update records only what changed: then it is empty).
_ITEM_SUMMARY = {
    "incomeitem": ["category", "amount"], "assetitem": ["asset_type", "value"],
    "rigidexpense": ["expense_type", "amount"],
}


@dataclass
class Change:
    label: str
    before: str
    after: str
    value: str  # what a created or deleted record held


@dataclass
class TimelineEntry:
    at: object
    actor: str
    action: str
    action_code: str
    entity: str
    subject: str
    reason: str
    changes: list[Change]


def describe_changes(
    records: list[ChangeRecord], *, actor: User, member_names: dict[int, str],
) -> list[TimelineEntry]:
    """Each change in words: field names as labelled, codes as their labels, linked rows by name."""
    linked: dict[type, set] = {Division: set(), Person: set(), User: set()}
    for record in records:
        model = _ENTITY_MODELS.get(record.entity_type)
        for name, value in [*record.before.items(), *record.after.items()]:
            target = _related_model(model, name)
            if target in linked and value is not None:
                linked[target].add(value)
    linked[Person] |= {r.entity_id for r in records if r.entity_type == "person"}
    names = {
        Division: division_names(linked[Division]),
        Person: selectors.person_names(actor=actor, ids=linked[Person]),
        User: selectors.user_names(linked[User]),
    }
    areas = privacy.people_in_area(actor=actor, ids=linked[Person])
    renamed = _name_changes(names[Person])
    return [
        _entry(
            record, *privacy.change_values(record, actor=actor, person_areas=areas),
            names | {Person: _NamesAt(names[Person], renamed, record.at)}, member_names,
        )
        for record in records
    ]


def _name_changes(shown: dict[int, str]) -> dict[int, list[tuple]]:
    """The renamings of the people the timeline names (only those the actor may see), oldest
    first: (when, the name before)."""
    changes: dict[int, list[tuple]] = {}
    if not shown:
        return changes
    for person_id, at, before in field_changes(entity_type="person", entity_ids=shown, field="name"):
        changes.setdefault(person_id, []).append((at, before))
    return changes


class _NamesAt:
    """People's names as they were at one moment: an entry shows the name it was recorded under,
    not the name the person has today."""

    def __init__(self, today: dict[int, str], renamed: dict[int, list[tuple]], at):
        self.today, self.renamed, self.at = today, renamed, at

    def get(self, person_id, default=None):
        if person_id not in self.today:
            return default
        name = self.today[person_id]
        for when, before in reversed(self.renamed.get(person_id, [])):
            if when > self.at:
                name = before or name  # renamed after this entry: it was recorded under the old name
            else:
                break
        return name


def _related_model(model, name: str):
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a key not (or no longer) a field of the model
        return None
    return model_field.related_model if model_field.is_relation else None


def _entry(
    record: ChangeRecord, was: dict, now: dict, names: dict, member_names: dict[int, str]
) -> TimelineEntry:
    """One record; `was` and `now` are its before and after as the actor may see them."""
    model = _ENTITY_MODELS.get(record.entity_type)
    if record.action == ChangeRecord.Action.CREATE:
        keys = [k for k, v in now.items() if v not in ("", None, False)]
    elif record.action == ChangeRecord.Action.DELETE:
        keys = [k for k, v in was.items() if v not in ("", None, False)]
        keys += [k for k in now if k not in keys and k in {"left_on", "leave_reason"}]
    else:
        keys = list(now)
    if "person_name" in now:
        keys = [key for key in keys if key != "person_id"]
    changes = []
    for key in keys:
        if key in _HIDDEN:
            continue
        before = _value_label(model, key, was.get(key), names)
        after = _value_label(model, key, now.get(key), names)
        value = after if key in now else before
        changes.append(Change(_field_label(model, key), before, after, value))
    return TimelineEntry(
        at=record.at,
        actor=str(record.actor) if record.actor_id else _("the system"),
        action=record.get_action_display(),
        action_code=record.action,
        entity=str(model._meta.verbose_name) if model else record.entity_type,
        subject=_subject_label(record, names, member_names),
        reason=_reason_label(record),
        changes=changes,
    )


def _subject_label(record: ChangeRecord, names: dict, member_names: dict[int, str]) -> str:
    if record.entity_type == "membership":
        return record.after.get("person_name") or member_names.get(record.entity_id, "")
    if record.entity_type == "person":
        return names[Person].get(record.entity_id) or _("moved out of your area")
    if record.entity_type == "document":
        return record.after.get("original_name") or record.before.get("original_name") or ""
    if record.entity_type in _ITEM_SUMMARY:
        model = _ENTITY_MODELS[record.entity_type]
        values = record.after or record.before
        keys = [key for key in _ITEM_SUMMARY[record.entity_type] if key in values]
        return " ".join(_value_label(model, key, values[key], names) for key in keys)
    return ""


def _reason_label(record: ChangeRecord) -> str:
    if record.reason in codes.LeaveReason.values:
        return str(codes.LeaveReason(record.reason).label)
    return record.reason


def _field_label(model, key: str) -> str:
    if key in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[key])
    try:
        return str(model._meta.get_field(key).verbose_name)
    except (AttributeError, FieldDoesNotExist):  # not a field (any more): show the key as stored
        return key


def _value_label(model, key: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    target = _related_model(model, key)
    if target in names:
        return names[target].get(value, f"#{value}")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if model is not None:
        try:
            choices = dict(model._meta.get_field(key).flatchoices)
        except FieldDoesNotExist:
            choices = {}
        if value in choices:
            return str(choices[value])
    return str(value)
