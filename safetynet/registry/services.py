"""Every write to the registry. Pages, API, imports and commands all come through here.

Each service checks the actor may write in the record's area, validates, saves inside one
transaction, and records what changed (who, when, before, after) on the household's timeline.
Updates take the version the user saw: if the row moved on since, ConflictError tells them.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.filecheck import check_document
from safetynet.core.ids import check_id_number
from safetynet.core.masking import mask_id_number
from safetynet.core.models import ChangeRecord, Division, IdentifierLookup, User
from safetynet.core.scope import UNMASKING_ROLES, in_scope, scope_q
from safetynet.core.selectors import division_path
from safetynet.core.services import (
    ConflictError,
    LookupRefused,
    change_record,
    identifier_lookup_finish,
    identifier_lookup_record,
    identifier_lookup_start,
    snapshot,
    unmask_log,
)
from safetynet.core.text import control_character_errors
from safetynet.registry import codes, rules
from safetynet.registry.models import (
    AssetItem,
    Document,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
)
from safetynet.registry.search import person_search_keys

PERSON_FIELDS = [
    "id_number",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "hukou_division",
    "residence_division",
    "address",
    "urban_rural",
    "phone",
    "marital",
    "education",
    "employment",
    "labour_capacity",
    "health",
    "disability_category",
    "disability_grade",
    "disability_cert_no",
    "serious_illness",
    "mental_illness",
    "self_care",
    "in_school",
    "status",
]
HOUSEHOLD_FIELDS = [
    "village",
    "address",
    "urban_rural",
    "phone",
    "housing_status",
    "house_structure",
    "floor_area",
    "heating",
    "co_alarm",
    "grid_worker",
    "coordinator",
    "status",
]
MEMBERSHIP_FIELDS = ["relation", "co_living", "exclusion"]
INCOME_FIELDS = [
    "person",
    "category",
    "description",
    "amount",
    "period_start",
    "period_end",
    "excluded",
    "exclusion_reason",
    "deduction_kind",
    "deduction_amount",
    "evidence",
]
ASSET_FIELDS = [
    "person",
    "asset_type",
    "description",
    "value",
    "area",
    "plate_number",
    "exempt",
    "exempt_reason",
]
EXPENSE_FIELDS = ["person", "expense_type", "amount", "incurred_on", "receipt_ref", "description"]


# --- shared mechanics ---------------------------------------------------------------------------


def _apply(instance: models.Model, data: dict, allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


def _full_clean(
    instance: models.Model, exclude: list[str] | None = None, *, validate_unique: bool = True
) -> None:
    # validate_unique and constraints run in the database too; doing them here gives the user a
    # sentence instead of an IntegrityError. Control characters in text: core.text says why.
    errors = control_character_errors(instance, exclude or ())
    try:
        instance.full_clean(exclude=[*(exclude or ()), *errors], validate_unique=validate_unique)
    except ValidationError as error:
        errors = {**error.update_error_dict({}), **errors}
    if errors:
        raise ValidationError(errors)


def _lock(model: type[models.Model], pk: int, version: int | None) -> models.Model:
    """Lock the row and check nobody saved it since the user read `version`."""
    current = model.objects.select_for_update().get(pk=pk)
    if version is not None and current.version != int(version):
        raise ConflictError()
    return current


def _bump(instance: models.Model) -> None:
    instance.version = F("version") + 1
    instance.save()
    instance.refresh_from_db(fields=["version"])


def _save_changes(*, actor: User, subject: models.Model, current: models.Model, before: dict) -> None:
    """Save an edited record with its version raised, and record what changed on `subject`."""
    _bump(current)
    change_record(
        actor=actor,
        subject=subject,
        entity=current,
        action=ChangeRecord.Action.UPDATE,
        before=before,
        after=snapshot(current),
    )


def _household_of(person: Person) -> Household | None:
    membership = (
        Membership.objects.select_related("household").filter(person=person, left_on__isnull=True).first()
    )
    return membership.household if membership else None


def _history_subject(person: Person) -> models.Model:
    return _household_of(person) or person


def _check_member_of(household: Household, person: Person | None) -> None:
    if person is not None and not Membership.objects.filter(household=household, person=person).exists():
        raise ValidationError({"person": _("This person is not a member of the household.")})


def _set_search_keys(person: Person) -> None:
    for name, value in person_search_keys(name=person.name, id_number=person.id_number).items():
        setattr(person, name, value)


def _id_number_taken() -> ValidationError:
    """Registered by someone else a moment ago (the database's unique index caught it)."""
    return ValidationError({"id_number": _("A person with this ID number is already registered.")})


# --- an ID number already registered ---------------------------------------------------------------
# Registering a person (or giving someone a new ID number) with a number somebody holds is refused,
# saying who holds it when the user may see that person, and only "registered elsewhere" otherwise.
# Each answer tells whether a number is registered: for a role that sees numbers masked, a typed
# number is a lookup like a search by it (logged and limited, core.services.identifier_lookup_start);
# a number held outside the user's area is logged for every role. The check runs only once every
# other value of the person is acceptable (else an answer would cost nothing), and before the
# transaction that saves, so that its record outlives the refusal.


def _place(area_code: str | None) -> str:
    """County, township and village of a division code: 兰山区兰山街道某村."""
    return "".join(division.name for division in division_path(area_code or "")[2:])


def _registered_as(holder: Person, number: str) -> ValidationError:
    household = _household_of(holder)
    params = {"number": number, "name": holder.name, "place": _place(holder.area_id),
              "person_id": holder.pk, "household_id": household.pk if household else None}
    return ValidationError(
        {"id_number": ValidationError(
            _("ID number %(number)s is already registered as %(name)s (%(place)s)."),
            code="id_number_registered", params=params,
        )}
    )


def _registered_elsewhere() -> ValidationError:
    return ValidationError({"id_number": ValidationError(
        _("This ID number is already registered outside your area, and a person is registered only "
          "once. Ask the county civil-affairs bureau to look into it."),
        code="id_number_elsewhere",
    )})


def _resembles_someone_seen(actor: User, number: str, *, besides: int | None) -> bool:
    """Does a person of the actor's area show `number` masked: the same first and last four
    characters (core.masking.mask_id_number)? One range of the reversed-number index."""
    return (Person.objects.filter(scope_q(actor, "area__code"), id_reversed__startswith=number[::-1][:4],
                                  id_number__startswith=number[:4])
            .exclude(pk=besides).exists())


def _check_id_number_free(
    *, actor: User, number: str, channel: str, holder_besides: int | None = None
) -> IdentifierLookup | None:
    """Refuse `number` if somebody (other than person `holder_besides`) holds it. For a role that
    sees numbers masked, returns the lookup it recorded (a new person registered with the number
    marks it CREATED, which does not count towards the limit).

    The registration form must not become the search that the limit closes: a role that sees
    numbers masked could type the few whole numbers that fit a person's masked number, age and sex,
    and learn from "already registered" which is theirs. So a number that is held, or that shows
    the visible digits of a person the user sees (`_resembles_someone_seen`), is a lookup counted
    and limited like a search by it, and past the limit refused in the same words whatever the
    answer would have been. Any other number is a new person: recorded, never refused."""
    masked_role = actor.role not in UNMASKING_ROLES
    holder = Person.objects.filter(id_number=number).exclude(pk=holder_besides).first()
    lookup = None
    guess = False
    if masked_role:
        guess = holder is not None or _resembles_someone_seen(actor, number, besides=holder_besides)
        try:
            lookup = identifier_lookup_start(actor=actor, kind="id_number", shown=mask_id_number(number),
                                             channel=channel, limited=guess)
        except LookupRefused as refusal:
            raise ValidationError({"id_number": str(refusal)}) from None
    if holder is None:
        if lookup is not None:
            outcome = IdentifierLookup.Outcome.RESEMBLES if guess else IdentifierLookup.Outcome.NOT_FOUND
            identifier_lookup_finish(lookup=lookup, outcome=outcome)
        return lookup
    if in_scope(actor, holder.area_id):
        if lookup is not None:  # the holder's whole number is now known to the user: a disclosure
            identifier_lookup_finish(lookup=lookup, outcome=IdentifierLookup.Outcome.FOUND, matches=1)
            unmask_log(actor=actor, subject=holder, fields="id_number", channel=channel)
        raise _registered_as(holder, number)
    if lookup is not None:
        identifier_lookup_finish(lookup=lookup, outcome=IdentifierLookup.Outcome.ELSEWHERE, matches=1)
    else:
        identifier_lookup_record(actor=actor, kind="id_number", shown=mask_id_number(number), channel=channel,
                                 outcome=IdentifierLookup.Outcome.ELSEWHERE)
    raise _registered_elsewhere()


def _normalised_id_number(raw) -> str:
    """The ID number as it is stored, or "" if it cannot be one (the checks say why elsewhere)."""
    try:
        return check_id_number(raw or "").number
    except ValidationError:
        return ""


# Identifiers a role that sees them masked may not change either: it cannot see what it overwrites,
# and an error comparing a typed birth date with the hidden number would disclose the number.
IDENTIFIER_FIELDS = ("id_number", "phone", "disability_cert_no", "birth_date")


def _check_identifier_change(actor: User, person: Person, data: dict) -> None:
    from safetynet.core.scope import may_unmask

    changed = [
        f
        for f in IDENTIFIER_FIELDS
        if f in data and data[f] != getattr(person, f) and (data[f] or getattr(person, f))
    ]
    if changed and not may_unmask(actor, person.area_id):
        raise PermissionDenied(_("Your role sees ID and phone numbers masked and cannot change them."))


# --- people -------------------------------------------------------------------------------------


def _person_checked(actor: User, data: dict) -> tuple[Person, list[str]]:
    """A new person from `data`, every value checked but the uniqueness of the ID number; unsaved."""
    values = dict(data)
    warnings = rules.check_person_fields(values)
    residence = values.get("residence_division")
    rules.check_may_write(actor, residence.code if residence else "")
    person = Person(area=residence)
    _apply(person, {k: v for k, v in values.items() if k != "id_note"}, PERSON_FIELDS)
    person.id_note = values.get("id_note", "")
    _set_search_keys(person)
    _full_clean(person, validate_unique=False)
    return person, warnings


def _person_save_new(*, actor: User, person: Person, lookup: IdentifierLookup | None) -> None:
    """Save a person from _person_checked, inside the caller's transaction."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise _id_number_taken() from None
    if lookup is not None and lookup.outcome == IdentifierLookup.Outcome.NOT_FOUND:
        # Only a number unlike any the user sees: one that looked like a guess stays counted.
        identifier_lookup_finish(lookup=lookup, outcome=IdentifierLookup.Outcome.CREATED)
    change_record(
        actor=actor,
        subject=person,
        entity=person,
        action=ChangeRecord.Action.CREATE,
        after=snapshot(person),
    )


def person_create(*, actor: User, data: dict, channel: str = "form") -> tuple[Person, list[str]]:
    """Register a person living in the actor's area. Returns the person and any warnings. An ID
    number already registered is refused, saying by whom only to a user who may see them."""
    person, warnings = _person_checked(actor, data)
    lookup = _check_id_number_free(actor=actor, number=person.id_number, channel=channel)
    with transaction.atomic():
        _person_save_new(actor=actor, person=person, lookup=lookup)
    return person, warnings


def person_update(
    *, actor: User, person: Person, version: int | None, data: dict
) -> tuple[Person, list[str]]:
    """Change a person. A new ID number brings its own birth date and sex unless those are sent too."""
    typed_number = _normalised_id_number(data.get("id_number")) if "id_number" in data else ""
    if typed_number and typed_number != person.id_number:
        rules.check_may_write(actor, person.area_id)
        _check_identifier_change(actor, person, {"id_number": typed_number})
        _check_id_number_free(actor=actor, number=typed_number, channel="form", holder_besides=person.pk)
    with transaction.atomic():
        current = _lock(Person, person.pk, version)
        rules.check_may_write(actor, current.area_id)
        _check_identifier_change(actor, current, data)
        before = snapshot(current)
        values = {name: getattr(current, name) for name in PERSON_FIELDS} | dict(data)
        new_number = "id_number" in data and data["id_number"] != current.id_number
        if new_number:
            # What the number says decides, unless the user typed a date or sex to compare with it.
            for derived in ("birth_date", "sex"):
                if derived not in data:
                    values.pop(derived)
        warnings = rules.check_person_fields(values)
        note = values.pop("id_note", None)
        _apply(current, {k: values[k] for k in PERSON_FIELDS}, PERSON_FIELDS)
        if new_number:
            current.id_note = note or ""
        _set_search_keys(current)
        if "residence_division" in data and current.residence_division_id != before["residence_division_id"]:
            rules.check_may_write(actor, current.residence_division_id)
        if not Membership.objects.filter(person=current, left_on__isnull=True).exists():
            current.area = current.residence_division
        # The ID number's uniqueness was checked above (with its own words); a race ends below.
        _full_clean(current, validate_unique=False)
        try:
            with transaction.atomic():
                _bump(current)
        except IntegrityError:
            raise _id_number_taken() from None
        change_record(
            actor=actor,
            subject=_history_subject(current),
            entity=current,
            action=ChangeRecord.Action.UPDATE,
            before=before,
            after=snapshot(current),
        )
    return current, warnings


# --- households ---------------------------------------------------------------------------------


def household_create(
    *,
    actor: User,
    data: dict,
    head: Person,
    head_relation: str = codes.Relation.HEAD,
    joined_on: datetime.date | None = None,
) -> Household:
    """A new household with `head` as its first member."""
    village = data.get("village")
    if not isinstance(village, Division):
        raise ValidationError({"village": _("Choose the village or community.")})
    rules.check_village(village)
    rules.check_may_write(actor, village.code)
    household = Household(head=head if head_relation in codes.HEAD_RELATIONS else None)
    _apply(household, data, HOUSEHOLD_FIELDS)
    with transaction.atomic():
        _full_clean(household, exclude=["head"])
        household.save()
        change_record(
            actor=actor,
            subject=household,
            entity=household,
            action=ChangeRecord.Action.CREATE,
            after=snapshot(household),
        )
        member_add(actor=actor, household=household, person=head, relation=head_relation, joined_on=joined_on)
    household.refresh_from_db()
    return household


def household_update(*, actor: User, household: Household, version: int | None, data: dict) -> Household:
    with transaction.atomic():
        current = _lock(Household, household.pk, version)
        rules.check_may_write(actor, current.village_id)
        before = snapshot(current)
        _apply(current, data, HOUSEHOLD_FIELDS)
        rules.check_village(current.village)
        rules.check_may_write(actor, current.village_id)
        _full_clean(current)
        _bump(current)
        if before["village_id"] != current.village_id:
            # The members move with their household, and so does who may see them.
            Person.objects.filter(memberships__household=current, memberships__left_on__isnull=True).update(
                area=current.village_id
            )
        change_record(
            actor=actor,
            subject=current,
            entity=current,
            action=ChangeRecord.Action.UPDATE,
            before=before,
            after=snapshot(current),
        )
    return current


# --- members ------------------------------------------------------------------------------------


def _lock_household(household: Household) -> Household:
    """Lock the household so two clerks changing its members queue rather than race."""
    return Household.objects.select_for_update().get(pk=household.pk)


def _set_head(*, actor: User, household: Household, person: Person | None) -> None:
    """Point the household at its head (or at none), and say so on its timeline."""
    if household.head_id == (person.pk if person else None):
        return
    before = {"head_id": household.head_id}
    Household.objects.filter(pk=household.pk).update(head=person, version=F("version") + 1)
    household.head_id = person.pk if person else None
    change_record(
        actor=actor,
        subject=household,
        entity=household,
        action=ChangeRecord.Action.UPDATE,
        before=before,
        after={"head_id": household.head_id} | ({"head_name": person.name} if person else {}),
    )


def _has_head(household: Household, *, besides: Membership | None = None) -> bool:
    heads = Membership.objects.filter(
        household=household, left_on__isnull=True, relation__in=codes.HEAD_RELATIONS
    )
    if besides is not None:
        heads = heads.exclude(pk=besides.pk)
    return heads.exists()


def _already_in_a_household(person: Person) -> ValidationError:
    return ValidationError(
        {"person": _("%(name)s already belongs to a household. Move them instead.") % {"name": person.name}}
    )


def member_add(
    *,
    actor: User,
    household: Household,
    person: Person,
    relation: str,
    co_living: bool = True,
    exclusion: str = "",
    joined_on: datetime.date | None = None,
    _moving: bool = False,
) -> Membership:
    """Add a person who is in no household now. To move someone, use member_move."""
    rules.check_may_write(actor, household.village_id)
    if not _moving:  # a move has checked the household the person comes from
        rules.check_may_write(actor, person.area_id)
    rules.check_relation(relation, person.sex)
    if exclusion:
        co_living = False
    with transaction.atomic():
        household = _lock_household(household)
        membership = Membership(
            household=household,
            person=person,
            relation=relation,
            co_living=co_living,
            exclusion=exclusion,
            joined_on=joined_on or timezone.localdate(),
        )
        if Membership.objects.filter(person=person, left_on__isnull=True).exists():
            raise _already_in_a_household(person)
        if relation in codes.HEAD_RELATIONS and _has_head(household):
            raise ValidationError({"relation": _("The household already has a head.")})
        _full_clean(membership)
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError:  # another clerk added the same person (or a head) a moment ago
            raise _already_in_a_household(person) from None
        Person.objects.filter(pk=person.pk).update(area=household.village_id)
        change_record(
            actor=actor,
            subject=household,
            entity=membership,
            action=ChangeRecord.Action.CREATE,
            after=snapshot(membership) | {"person_name": person.name},
        )
        if relation in codes.HEAD_RELATIONS:
            _set_head(actor=actor, household=household, person=person)
    return membership


def member_update(*, actor: User, membership: Membership, version: int | None, data: dict) -> Membership:
    with transaction.atomic():
        household = _lock_household(membership.household)
        current = _lock(Membership, membership.pk, version)
        if current.left_on:
            raise ValidationError(
                _("This person has left the household; their past membership cannot change.")
            )
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current)
        _apply(current, data, MEMBERSHIP_FIELDS)
        if current.exclusion:
            current.co_living = False
        rules.check_relation(current.relation, current.person.sex)
        is_head, was_head = (
            current.relation in codes.HEAD_RELATIONS,
            before["relation"] in codes.HEAD_RELATIONS,
        )
        if is_head and not was_head and _has_head(household, besides=current):
            raise ValidationError({"relation": _("The household already has a head.")})
        _full_clean(current)
        _save_changes(actor=actor, subject=household, current=current, before=before)
        if is_head != was_head:
            _set_head(actor=actor, household=household, person=current.person if is_head else None)
    return current


def member_remove(
    *,
    actor: User,
    membership: Membership,
    version: int | None = None,
    left_on: datetime.date | None = None,
    reason: str = codes.LeaveReason.OTHER,
) -> Membership:
    """End a membership. History keeps it; the person stays registered."""
    with transaction.atomic():
        household = _lock_household(membership.household)
        current = _lock(Membership, membership.pk, version)
        rules.check_may_write(actor, household.village_id)
        if current.left_on:
            raise ValidationError(_("This person has already left the household."))
        left_on = left_on or timezone.localdate()
        if left_on < current.joined_on:
            raise ValidationError({"left_on": _("A person cannot leave before they joined.")})
        before = snapshot(current)
        current.left_on, current.leave_reason = left_on, reason
        _full_clean(current)
        _bump(current)
        person = current.person
        Person.objects.filter(pk=person.pk).update(area=person.residence_division_id)
        change_record(
            actor=actor,
            subject=household,
            entity=current,
            action=ChangeRecord.Action.DELETE,
            before=before,
            after=snapshot(current) | {"person_name": person.name},
            reason=reason,
        )
        if household.head_id == person.pk:
            _set_head(actor=actor, household=household, person=None)
    return current


def member_move(
    *,
    actor: User,
    person: Person,
    to_household: Household,
    relation: str,
    on: datetime.date | None = None,
) -> Membership:
    """Move a person from their current household (if any) to another, keeping both histories.

    The actor must be able to write both households; where the person lives on paper does not
    matter for a move (a village coordinator may move someone between two of their households).
    """
    with transaction.atomic():
        current = Membership.objects.filter(person=person, left_on__isnull=True).first()
        if current is None:
            rules.check_may_write(actor, person.area_id)
        else:
            if current.household_id == to_household.pk:
                raise ValidationError({"household": _("The person already belongs to this household.")})
            member_remove(actor=actor, membership=current, left_on=on, reason=codes.LeaveReason.MOVED)
        person.refresh_from_db()
        return member_add(
            actor=actor, household=to_household, person=person, relation=relation, joined_on=on, _moving=True
        )


# --- income, assets, expenses -------------------------------------------------------------------


def _item_create(*, actor: User, household: Household, model, fields: list[str], data: dict):
    rules.check_may_write(actor, household.village_id)
    item = model(household=household)
    _apply(item, data, fields)
    _check_member_of(household, getattr(item, "person", None))
    with transaction.atomic():
        _full_clean(item)
        item.save()
        change_record(
            actor=actor,
            subject=household,
            entity=item,
            action=ChangeRecord.Action.CREATE,
            after=snapshot(item),
        )
    return item


def _item_update(*, actor: User, item, version: int | None, fields: list[str], data: dict):
    with transaction.atomic():
        current = _lock(type(item), item.pk, version)
        household = current.household
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current)
        _apply(current, data, fields)
        _check_member_of(household, getattr(current, "person", None))
        _full_clean(current)
        _save_changes(actor=actor, subject=household, current=current, before=before)
    return current


def _item_delete(*, actor: User, item, version: int | None = None, reason: str = "") -> None:
    with transaction.atomic():
        current = _lock(type(item), item.pk, version)
        household = current.household
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current)
        pk = current.pk
        current.delete()
        current.pk = pk
        change_record(
            actor=actor,
            subject=household,
            entity=current,
            action=ChangeRecord.Action.DELETE,
            before=before,
            reason=reason,
        )


def _check_income(item_data: dict) -> None:
    rules.check_period(item_data.get("period_start"), item_data.get("period_end"))
    if item_data.get("excluded") and not item_data.get("exclusion_reason"):
        raise ValidationError({"exclusion_reason": _("Say why this income is not counted.")})
    if item_data.get("exclusion_reason") and not item_data.get("excluded"):
        item_data["excluded"] = True
    if item_data.get("deduction_amount") and not item_data.get("deduction_kind"):
        raise ValidationError({"deduction_kind": _("Say what the deduction is for.")})


def income_item_create(*, actor: User, household: Household, data: dict) -> IncomeItem:
    data = dict(data)
    _check_income(data)
    return _item_create(actor=actor, household=household, model=IncomeItem, fields=INCOME_FIELDS, data=data)


def income_item_update(*, actor: User, item: IncomeItem, version: int | None, data: dict) -> IncomeItem:
    merged = {name: getattr(item, name) for name in INCOME_FIELDS} | dict(data)
    _check_income(merged)
    return _item_update(actor=actor, item=item, version=version, fields=INCOME_FIELDS, data=merged)


def income_item_delete(*, actor: User, item: IncomeItem, version: int | None = None) -> None:
    _item_delete(actor=actor, item=item, version=version)


def _check_asset(data: dict) -> None:
    if data.get("exempt") and not data.get("exempt_reason"):
        raise ValidationError({"exempt_reason": _("Say why this property is exempt.")})
    if data.get("exempt_reason") and not data.get("exempt"):
        data["exempt"] = True
    if data.get("plate_number") and data.get("asset_type") != codes.AssetType.VEHICLE:
        raise ValidationError({"plate_number": _("Only a vehicle has a plate number.")})


def asset_item_create(*, actor: User, household: Household, data: dict) -> AssetItem:
    data = dict(data)
    _check_asset(data)
    return _item_create(actor=actor, household=household, model=AssetItem, fields=ASSET_FIELDS, data=data)


def asset_item_update(*, actor: User, item: AssetItem, version: int | None, data: dict) -> AssetItem:
    merged = {name: getattr(item, name) for name in ASSET_FIELDS} | dict(data)
    _check_asset(merged)
    return _item_update(actor=actor, item=item, version=version, fields=ASSET_FIELDS, data=merged)


def asset_item_delete(*, actor: User, item: AssetItem, version: int | None = None) -> None:
    _item_delete(actor=actor, item=item, version=version)


def expense_create(*, actor: User, household: Household, data: dict) -> RigidExpense:
    rules.check_not_future(data.get("incurred_on"), "incurred_on")
    return _item_create(
        actor=actor, household=household, model=RigidExpense, fields=EXPENSE_FIELDS, data=data
    )


def expense_update(*, actor: User, item: RigidExpense, version: int | None, data: dict) -> RigidExpense:
    rules.check_not_future(data.get("incurred_on"), "incurred_on")
    return _item_update(actor=actor, item=item, version=version, fields=EXPENSE_FIELDS, data=data)


def expense_delete(*, actor: User, item: RigidExpense, version: int | None = None) -> None:
    _item_delete(actor=actor, item=item, version=version)


# --- documents ----------------------------------------------------------------------------------

def sniff_document(upload, filename: str) -> tuple[str, str]:
    """(extension, content type) of an accepted file, checked through and through (not only its first
    bytes), or ValidationError in plain words."""
    return check_document(upload, filename)


def document_upload(
    *,
    actor: User,
    household: Household,
    upload: UploadedFile,
    material_type: str,
    person: Person | None = None,
) -> Document:
    rules.check_may_write(actor, household.village_id)
    limit = settings.SAFETYNET_MAX_DOCUMENT_BYTES
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": limit // 1048576}
            }
        )
    if material_type not in codes.MaterialType.values:
        raise ValidationError({"material_type": _("Choose what kind of material this is.")})
    _check_member_of(household, person)
    extension, content_type = sniff_document(upload, upload.name or "")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        household=household,
        person=person,
        material_type=material_type,
        original_name=(upload.name or "file")[-200:],
        content_type=content_type,
        extension=extension,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    with transaction.atomic():
        document.file.save("upload", upload, save=False)
        # The file lands before the row: if the row fails, remove the file so nothing is orphaned.
        try:
            document.save()
            change_record(
                actor=actor,
                subject=household,
                entity=document,
                action=ChangeRecord.Action.CREATE,
                after=snapshot(document, ["material_type", "original_name", "size", "sha256", "person_id"]),
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def document_delete(*, actor: User, document: Document, reason: str = "") -> None:
    """Delete a document; its file goes once the deletion is committed. A second, concurrent
    deletion finds nothing left (Document.DoesNotExist) instead of recording the deletion twice."""
    with transaction.atomic():
        current = Document.objects.select_for_update().select_related("household").get(pk=document.pk)
        household = current.household
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current, ["material_type", "original_name", "size", "sha256", "person_id"])
        storage, name, pk = current.file.storage, current.file.name, current.pk
        current.delete()
        current.pk = pk
        change_record(
            actor=actor,
            subject=household,
            entity=current,
            action=ChangeRecord.Action.DELETE,
            before=before,
            reason=reason,
        )
        transaction.on_commit(lambda: storage.delete(name))


# --- several steps that stand or fall together ----------------------------------------------------


def household_create_with_new_head(
    *,
    actor: User,
    data: dict,
    head_data: dict,
    head_relation: str = codes.Relation.HEAD,
) -> tuple[Household, list[str]]:
    """Register a person and a new household headed by them: both are saved, or neither.
    Returns the household and the warnings about the person."""
    head, warnings = _person_checked(actor, head_data)
    lookup = _check_id_number_free(actor=actor, number=head.id_number, channel="form")
    with transaction.atomic():
        _person_save_new(actor=actor, person=head, lookup=lookup)
        household = household_create(actor=actor, data=data, head=head, head_relation=head_relation)
    return household, warnings


def member_add_new_person(
    *,
    actor: User,
    household: Household,
    person_data: dict,
    relation: str,
    co_living: bool = True,
    exclusion: str = "",
    joined_on: datetime.date | None = None,
) -> tuple[Membership, list[str]]:
    """Register a person and add them to the household: both are saved, or neither."""
    person, warnings = _person_checked(actor, person_data)
    lookup = _check_id_number_free(actor=actor, number=person.id_number, channel="form")
    with transaction.atomic():
        _person_save_new(actor=actor, person=person, lookup=lookup)
        membership = member_add(
            actor=actor,
            household=household,
            person=person,
            relation=relation,
            co_living=co_living,
            exclusion=exclusion,
            joined_on=joined_on,
        )
    return membership, warnings
