"""Every read of the registry on a user's behalf. Each one applies the user's area."""

from dataclasses import replace

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _

from safetynet.core import selectors as core_selectors
from safetynet.core.privacy import sees_whole_numbers
from safetynet.core.scope import by_area, in_area, scope_code, scope_q, subtree_q
from safetynet.core.selectors import change_timeline
from safetynet.core.services import identifier_lookup_finish, identifier_lookup_start, unmask_log_many
from safetynet.core.text import normalise
from safetynet.core.types import LookupOutcome, User
from safetynet.registry import rules
from safetynet.registry.identifiers import PERSON
from safetynet.registry.models import (
    AssetItem,
    Document,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
    Supporter,
)
from safetynet.registry.search import (
    Likely,
    Search,
    SortValue,
    Unindexed,
    explain,
    household_address_q,
    parse,
)

CITY_CODE_LENGTH = 4


def _check_reader(actor: User) -> None:
    if not rules.may_read_registry(actor):
        raise PermissionDenied(_("Your role has no access to the registry."))


def _check_people_reader(actor: User) -> None:
    """People are read by the registry's readers (in their area) and by the roles people are
    granted to (only those granted: core.scope)."""
    if not rules.may_read_people(actor):
        raise PermissionDenied(_("Your role has no access to the registry."))


# The people an actor sees: those living in its area, and those granted to it (one query).
def _people_scope(actor: User, field: str = "area__code") -> Q:
    return scope_q(actor, field, granted=(rules.PERSON_GRANT, "pk"))


class HouseholdListQuerySet(QuerySet):
    """A household list. A slice of it (a page) is read in two steps: the ids of the page, then
    those households with their head, village and member count.

    In one step the database would join the head and the village and count the members of every
    household in the area before sorting them to keep 25 (a county: a hundred thousand); sorting
    bare ids from the village index first takes a few milliseconds. The rows of a page carry what
    `_with_list_columns` adds, whatever else a caller added to the list.
    """

    # The search the list was filtered by (None: none), kept on every copy of the list, so that a
    # page of it can show which member matched (household_list_matches) without searching again.
    person_search: Search | None = None
    # Counted only up to this many (None: counted whole): see BROAD_SEARCH_PEOPLE.
    count_limit: int | None = None

    def _clone(self):
        clone = super()._clone()
        clone.person_search = self.person_search
        clone.count_limit = self.count_limit
        return clone

    def counted(self) -> tuple[int, bool]:
        """(how many households the list holds, whether there are more than that). A list from a
        broad city-wide search is counted up to `count_limit`; any other list whole."""
        if self.count_limit is None:
            return self.count(), False
        found = self.order_by()[: self.count_limit + 1].count()
        return min(found, self.count_limit), found > self.count_limit

    def _fetch_all(self):
        if self._result_cache is None and self.query.is_sliced and self._iterable_class is ModelIterable:
            ids = list(self.values_list("pk", flat=True))
            rows = {h.pk: h for h in _with_list_columns(Household.objects.filter(pk__in=ids))} if ids else {}
            self._result_cache = [rows[pk] for pk in ids if pk in rows]
        super()._fetch_all()


def _with_list_columns(households: QuerySet[Household]) -> QuerySet[Household]:
    """What a list shows of each household: its head, its village and `member_count`, all its
    current members (a correlated subquery: a COUNT of the list leaves it out)."""
    members = (
        Membership.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("household")
        .annotate(count=Count("*"))
        .values("count")
    )
    return households.select_related("head", "village").annotate(member_count=Coalesce(Subquery(members), 0))


# A city-wide search by a common name (王, zhang) finds a fifth of the city's households. Gathering
# all their ids first and counting them takes the better part of a second at a million households;
# walking the households from the newest and keeping those with a matching member finds a page at
# once, because one household in a few matches. For a rarer name the walk would read most of the
# city to fill a page, so it is taken only when more than BROAD_SEARCH_PEOPLE people match (one
# index range read to find out), and such a list is counted up to BROAD_SEARCH_COUNT households:
# nobody pages through a thousand households of one surname; they type more of the name.
BROAD_SEARCH_PEOPLE = 20_000
BROAD_SEARCH_COUNT = 1_000


def _is_broad(actor: User, search: Search) -> bool:
    if search.person is None or search.address or not _city_wide(actor):
        return False
    people = _people_matching(actor, search).order_by().values("pk")
    return people[: BROAD_SEARCH_PEOPLE + 1].count() > BROAD_SEARCH_PEOPLE


