"""/api/v1 for the registry: households, people, members, income, assets, rigid expenses, documents.

Handlers only convert: ids and codes in, the selectors (which apply the caller's area) and the
services (which check, save and record history) in between, plain dicts out. An id outside the
caller's area is 404, exactly like one that does not exist.

Identifiers (`registry.identifiers`: ID number, phone, disability certificate number, the note on
the ID number; a household's phone) come masked, as the privacy policy shows them (core.privacy).
With `unmask=true` a caller whose role may see them whole (county bureau and above, township office
in its township) gets them whole and each person shown is logged; any other caller gets them
masked, with `unmasked: false`, not an error — so one client works for every role. A date of birth
holds eight digits of the ID number: a caller who may not unmask gets `birth_date: null` and the
`age`. A former member who now lives outside the caller's area comes with `in_area: false` and only
the name the household's history recorded.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db.models import Model
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from safetynet.core.api import ERRORS, Date, DivisionFilter, Flag, PageParams, Text, page_of
from safetynet.core.privacy import Disclosure
from safetynet.core.types import Role, User
from safetynet.registry import codes, privacy, selectors, services
from safetynet.registry.identifiers import PERSON
from safetynet.registry.schemas import (
    AssetIn,
    AssetOut,
    AssetUpdate,
    DocumentOut,
    ExpenseIn,
    ExpenseOut,
    ExpenseUpdate,
    HouseholdCreate,
    HouseholdOut,
    HouseholdUpdate,
    IncomeIn,
    IncomeOut,
    IncomeUpdate,
    MemberIn,
    MemberMove,
    MemberOut,
    MemberUpdate,
    PersonIn,
    PersonOut,
    PersonUpdate,
    SupporterIn,
    SupporterOut,
    SupporterUpdate,
    TimelinePage,
    choice,
)
from safetynet.registry.timeline import household_timeline

router = Router(tags=["registry"])

UNMASK_HELP = ("Whole ID, phone and disability certificate numbers, if your role may see them (each view is "
               "logged); otherwise they stay masked and `unmasked` is false.")
UNMASK = Query(False, description=UNMASK_HELP)  # the query parameter of single reads
# Fields that only a person has: a service error keyed by one of these, raised while registering
# a new head or member, is about the nested person and is reported as `<prefix>.<field>`.
_PERSON_ONLY_FIELDS = (set(services.PERSON_FIELDS) | {"id_note"}) - set(services.HOUSEHOLD_FIELDS)


def _actor(request: HttpRequest) -> User:
    return request.auth


# --- converting in ---------------------------------------------------------------------------------

def _divisions(data: dict, fields: tuple[str, ...], prefix: str = "") -> dict:
    """Division codes → divisions. Any code may be named (a hukou can be anywhere); what the caller
    may do there is for the services to decide."""
    errors = {}
    for field in fields:
        if field in data:
            division = selectors.divisions_known().filter(code=data[field]).first()
            if division is None:
                errors[prefix + field] = _("There is no division with code %(code)s.") % {"code": data[field]}
            data[field] = division
    if errors:
        raise ValidationError(errors)
    return data


def _household_data(actor: User, data: dict) -> dict:
    """Codes and ids of a household's values → the rows; the staff named must be in the area."""
    _divisions(data, ("village",))
    for field, role in (("grid_worker", Role.GRID_WORKER), ("coordinator", Role.VILLAGE_COORDINATOR)):
        if data.get(field) is not None:
            staff = selectors.responsible_staff(actor=actor, role=role).filter(pk=data[field]).first()
            if staff is None:
                raise ValidationError({field: _("There is no %(role)s with id %(id)s in your area.")
                                       % {"role": role.label, "id": data[field]}})
            data[field] = staff
    return data


