"""What every registry service does the same way: the fields each may change, applying and checking
values, locking a row against the version the user saw, saving with history."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

from safetynet.core.services import ConflictError, change_record, snapshot
from safetynet.core.text import control_character_errors
from safetynet.core.types import ChangeAction, User
from safetynet.registry.models import Household, Membership, Person
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
SUPPORTER_FIELDS = ["person", "name", "relation", "birth_date", "income_year", "disability_category",
                    "disability_grade", "assistance", "incapacity"]


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
        action=ChangeAction.UPDATE,
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