def _has_member_matching(actor: User, search: Search) -> Exists:
    """A household's current member matches the search: checked household by household."""
    person = _people_matching(actor, search).filter(pk=OuterRef("person_id"))
    return Exists(Membership.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
                  .filter(Exists(person)))


def _city_wide(actor: User) -> bool:
    """Is the actor's area the whole city, i.e. (nearly) every household?"""
    return len(scope_code(actor)) <= CITY_CODE_LENGTH


def _households_in_scope(actor: User) -> HouseholdListQuerySet:
    scope = scope_q(actor, "village__code")
    households = HouseholdListQuerySet(Household)
    if _city_wide(actor):  # see search.Likely
        return households.filter(*(Likely(Q(condition)) for condition in scope.children))
    return households.filter(scope)


def household_list(
    *,
    actor: User,
    division: str = "",
    query: str = "",
    status: str = "",
    heating: str = "",
    co_alarm: bool | None = None,
    urban_rural: str = "",
    channel: str = "page",
) -> QuerySet[Household]:
    """Households in the actor's area, newest first, filtered as asked.

    `query` is what `person_search` takes: households with a current member it finds, or (for an
    address) whose address contains it. Each household carries `member_count`, all its current
    members, not only those the query matched. A page of the list is two quick queries
    (HouseholdListQuerySet) and its count a plain COUNT of households.
    """
    _check_reader(actor)
    qs = _households_in_scope(actor)
    if division:
        qs = qs.filter(subtree_q("village__code", division))
    if status:
        qs = qs.filter(status=status)
    if heating:
        qs = qs.filter(heating=heating)
    if co_alarm is not None:
        qs = qs.filter(co_alarm=co_alarm)
    if urban_rural:
        qs = qs.filter(urban_rural=urban_rural)
    search = None
    broad = False
    if normalise(query):
        search = _search(actor, query, channel)
        broad = _is_broad(actor, search)
        if broad:
            qs = qs.filter(_has_member_matching(actor, search))
        else:
            qs = qs.filter(pk__in=_households_matching(actor, search))
    # Newest first. The whole city's list reads the table from the newest end; a smaller area's
    # sorts its own ids (search.SortValue), however old they are.
    newest_first = "-id" if _city_wide(actor) else SortValue("id").desc()
    households = _with_list_columns(qs).order_by(newest_first)
    households.person_search = search if search is not None and search.person is not None else None
    households.count_limit = BROAD_SEARCH_COUNT if broad else None
    return households


def household_list_matches(*, actor: User, households: QuerySet, shown) -> dict[int, list[Membership]]:
    """For the households `shown` (a page) of `households` (what household_list returned, filtered
    by a search for people): the current members each was found by, by household id. The list shows
    them beside the head."""
    search = getattr(households, "person_search", None)
    rows = list(shown)
    if search is None or not rows:
        return {}
    # The page's few members first, then which of them the search finds (by their ids): asking
    # "members among everyone the search finds" made a city-wide search for 王 read 200 000 people.
    members = list(Membership.objects.filter(household__in=[h.pk for h in rows], left_on__isnull=True)
                   .select_related("person").order_by("household_id", "relation", "person__name"))
    found = set(_people_matching(actor, search).filter(pk__in=[m.person_id for m in members])
                .values_list("pk", flat=True))
    matches: dict[int, list[Membership]] = {}
    for membership in members:
        if membership.person_id in found:
            matches.setdefault(membership.household_id, []).append(membership)
    return matches


def search_explanation(*, actor: User, query: str) -> str:
    """Why a query the actor typed finds nothing by design (one pinyin letter, a part of a number
    the actor sees masked …), or ""."""
    return explain(query, whole_numbers=sees_whole_numbers(actor)) if normalise(query) else ""