def _person_ref(actor: User, pk: int | None, field: str = "person"):
    """A person named in a request body. Not in the caller's area reads exactly like not existing."""
    if pk is None:
        return None
    try:
        return selectors.person_get(actor=actor, pk=pk)
    except ObjectDoesNotExist:
        message = _("There is no person with id %(id)s in your area.") % {"id": pk}
        raise ValidationError({field: message}) from None


def _household_ref(actor: User, pk: int):
    return selectors.household_get(actor=actor, pk=pk)


def _nested_person_errors(error: ValidationError, prefix: str) -> ValidationError:
    """Key the errors about a person registered inside another request as `prefix.field`."""
    if not hasattr(error, "error_dict") or not set(error.error_dict) & _PERSON_ONLY_FIELDS:
        return error
    return ValidationError({prefix if name == NON_FIELD_ERRORS else f"{prefix}.{name}": errors
                            for name, errors in error.error_dict.items()})


def _person_data(payload: dict, prefix: str = "") -> dict:
    return _divisions(dict(payload), ("hukou_division", "residence_division"), prefix)


# --- converting out --------------------------------------------------------------------------------

def _birth_date(values: dict):
    """A date of birth only for a caller who may see it (the schema says null otherwise)."""
    return values["birth_date"] if values["entitled"] else None


def _brief(person, shown: Disclosure) -> dict:
    values = shown.show(person)
    return {"id": person.pk, "name": person.name, "sex": person.sex, "birth_date": _birth_date(values),
            "age": values["age"], "id_number": values["id_number"], "unmasked": values["unmasked"]}


def _gone(member: privacy.Member) -> dict:
    """A former member now living outside the caller's area: only the name history recorded."""
    return {"id": member.membership.person_id, "name": member.name, "sex": None, "birth_date": None,
            "age": None, "id_number": "", "unmasked": False, "in_area": False}


def _person_out(person, shown: Disclosure, *, household: int | None = None, warnings=()) -> dict:
    values = shown.show(person)
    # Divisions go out as codes: reading the related rows would cost two queries per person.
    own = set(PersonOut.model_fields) - {"hukou_division", "residence_division", "household", "unmasked",
                                          "warnings", "age", "birth_date", *PERSON.fields}
    out = {name: getattr(person, name) for name in own}
    out |= {name: values[name] for name in (*PERSON.fields, "age", "unmasked")}
    out["birth_date"] = _birth_date(values)
    out |= {
        "hukou_division": person.hukou_division_id, "residence_division": person.residence_division_id,
        "household": household, "warnings": list(warnings),
    }
    return out


def _household_out(household, shown: Disclosure) -> dict:
    values = shown.show(household)
    member_count = getattr(household, "member_count", None)  # lists count in the same query
    if member_count is None:
        member_count = selectors.household_members(household=household).count()
    return {
        "id": household.pk, "village": household.village_id, "village_name": household.village.name,
        "address": household.address, "urban_rural": household.urban_rural, "phone": values["phone"],
        "housing_status": household.housing_status, "house_structure": household.house_structure,
        "floor_area": household.floor_area, "heating": household.heating, "co_alarm": household.co_alarm,
        "grid_worker": household.grid_worker_id, "coordinator": household.coordinator_id,
        "status": household.status, "head": _brief(household.head, shown) if household.head_id else None,
        "member_count": member_count, "version": household.version, "created_at": household.created_at,
        "updated_at": household.updated_at, "unmasked": values["unmasked"],
    }


def _members_out(memberships, shown: Disclosure) -> list[dict]:
    out = []
    for member in privacy.members_shown(actor=shown.actor, memberships=memberships):
        membership = member.membership
        out.append({
            "id": membership.pk, "household": membership.household_id,
            "person": _brief(membership.person, shown) if member.in_area else _gone(member),
            "relation": membership.relation, "co_living": membership.co_living,
            "exclusion": membership.exclusion, "joined_on": membership.joined_on,
            "left_on": membership.left_on, "leave_reason": membership.leave_reason,
            "version": membership.version,
        })
    return out


