"""Registering people and changing them: an ID number is registered once, and a role that sees
identifiers masked neither guesses them through the registration form nor overwrites them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from safetynet.core.ids import check_id_number
from safetynet.core.privacy import may_unmask, sees_whole_numbers
from safetynet.core.scope import in_scope, scope_q
from safetynet.core.selectors import division_path
from safetynet.core.services import (
    LookupRefused,
    change_record,
    identifier_lookup_finish,
    identifier_lookup_record,
    identifier_lookup_start,
    snapshot,
    unmask_log,
)
from safetynet.core.types import ChangeAction, IdentifierLookup, LookupOutcome, User
from safetynet.registry import rules
from safetynet.registry.identifiers import PERSON
from safetynet.registry.models import Membership, Person
from safetynet.registry.services.common import (
    PERSON_FIELDS,
    _apply,
    _bump,
    _full_clean,
    _history_subject,
    _household_of,
    _id_number_taken,
    _lock,
    _set_search_keys,
)

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
    characters (the mask of registry.identifiers)? One range of the reversed-number index."""
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
    masked_role = not sees_whole_numbers(actor)
    holder = Person.objects.filter(id_number=number).exclude(pk=holder_besides).first()
    lookup = None
    guess = False
    if masked_role:
        guess = holder is not None or _resembles_someone_seen(actor, number, besides=holder_besides)
        try:
            lookup = identifier_lookup_start(actor=actor, kind="id_number",
                                             shown=PERSON.mask("id_number", number), channel=channel,
                                             limited=guess)
        except LookupRefused as refusal:
            raise ValidationError({"id_number": str(refusal)}) from None
    if holder is None:
        if lookup is not None:
            outcome = LookupOutcome.RESEMBLES if guess else LookupOutcome.NOT_FOUND
            identifier_lookup_finish(lookup=lookup, outcome=outcome)
        return lookup
    if in_scope(actor, holder.area_id):
        if lookup is not None:  # the holder's whole number is now known to the user: a disclosure
            identifier_lookup_finish(lookup=lookup, outcome=LookupOutcome.FOUND, matches=1)
            unmask_log(actor=actor, subject=holder, fields="id_number", channel=channel)
        raise _registered_as(holder, number)
    if lookup is not None:
        identifier_lookup_finish(lookup=lookup, outcome=LookupOutcome.ELSEWHERE, matches=1)
    else:
        identifier_lookup_record(actor=actor, kind="id_number", shown=PERSON.mask("id_number", number),
                                 channel=channel, outcome=LookupOutcome.ELSEWHERE)
    raise _registered_elsewhere()


def _normalised_id_number(raw) -> str:
    """The ID number as it is stored, or "" if it cannot be one (the checks say why elsewhere)."""
    try:
        return check_id_number(raw or "").number
    except ValidationError:
        return ""


# Identifiers a role that sees them masked may not change either: it cannot see what it overwrites,
# and an error comparing a typed birth date with the hidden number would disclose the number. (The
# note on the ID number is the system's, written when an old 15-digit number is converted.)
IDENTIFIER_FIELDS = (*(name for name in PERSON.fields if name != "id_note"), *PERSON.revealing)


def _check_identifier_change(actor: User, person: Person, data: dict) -> None:
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
    if lookup is not None and lookup.outcome == LookupOutcome.NOT_FOUND:
        # Only a number unlike any the user sees: one that looked like a guess stays counted.
        identifier_lookup_finish(lookup=lookup, outcome=LookupOutcome.CREATED)
    change_record(
        actor=actor,
        subject=person,
        entity=person,
        action=ChangeAction.CREATE,
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
            action=ChangeAction.UPDATE,
            before=before,
            after=snapshot(current),
        )
    return current, warnings