def _search(actor: User, query: str, channel: str) -> Search:
    """What `query` asks for, for this actor. A whole ID or phone number typed by a role that sees
    them masked is a lookup that may disclose the hidden digits of a person it sees: it is logged
    (IdentifierLookup, and an unmask log row for each person it finds), and refused past the
    user's limit (core.services.LookupRefused) before anything is searched."""
    search = parse(query, whole_numbers=sees_whole_numbers(actor))
    if not search.number_kind or sees_whole_numbers(actor):
        return search
    _check_people_reader(actor)
    lookup = identifier_lookup_start(actor=actor, kind=search.number_kind,
                                     shown=PERSON.mask(search.number_kind, search.number), channel=channel)
    found = list(_people_matching(actor, search).values_list("pk", flat=True)[:100])
    outcome = LookupOutcome.FOUND if found else LookupOutcome.NOT_FOUND
    identifier_lookup_finish(lookup=lookup, outcome=outcome, matches=len(found))
    unmask_log_many(actor=actor, shown=[("person", pk, search.number_kind) for pk in found], channel=channel)
    return replace(search, person=Q(pk__in=found))


def _households_at(actor: User, address: str) -> QuerySet[Household]:
    return Household.objects.filter(scope_q(actor, "village__code"), household_address_q(address))


def _people_matching(actor: User, search: Search) -> QuerySet[Person]:
    """People in the actor's area matching a search's person condition, found through the index
    of the searched key (the area checked beside it: registry.search.Unindexed)."""
    _check_people_reader(actor)
    people = Person.objects.alias(area_code=Unindexed("area"))
    return people.filter(_people_scope(actor, "area_code"), search.person)


def _households_matching(actor: User, search: Search) -> QuerySet:
    """Ids of the actor's households a search finds: one subquery (a UNION when a query is both a
    name and an address), so each part keeps its own index."""
    parts = []
    if search.person is not None:
        people = _people_matching(actor, search).values("pk")
        current = Membership.objects.filter(left_on__isnull=True, person__in=people)
        parts.append(current.values("household_id"))
    if search.address:
        parts.append(_households_at(actor, search.address).values("pk"))
    if not parts:
        return Household.objects.none().values("pk")
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])


def households_at_same_address(*, actor: User, household: Household, limit: int = 5) -> list[Household]:
    """Other households of the actor's area registered in the same village at the same address
    (a family registered twice, or a split worth checking), newest first."""
    _check_reader(actor)
    if not normalise(household.address):
        return []
    others = Household.objects.filter(scope_q(actor, "village__code"), village_id=household.village_id,
                                      address=household.address).exclude(pk=household.pk)
    return list(others.select_related("head").order_by("-id")[:limit])


def household_get(*, actor: User, pk: int) -> Household:
    """One household in the actor's area, or Household.DoesNotExist (shown as 404, never 403:
    the existence of a household elsewhere is itself not to be disclosed)."""
    _check_reader(actor)
    return Household.objects.select_related("head", "village", "grid_worker", "coordinator").get(
        scope_q(actor, "village__code"), pk=pk
    )


def household_heads(*, actor: User, ids) -> dict[int, tuple[str, str]]:
    """Of the households `ids`, those in the actor's area, with their head's name and the address:
    what a list made elsewhere (an eligibility run) shows of each."""
    _check_reader(actor)
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    rows = (Household.objects.filter(scope_q(actor, "village__code"), pk__in=ids)
            .values_list("pk", "head__name", "address"))
    return {pk: (name or "", address) for pk, name, address in rows}


def household_villages(*, actor: User, ids) -> dict[int, str]:
    """Of the households `ids`, those in the actor's area, with their village's code."""
    _check_reader(actor)
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return dict(Household.objects.filter(scope_q(actor, "village__code"), pk__in=ids)
                .values_list("pk", "village_id"))


def household_members(*, household: Household, include_past: bool = False) -> QuerySet[Membership]:
    # The person's divisions are not joined: pages and the API show their codes (hukou_division_id),
    # and each join costs the page as much as a small query.
    qs = household.memberships.select_related("person")
    if not include_past:
        qs = qs.filter(left_on__isnull=True)
    return qs.order_by("left_on", "relation", "person__birth_date")


def household_detail(*, actor: User, pk: int) -> dict:
    """All a household page shows, in a fixed handful of queries."""
    household = household_get(actor=actor, pk=pk)
    members = list(household_members(household=household, include_past=True))
    income = list(IncomeItem.objects.filter(household=household).order_by("-period_end"))
    assets = list(AssetItem.objects.filter(household=household).order_by("asset_type"))
    expenses = list(RigidExpense.objects.filter(household=household).order_by("-incurred_on"))
    supporters = list(Supporter.objects.filter(household=household))
    # The uploader is read only when there is a document (most households have none).
    documents = list(Document.objects.filter(household=household).prefetch_related("uploaded_by")
                     .order_by("-uploaded_at"))
    _with_people([*income, *assets, *expenses, *supporters, *documents],
                 {m.person_id: m.person for m in members})
    return {
        "household": household,
        "members": [m for m in members if m.left_on is None],
        "past_members": [m for m in members if m.left_on is not None],
        "income": income,
        "assets": assets,
        "expenses": expenses,
        "supporters": supporters,
        "documents": documents,
    }