def _member_out(membership, shown: Disclosure) -> dict:
    return _members_out([membership], shown)[0]


def _item_out(item: Model, schema: type[Schema]) -> dict:
    out = {name: getattr(item, name) for name in schema.model_fields if name not in {"person", "household"}}
    return out | {"person": item.person_id, "household": item.household_id}


def _shown(request: HttpRequest, unmask: bool = False) -> Disclosure:
    return Disclosure(_actor(request), channel="api", whole=unmask)


# --- households ------------------------------------------------------------------------------------

class HouseholdFilters(PageParams):
    q: Text = Field("", max_length=50, description="A member's ID number (whole or its last 4+ "
                    "characters) or part of a name.")
    division: DivisionFilter = Field("", description="Only households under this division code.")
    status: choice(codes.HouseholdStatus, blank=True) = ""
    heating: choice(codes.Heating, blank=True) = ""
    co_alarm: Flag | None = None
    urban_rural: Literal["", "urban", "rural"] = ""
    unmask: Flag = Field(False, description=UNMASK_HELP)


class HouseholdPage(Schema):
    count: int
    more: bool = Field(False, description="More households match than `count`: a search by a common name "
                       "over the whole city is counted up to 1000; narrow it to count them all.")
    page: int
    page_size: int
    items: list[HouseholdOut]


@router.get("/households", response={200: HouseholdPage, **ERRORS}, summary="Households in your area")
def household_list(request, filters: Query[HouseholdFilters]):
    qs = selectors.household_list(
        actor=_actor(request), division=filters.division, query=filters.q, status=filters.status,
        heating=filters.heating, co_alarm=filters.co_alarm, urban_rural=filters.urban_rural, channel="api",
    )
    shown = _shown(request, filters.unmask)
    return page_of(qs, filters, lambda household: _household_out(household, shown))


@router.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS}, summary="One household")
def household_get(request, household_id: int, unmask: Flag = UNMASK):
    household = _household_ref(_actor(request), household_id)
    return _household_out(household, _shown(request, unmask))


@router.post("/households", response={201: HouseholdOut, **ERRORS}, summary="Register a household")
def household_create(request, payload: HouseholdCreate):
    """With its head: either a new person (`head`, registered in the same transaction) or a
    registered person in no household (`head_person`)."""
    actor = _actor(request)
    data = _household_data(actor, payload.model_dump(exclude={"head", "head_person", "head_relation"}))
    if (payload.head is None) == (payload.head_person is None):
        raise ValidationError({"head": _("Give either the new head's details (head) or the id of a "
                                         "registered person (head_person).")})
    head_data = _person_data(payload.head.model_dump(), prefix="head.") if payload.head is not None else None
    head = _person_ref(actor, payload.head_person, "head_person") if payload.head_person is not None else None
    try:
        household, _warnings = services.household_register(
            actor=actor, data=data, head=head, head_data=head_data, head_relation=payload.head_relation)
    except ValidationError as error:
        raise (_nested_person_errors(error, "head") if head_data is not None else error) from None
    return Status(201, _household_out(_household_ref(actor, household.pk), _shown(request)))


@router.patch("/households/{household_id}", response={200: HouseholdOut, **ERRORS},
              summary="Change a household")
def household_update(request, household_id: int, payload: HouseholdUpdate):
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    services.household_update(actor=actor, household=household, version=version,
                              data=_household_data(actor, data))
    return _household_out(_household_ref(actor, household_id), _shown(request))


@router.delete("/households/{household_id}", response={200: HouseholdOut, **ERRORS},
               summary="Cancel a household")
def household_cancel(request, household_id: int, version: int | None = None):
    """Sets the status to `cancelled`. Nothing in the registry is destroyed: members, items and the
    timeline stay."""
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    services.household_update(actor=actor, household=household, version=version,
                              data={"status": codes.HouseholdStatus.CANCELLED})
    return _household_out(_household_ref(actor, household_id), _shown(request))


