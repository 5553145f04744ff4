"""The household list and search, and the person picker that the create, add and move forms share."""

from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from safetynet.core.selectors import division_names
from safetynet.core.services import LookupRefused
from safetynet.core.text import control_characters_message, has_control_characters
from safetynet.registry import forms, rules, selectors
from safetynet.registry.views.common import reader_view, unreadable_query

PAGE_SIZE = 25


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

    def get_page(self, number):
        """The first page (a search's, mostly) is read before anything is counted: when it is not
        full, it holds every household, and the count is how many it holds — no COUNT query."""
        if number not in (None, "", "1", 1) or "count" in self.__dict__:
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:  # what the cached `count` would have found, as `counted` says
            limit = getattr(self.object_list, "count_limit", None)
            self.more = limit is not None and len(rows) > limit
            self.__dict__["count"] = limit if self.more else len(rows)
        page = super().get_page(1)
        page.object_list = rows
        return page


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
        refusal, households = str(refused), selectors.household_list(actor=actor).none()
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


def picker_context(request, *, housed: bool, pick_form) -> dict:
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