def _with_people(items: list, known: dict[int, Person]) -> None:
    """Each item's `person`, from the household's members already read (an item of someone who
    never was a member is read with the others like it, in one query): joining the person to each
    list costs the page more than the lists themselves."""
    missing = {item.person_id for item in items if item.person_id is not None} - known.keys()
    people = known | (Person.objects.in_bulk(missing) if missing else {})
    for item in items:
        if item.person_id is not None:
            item.person = people.get(item.person_id)


def household_timeline(*, actor: User, household: Household):
    """The household's recorded changes, newest first. The household was read in the actor's area
    (household_get): its village, already at hand, is checked again rather than read again."""
    _check_reader(actor)
    if not in_area(actor, household.village_id):
        raise Household.DoesNotExist
    return change_timeline(subject_type="household", subject_id=household.pk)


def person_list(*, actor: User) -> QuerySet[Person]:
    """The people the actor sees: of its area, and those granted to it."""
    _check_people_reader(actor)
    return Person.objects.filter(_people_scope(actor))


def person_get(*, actor: User, pk: int) -> Person:
    return person_list(actor=actor).select_related("hukou_division", "residence_division").get(pk=pk)


def person_search(*, actor: User, query: str, channel: str = "page") -> QuerySet[Person]:
    """People in the actor's area by ID number (whole or its last digits), name, pinyin or its
    initials, phone number, or part of their household's address (registry.search.parse says how
    a query is read). Each kind is an index range combined with the area. A whole number from a
    role that sees numbers masked is a logged, limited lookup (_search)."""
    qs = person_list(actor=actor)
    search = _search(actor, query, channel)
    if search.empty:
        return qs.none()
    if not search.address:
        return _people_matching(actor, search)
    households = _households_at(actor, search.address)
    living_there = Membership.objects.filter(left_on__isnull=True, household__in=households)
    living_there = living_there.values("person_id")
    if search.person is None:
        return qs.filter(pk__in=living_there)
    return qs.filter(pk__in=_people_matching(actor, search).values("pk").union(living_there))


def person_detail(*, actor: User, pk: int) -> dict:
    """What a person's page shows: the person (in the actor's area, or granted to it), their current
    membership and household. The household's address is part of what a grant gives (a provider
    visits the person there); the household page itself, its other members and their records stay
    within the area rule: `household_in_scope` says whether the actor may open it."""
    person = person_get(actor=actor, pk=pk)
    membership = (Membership.objects.select_related("household__village")
                  .filter(person=person, left_on__isnull=True).first())
    household = membership.household if membership else None
    return {"person": person, "membership": membership, "household": household,
            "household_in_scope": household is not None and in_area(actor, household.village_id)}


def person_page(*, actor: User, query: str = "", channel: str = "page") -> QuerySet[Person]:
    """The people list: those the actor sees (by `person_search` when a query is given), newest
    first."""
    if normalise(query):
        people = person_search(actor=actor, query=query, channel=channel)
    else:
        people = person_list(actor=actor)
    # As household_list: a smaller area (or a provider's few people) sorts its own ids, however old.
    newest_first = "-id" if _city_wide(actor) and by_area(actor) else SortValue("id").desc()
    return people.select_related("area").order_by(newest_first)


def person_area(pk: int) -> str | None:
    """Where the person `pk` lives (a division code), None if there is no such person. Not on a
    user's behalf: core.grants asks it to check that a grant lies in the granter's area."""
    return Person.objects.filter(pk=pk).values_list("area_id", flat=True).first()


def person_name(pk: int) -> str:
    """The person's name, for a page that already decided the actor may see them (a grant's list)."""
    return Person.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


def person_current_membership(*, person: Person) -> Membership | None:
    return Membership.objects.select_related("household").filter(person=person, left_on__isnull=True).first()


def membership_get(*, actor: User, pk: int) -> Membership:
    _check_reader(actor)
    return Membership.objects.select_related("household", "person").get(
        scope_q(actor, "household__village__code"), pk=pk
    )