class TimelineParams(PageParams):
    unmask: Flag = Field(False, description=UNMASK_HELP)


@router.get("/households/{household_id}/timeline", response={200: TimelinePage, **ERRORS},
            summary="A household's timeline")
def household_timeline_get(request, household_id: int, params: Query[TimelineParams]):
    """Newest first: every recorded change of the household, its members and their records, and the
    entries other apps add (e.g. who was given access to a member). Exactly what the household page
    shows, identifiers masked alike."""
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    timeline = household_timeline(actor=actor, household=household, disclosure=_shown(request, params.unmask),
                                  offset=(params.page - 1) * params.page_size, limit=params.page_size)
    return {"count": timeline.count, "page": params.page, "page_size": params.page_size,
            "items": [vars(entry) | {"changes": [vars(change) for change in entry.changes]}
                      for entry in timeline.entries]}


# --- people ----------------------------------------------------------------------------------------

class PersonFilters(PageParams):
    q: Text = Field("", max_length=50, description="An ID number (whole or its last 4+ characters) or "
                    "part of a name.")
    unmask: Flag = Field(False, description=UNMASK_HELP)


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonOut]


@router.get("/persons", response={200: PersonPage, **ERRORS}, summary="People in your area")
def person_list(request, filters: Query[PersonFilters]):
    people = selectors.person_page(actor=_actor(request), query=filters.q or "", channel="api")
    shown = _shown(request, filters.unmask)
    return page_of(people, filters, lambda person: _person_out(person, shown))


def _person_detail(actor: User, person_id: int, shown: Disclosure, warnings=()) -> dict:
    person = selectors.person_get(actor=actor, pk=person_id)
    membership = selectors.person_current_membership(person=person)
    household = membership.household_id if membership else None
    return _person_out(person, shown, household=household, warnings=warnings)


@router.get("/persons/{person_id}", response={200: PersonOut, **ERRORS}, summary="One person")
def person_get(request, person_id: int, unmask: Flag = UNMASK):
    return _person_detail(_actor(request), person_id, _shown(request, unmask))


@router.post("/persons", response={201: PersonOut, **ERRORS}, summary="Register a person")
def person_create(request, payload: PersonIn):
    """The ID number is checked (check digit, birth date, sex, address code); `warnings` lists what
    is worth checking but not wrong."""
    actor = _actor(request)
    person, warnings = services.person_create(actor=actor, data=_person_data(payload.model_dump()))
    return Status(201, _person_detail(actor, person.pk, _shown(request), warnings))


@router.patch("/persons/{person_id}", response={200: PersonOut, **ERRORS}, summary="Change a person")
def person_update(request, person_id: int, payload: PersonUpdate):
    actor = _actor(request)
    person = selectors.person_get(actor=actor, pk=person_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    _person, warnings = services.person_update(actor=actor, person=person, version=version,
                                               data=_person_data(data))
    return _person_detail(actor, person_id, _shown(request), warnings)


# --- members ---------------------------------------------------------------------------------------

@router.get("/households/{household_id}/members", response={200: list[MemberOut], **ERRORS},
            summary="Members of a household")
def member_list(request, household_id: int, include_past: Flag = False,
                unmask: Flag = UNMASK):
    household = _household_ref(_actor(request), household_id)
    shown = _shown(request, unmask)
    members = selectors.household_members(household=household, include_past=include_past)
    return _members_out(members, shown)


@router.post("/households/{household_id}/members", response={201: MemberOut, **ERRORS},
             summary="Add a member")
def member_add(request, household_id: int, payload: MemberIn):
    """A registered person in no household (`person`), or a new person registered with it (`new_person`).
    To take someone from another household, use `members/move`."""
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    fields = {"relation": payload.relation, "co_living": payload.co_living, "exclusion": payload.exclusion,
              "joined_on": payload.joined_on}
    if (payload.person is None) == (payload.new_person is None):
        raise ValidationError({"person": _("Give either the id of a registered person (person) or the new "
                                           "person's details (new_person).")})
    person_data = (_person_data(payload.new_person.model_dump(), prefix="new_person.")
                   if payload.new_person is not None else None)
    person = _person_ref(actor, payload.person) if payload.person is not None else None
    try:
        membership, _warnings = services.member_register(
            actor=actor, household=household, person=person, person_data=person_data, **fields)
    except ValidationError as error:
        raise (_nested_person_errors(error, "new_person") if person_data is not None else error) from None
    return Status(201, _member_out(selectors.membership_get(actor=actor, pk=membership.pk), _shown(request)))


@router.post("/households/{household_id}/members/move", response={201: MemberOut, **ERRORS},
             summary="Move a person here from their household")
def member_move(request, household_id: int, payload: MemberMove):
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    person = _person_ref(actor, payload.person)
    membership = services.member_move(actor=actor, person=person, to_household=household,
                                       relation=payload.relation, on=payload.on)
    return Status(201, _member_out(selectors.membership_get(actor=actor, pk=membership.pk), _shown(request)))


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS}, summary="One membership")
def member_get(request, member_id: int, unmask: Flag = UNMASK):
    membership = selectors.membership_get(actor=_actor(request), pk=member_id)
    return _member_out(membership, _shown(request, unmask))


