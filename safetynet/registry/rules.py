"""What makes registry data acceptable, and who may touch it. Used by services, forms and imports."""

import datetime
from collections.abc import Container

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safetynet.core.clock import today
from safetynet.core.ids import check_id_number
from safetynet.core.privacy import sees_whole_numbers
from safetynet.core.scope import in_scope
from safetynet.core.types import Division, DivisionLevel, Role, User
from safetynet.registry import codes

# The auditor reads everything in its area and changes nothing. The operator (the system, not the
# data), finance officers and caregivers (their own apps, and records granted to them) read none of it.
READ_ROLES = frozenset(
    {Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.VILLAGE_COORDINATOR, Role.GRID_WORKER,
     Role.AUDITOR}
)
WRITE_ROLES = frozenset(
    {Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.VILLAGE_COORDINATOR}
)
# A person may be granted (core.grants) to these roles: they see the persons granted to them, and
# nothing else of the registry (registry.hooks declares the kind).
PERSON_GRANT = "registry.person"
PERSON_GRANTEE_ROLES = frozenset({Role.SERVICE_PROVIDER, Role.CAREGIVER})


def may_read_registry(actor: User) -> bool:
    return actor.is_active and actor.role in READ_ROLES


def may_read_people(actor: User) -> bool:
    """May the actor read people: those of its area (a registry reader), or those granted to it?"""
    return may_read_registry(actor) or (actor.is_active and actor.role in PERSON_GRANTEE_ROLES)


def may_write_registry(actor: User) -> bool:
    return actor.is_active and actor.role in WRITE_ROLES


def may_import_registry(actor: User) -> bool:
    """Spreadsheet imports are for the writers that see ID numbers whole (township office and up).
    An import answers row by row whether a typed ID number is registered and to whom: for a role
    that sees the numbers masked it would confirm guessed numbers by the thousand, beyond the limit
    on lookups (issue 6, item 13). Coordinators register people one at a time, where each lookup by
    a whole number is logged and limited, or send their sheet to the township office."""
    return may_write_registry(actor) and sees_whole_numbers(actor)


def check_may_import(actor: User) -> None:
    from django.core.exceptions import PermissionDenied

    if not may_import_registry(actor):
        raise PermissionDenied(_("Spreadsheet imports are made by the township office or the county bureau: "
                                 "your role sees ID numbers masked. Register people one at a time, or send "
                                 "the spreadsheet to the township office."))


def check_may_write(actor: User, division_code: str) -> None:
    """Raise PermissionDenied unless the actor may change registry records at `division_code`."""
    from django.core.exceptions import PermissionDenied

    if not may_write_registry(actor):
        raise PermissionDenied(_("Your role cannot change registry records."))
    if not in_scope(actor, division_code):
        raise PermissionDenied(_("This record is outside your area."))


def check_person_fields(values: dict, *, known_codes: Container[str] | None = None) -> list[str]:
    """Check and complete a person's values in place; return warnings worth showing.

    The ID number is normalised; birth date and sex are derived from it when missing and must
    agree with it when given. `known_codes`: see core.ids.check_id_number.
    """
    errors: dict[str, list] = {}
    warnings: list[str] = []
    try:
        checked = check_id_number(
            values.get("id_number") or "",
            birth_date=values.get("birth_date"),
            sex=values.get("sex"),
            known_codes=known_codes,
        )
    except ValidationError as error:
        field = {"id_birth_mismatch": "birth_date", "id_sex_mismatch": "sex"}.get(error.code, "id_number")
        errors.setdefault(field, []).append(error)
    else:
        values["id_number"] = checked.number
        values["birth_date"] = checked.birth_date
        values["sex"] = checked.sex
        if checked.notes:
            values["id_note"] = " ".join(checked.notes)
        warnings += checked.warnings

    category, grade = values.get("disability_category"), values.get("disability_grade")
    if bool(category) != bool(grade):
        errors.setdefault("disability_grade", []).append(
            _("Give both the disability category and the grade, or neither.")
        )
    cert = values.get("disability_cert_no") or ""
    if cert:
        if not category:
            errors.setdefault("disability_cert_no", []).append(
                _("A disability certificate number needs a disability category and grade.")
            )
        elif len(cert) != 20 or (values.get("id_number") and cert[:18] != values.get("id_number")):
            errors.setdefault("disability_cert_no", []).append(
                _(
                    "A disability certificate number is the 18-character ID number followed by the "
                    "category digit and the grade digit."
                )
            )
        elif cert[18:] != f"{category}{grade}":
            errors.setdefault("disability_cert_no", []).append(
                _(
                    "The certificate number ends in %(digits)s but the category and grade entered "
                    "are %(entered)s."
                )
                % {"digits": cert[18:], "entered": f"{category}{grade}"}
            )
    for field in ("hukou_division", "residence_division"):
        division = values.get(field)
        if isinstance(division, Division) and len(division.code) < 6:
            errors.setdefault(field, []).append(
                _("Choose a county, township or village, not a whole province or city.")
            )
    if errors:
        raise ValidationError(errors)
    return warnings


def check_relation(relation: str, sex: int) -> None:
    expected = codes.relation_sex(relation)
    if expected is not None and expected != sex:
        raise ValidationError(
            {
                "relation": _("The relation “%(relation)s” does not fit a %(sex)s.")
                % {"relation": codes.Relation(relation).label, "sex": codes.Sex(sex).label}
            }
        )


def check_village(division: Division) -> None:
    if division.level != DivisionLevel.VILLAGE:
        raise ValidationError({"village": _("A household belongs to a village or community.")})


def check_period(start: datetime.date, end: datetime.date) -> None:
    if start and end and end < start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})


def check_not_future(value: datetime.date, field: str) -> None:
    if value and value > today():
        raise ValidationError({field: _("This date is in the future.")})


# Who looks in on a household for the offices: their visits are the ones the visiting rules ask for.
# (A caregiver or provider granted a member visits too: its visit is recorded, not counted as these.)
OFFICIAL_VISITORS = frozenset(
    {Role.GRID_WORKER, Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU}
)