def _item_get(model, actor: User, pk: int):
    _check_reader(actor)
    return model.objects.select_related("household").get(scope_q(actor, "household__village__code"), pk=pk)


def income_item_get(*, actor: User, pk: int) -> IncomeItem:
    return _item_get(IncomeItem, actor, pk)


def asset_item_get(*, actor: User, pk: int) -> AssetItem:
    return _item_get(AssetItem, actor, pk)


def expense_get(*, actor: User, pk: int) -> RigidExpense:
    return _item_get(RigidExpense, actor, pk)


def supporter_get(*, actor: User, pk: int) -> Supporter:
    return _item_get(Supporter, actor, pk)


def document_get(*, actor: User, pk: int) -> Document:
    return _item_get(Document, actor, pk)


def income_list(*, actor: User, household: Household) -> QuerySet[IncomeItem]:
    household_get(actor=actor, pk=household.pk)
    return IncomeItem.objects.filter(household=household).select_related("person")


def asset_list(*, actor: User, household: Household) -> QuerySet[AssetItem]:
    household_get(actor=actor, pk=household.pk)
    return AssetItem.objects.filter(household=household).select_related("person")


def expense_list(*, actor: User, household: Household) -> QuerySet[RigidExpense]:
    household_get(actor=actor, pk=household.pk)
    return RigidExpense.objects.filter(household=household).select_related("person")


def supporter_list(*, actor: User, household: Household) -> QuerySet[Supporter]:
    household_get(actor=actor, pk=household.pk)
    return Supporter.objects.filter(household=household).select_related("person")


def document_list(*, actor: User, household: Household) -> QuerySet[Document]:
    household_get(actor=actor, pk=household.pk)
    return Document.objects.filter(household=household).select_related("person")


# --- for the pages -------------------------------------------------------------------------------


def registry_summary(*, actor: User) -> dict[str, int]:
    """How many households and people the actor's area holds (the home page's figures)."""
    _check_reader(actor)
    return {
        "households": Household.objects.filter(scope_q(actor, "village__code")).count(),
        "people": person_list(actor=actor).count(),
    }


def person_candidates(*, actor: User, query: str, housed: bool, limit: int = 20) -> list[Person]:
    """People in the actor's area matching `query`, for picking one: without a household now
    (`housed=False`, to become a member) or with one (`housed=True`, to be moved). Each carries
    `current_household_id`."""
    from django.db.models import OuterRef, Subquery

    current = Membership.objects.filter(person=OuterRef("pk"), left_on__isnull=True).values("household_id")
    qs = person_search(actor=actor, query=query).annotate(current_household_id=Subquery(current[:1]))
    qs = qs.filter(current_household_id__isnull=not housed)
    return list(qs.order_by("name", "id")[:limit])


def household_people(*, actor: User, household: Household) -> QuerySet[Person]:
    """Everyone who is or was a member of the household and is in the actor's area."""
    people = person_list(actor=actor).filter(memberships__household=household)
    return people.distinct().order_by("birth_date")


def responsible_staff(*, actor: User, role: str) -> QuerySet[User]:
    """Active users of `role` in the actor's area: who may be made responsible for a household."""
    return core_selectors.staff_list(actor=actor, role=role)


divisions_known = core_selectors.divisions_known


def people_named(*, actor: User, ids) -> dict[int, tuple[str, str]]:
    """Of the people `ids`, those the actor sees, with their name and the code of the area they live
    in (one query: a history names people and shows their numbers by where they live)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    rows = person_list(actor=actor).filter(pk__in=ids).values_list("pk", "name", "area_id")
    return {pk: (name, area) for pk, name, area in rows}


user_names = core_selectors.user_names


def households_heated_by_fire_with_co_alarm(campaign, county_code: str) -> int:
    """A campaign measure (core.campaigns): the county's active households heated by fire (coal,
    gas, wood) that have a CO alarm — what the winter campaigns count (the briefing's 117 homes
    with heating and CO alarms are institutions; these are the households'). One count query."""
    from safetynet.registry import codes

    return Household.objects.filter(
        subtree_q("village_id", county_code), status=codes.HouseholdStatus.ACTIVE,
        heating__in=[str(h) for h in codes.COMBUSTION_HEATING], co_alarm=True,
    ).count()