@router.patch("/members/{member_id}", response={200: MemberOut, **ERRORS}, summary="Change a membership")
def member_update(request, member_id: int, payload: MemberUpdate):
    actor = _actor(request)
    membership = selectors.membership_get(actor=actor, pk=member_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    services.member_update(actor=actor, membership=membership, version=version, data=data)
    return _member_out(selectors.membership_get(actor=actor, pk=member_id), _shown(request))


@router.delete("/members/{member_id}", response={200: MemberOut, **ERRORS}, summary="Remove a member")
def member_remove(request, member_id: int, version: int | None = None, left_on: Date | None = None,
                  reason: choice(codes.LeaveReason) = codes.LeaveReason.OTHER.value):
    """Ends the membership on `left_on` (today by default). History keeps it; the person stays registered."""
    actor = _actor(request)
    membership = selectors.membership_get(actor=actor, pk=member_id)
    services.member_remove(actor=actor, membership=membership, version=version, left_on=left_on,
                           reason=reason)
    return _member_out(selectors.membership_get(actor=actor, pk=member_id), _shown(request))


# --- income, assets, rigid expenses ----------------------------------------------------------------
# Three kinds of item, one shape of endpoint: list and add under the household, read, change and
# delete by the item's own id.

def _item_data(actor: User, data: dict) -> dict:
    if "person" in data:
        data["person"] = _person_ref(actor, data["person"])
    return data


@dataclass(frozen=True)
class _Kind:
    """One kind of household item: its selectors, its services and what the API returns of it."""

    list_: Callable
    get: Callable
    create: Callable
    update: Callable
    delete: Callable
    out: type[Schema]


INCOME = _Kind(selectors.income_list, selectors.income_item_get, services.income_item_create,
               services.income_item_update, services.income_item_delete, IncomeOut)
ASSET = _Kind(selectors.asset_list, selectors.asset_item_get, services.asset_item_create,
              services.asset_item_update, services.asset_item_delete, AssetOut)
EXPENSE = _Kind(selectors.expense_list, selectors.expense_get, services.expense_create,
                services.expense_update, services.expense_delete, ExpenseOut)
SUPPORTER = _Kind(selectors.supporter_list, selectors.supporter_get, services.supporter_create,
                  services.supporter_update, services.supporter_delete, SupporterOut)


def _items(request, household_id: int, kind: _Kind) -> list[dict]:
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    return [_item_out(item, kind.out) for item in kind.list_(actor=actor, household=household).order_by("id")]


def _item_get(request, pk: int, kind: _Kind) -> dict:
    return _item_out(kind.get(actor=_actor(request), pk=pk), kind.out)


def _item_create(request, household_id: int, payload: Schema, kind: _Kind) -> Status:
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    item = kind.create(actor=actor, household=household, data=_item_data(actor, payload.model_dump()))
    return Status(201, _item_out(kind.get(actor=actor, pk=item.pk), kind.out))


def _item_update(request, pk: int, payload: Schema, kind: _Kind) -> dict:
    actor = _actor(request)
    item = kind.get(actor=actor, pk=pk)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    kind.update(actor=actor, item=item, version=version, data=_item_data(actor, data))
    return _item_out(kind.get(actor=actor, pk=pk), kind.out)


def _item_delete(request, pk: int, version: int | None, kind: _Kind) -> Status:
    actor = _actor(request)
    kind.delete(actor=actor, item=kind.get(actor=actor, pk=pk), version=version)
    return Status(204, None)


@router.get("/households/{household_id}/income", response={200: list[IncomeOut], **ERRORS},
            summary="Income items of a household")
def income_list(request, household_id: int):
    return _items(request, household_id, INCOME)


@router.post("/households/{household_id}/income", response={201: IncomeOut, **ERRORS},
             summary="Add an income item")
def income_create(request, household_id: int, payload: IncomeIn):
    return _item_create(request, household_id, payload, INCOME)


@router.get("/income/{income_id}", response={200: IncomeOut, **ERRORS}, summary="One income item")
def income_get(request, income_id: int):
    return _item_get(request, income_id, INCOME)


@router.patch("/income/{income_id}", response={200: IncomeOut, **ERRORS}, summary="Change an income item")
def income_update(request, income_id: int, payload: IncomeUpdate):
    return _item_update(request, income_id, payload, INCOME)


@router.delete("/income/{income_id}", response={204: None, **ERRORS}, summary="Delete an income item")
def income_delete(request, income_id: int, version: int | None = None):
    return _item_delete(request, income_id, version, INCOME)


@router.get("/households/{household_id}/assets", response={200: list[AssetOut], **ERRORS},
            summary="Assets of a household")
def asset_list(request, household_id: int):
    return _items(request, household_id, ASSET)


@router.post("/households/{household_id}/assets", response={201: AssetOut, **ERRORS}, summary="Add an asset")
def asset_create(request, household_id: int, payload: AssetIn):
    return _item_create(request, household_id, payload, ASSET)


@router.get("/assets/{asset_id}", response={200: AssetOut, **ERRORS}, summary="One asset")
def asset_get(request, asset_id: int):
    return _item_get(request, asset_id, ASSET)


@router.patch("/assets/{asset_id}", response={200: AssetOut, **ERRORS}, summary="Change an asset")
def asset_update(request, asset_id: int, payload: AssetUpdate):
    return _item_update(request, asset_id, payload, ASSET)


@router.delete("/assets/{asset_id}", response={204: None, **ERRORS}, summary="Delete an asset")
def asset_delete(request, asset_id: int, version: int | None = None):
    return _item_delete(request, asset_id, version, ASSET)


@router.get("/households/{household_id}/expenses", response={200: list[ExpenseOut], **ERRORS},
            summary="Rigid expenses of a household")
def expense_list(request, household_id: int):
    return _items(request, household_id, EXPENSE)


@router.post("/households/{household_id}/expenses", response={201: ExpenseOut, **ERRORS},
             summary="Add a rigid expense")
def expense_create(request, household_id: int, payload: ExpenseIn):
    return _item_create(request, household_id, payload, EXPENSE)


@router.get("/expenses/{expense_id}", response={200: ExpenseOut, **ERRORS}, summary="One rigid expense")
def expense_get(request, expense_id: int):
    return _item_get(request, expense_id, EXPENSE)


@router.patch("/expenses/{expense_id}", response={200: ExpenseOut, **ERRORS},
              summary="Change a rigid expense")
def expense_update(request, expense_id: int, payload: ExpenseUpdate):
    return _item_update(request, expense_id, payload, EXPENSE)


@router.delete("/expenses/{expense_id}", response={204: None, **ERRORS}, summary="Delete a rigid expense")
def expense_delete(request, expense_id: int, version: int | None = None):
    return _item_delete(request, expense_id, version, EXPENSE)


@router.get("/households/{household_id}/supporters", response={200: list[SupporterOut], **ERRORS},
            summary="Supporters of a household's members")
def supporter_list(request, household_id: int):
    return _items(request, household_id, SUPPORTER)


@router.post("/households/{household_id}/supporters", response={201: SupporterOut, **ERRORS},
             summary="Add a supporter of a member")
def supporter_create(request, household_id: int, payload: SupporterIn):
    return _item_create(request, household_id, payload, SUPPORTER)


@router.get("/supporters/{supporter_id}", response={200: SupporterOut, **ERRORS}, summary="One supporter")
def supporter_get(request, supporter_id: int):
    return _item_get(request, supporter_id, SUPPORTER)


@router.patch("/supporters/{supporter_id}", response={200: SupporterOut, **ERRORS},
              summary="Change a supporter")
def supporter_update(request, supporter_id: int, payload: SupporterUpdate):
    return _item_update(request, supporter_id, payload, SUPPORTER)


@router.delete("/supporters/{supporter_id}", response={204: None, **ERRORS}, summary="Delete a supporter")
def supporter_delete(request, supporter_id: int, version: int | None = None):
    return _item_delete(request, supporter_id, version, SUPPORTER)


# --- documents -------------------------------------------------------------------------------------

def _document_out(document) -> dict:
    return {
        "id": document.pk, "household": document.household_id, "person": document.person_id,
        "material_type": document.material_type, "original_name": document.original_name,
        "content_type": document.content_type, "size": document.size, "sha256": document.sha256,
        "uploaded_by": document.uploaded_by_id, "uploaded_at": document.uploaded_at,
        "download": reverse("api:document_download", kwargs={"document_id": document.pk}),
    }


@router.get("/households/{household_id}/documents", response={200: list[DocumentOut], **ERRORS},
            summary="Documents of a household")
def document_list(request, household_id: int):
    household = _household_ref(_actor(request), household_id)
    return [_document_out(d) for d in selectors.document_list(actor=_actor(request), household=household)
            .order_by("-uploaded_at", "-id")]


@router.post("/households/{household_id}/documents", response={201: DocumentOut, **ERRORS},
             summary="Upload a document")
def document_upload(request, household_id: int, file: File[UploadedFile],
                    material_type: Form[choice(codes.MaterialType)], person: Form[int | None] = None):
    """multipart/form-data. PDF, JPG, PNG, DOCX or XLSX, recognised by content, within the size limit."""
    actor = _actor(request)
    household = _household_ref(actor, household_id)
    document = services.document_upload(actor=actor, household=household, upload=file,
                                        material_type=material_type, person=_person_ref(actor, person))
    return Status(201, _document_out(selectors.document_get(actor=actor, pk=document.pk)))


@router.get("/documents/{document_id}", response={200: DocumentOut, **ERRORS}, summary="One document")
def document_get(request, document_id: int):
    return _document_out(selectors.document_get(actor=_actor(request), pk=document_id))


@router.get("/documents/{document_id}/file", response={200: None, **ERRORS}, summary="Download a document",
            url_name="document_download",
            openapi_extra={"responses": {"200": {"description": "The file", "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def document_download(request, document_id: int):
    document = selectors.document_get(actor=_actor(request), pk=document_id)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)


@router.delete("/documents/{document_id}", response={204: None, **ERRORS}, summary="Delete a document")
def document_delete(request, document_id: int):
    actor = _actor(request)
    services.document_delete(actor=actor, document=selectors.document_get(actor=actor, pk=document_id))
    return Status(204, None)
