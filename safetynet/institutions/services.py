"""Writes of institutions: recording one and changing its facts (licence, capacity, heating, CO
alarms), by the county bureau of its county or the city bureau; an institution's own staff keep its
heating and CO-alarm facts up to date. Each change is recorded with who, when, before and after;
the version the user saw guards against overwriting another's change."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.scope import in_area
from safetynet.core.services import ConflictError, change_record
from safetynet.core.text import refuse_control_characters
from safetynet.core.types import ChangeAction, DivisionLevel, Role, User
from safetynet.institutions.models import Institution

RECORDING_ROLES = {Role.CITY_BUREAU, Role.COUNTY_BUREAU}
# What an institution's staff keep current themselves: how it is heated and guarded.
STAFF_FIELDS = (
    "heating",
    "co_alarms",
    "co_rooms_covered",
    "co_rooms_heated",
    "co_last_tested",
    "fire_facilities",
    "residents",
    "staff",
)
FIELDS = (
    "name",
    "kind",
    "address",
    "operator",
    "head",
    "phone",
    "licence_number",
    "licence_valid_until",
    "beds",
    "residents",
    "staff",
    "heating",
    "co_alarms",
    "co_rooms_covered",
    "co_rooms_heated",
    "co_last_tested",
    "fire_facilities",
    "active",
)
TEXT_LIMITS = {
    "name": 100,
    "address": 200,
    "operator": 100,
    "head": 50,
    "phone": 20,
    "licence_number": 50,
    "fire_facilities": 300,
}
COUNT_LIMIT = 100_000


def _snapshot(institution: Institution) -> dict:
    values = model_to_dict(institution, fields=[*FIELDS, "division"])
    return {
        key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in values.items()
    }


def _checked(data: dict, fields) -> dict:
    errors, clean = {}, {}
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        if name in TEXT_LIMITS:
            value = (value or "").strip() if isinstance(value, str) else value
            if not isinstance(value, str):
                errors[name] = _("Give text.")
                continue
            try:
                refuse_control_characters(value)
            except ValidationError as error:
                errors[name] = error.messages
                continue
            if len(value) > TEXT_LIMITS[name]:
                errors[name] = _("At most %(limit)s characters.") % {"limit": TEXT_LIMITS[name]}
                continue
            if name in ("name", "address") and not value:
                errors[name] = _("This field is required.")
                continue
        elif name == "kind" and value not in Institution.Kind.values:
            errors[name] = _("Choose the kind of institution.")
            continue
        elif name == "heating" and value not in Institution.Heating.values:
            errors[name] = _("Choose how it is heated.")
            continue
        elif name in ("beds", "residents", "staff", "co_alarms", "co_rooms_covered", "co_rooms_heated"):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_LIMIT:
                errors[name] = _("Give a whole number from 0 to 100000.")
                continue
        elif name in ("licence_valid_until", "co_last_tested"):
            if value is not None and (
                not isinstance(value, datetime.date)
                or not datetime.date(1950, 1, 1) <= value <= datetime.date(2100, 12, 31)
            ):
                errors[name] = _("Enter a valid date.")
                continue
        elif name == "active":
            value = bool(value)
        clean[name] = value
    if not errors and clean.get("co_last_tested") and clean["co_last_tested"] > timezone.localdate():
        errors["co_last_tested"] = _("This date is in the future.")
    if errors:
        raise ValidationError(errors)
    return clean


def _check_consistent(institution: Institution) -> None:
    if institution.co_rooms_covered > institution.co_alarms * 4 and institution.co_rooms_covered:
        raise ValidationError(
            {"co_rooms_covered": _("More rooms covered than its CO alarms can cover: count again.")}
        )


def institution_create(*, actor: User, division, data: dict) -> Institution:
    if actor.role not in RECORDING_ROLES:
        raise PermissionDenied(_("Institutions are recorded by the county or the city bureau."))
    if (
        division is None
        or division.level not in (DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE)
        or not in_area(actor, division.code)
    ):
        raise ValidationError({"division": _("Choose the township or village of your area where it is.")})
    clean = _checked(data, FIELDS)
    for required in ("name", "kind", "address"):
        if required not in clean:
            raise ValidationError({required: _("This field is required.")})
    institution = Institution(division=division, created_at=timezone.now(), created_by=actor, **clean)
    _check_consistent(institution)
    try:
        with transaction.atomic():
            institution.save()
            change_record(
                actor=actor,
                subject=institution,
                entity=institution,
                action=ChangeAction.CREATE,
                event="recorded",
                after=_snapshot(institution),
            )
    except IntegrityError:
        raise ValidationError({"name": _("An institution of this name is recorded here already.")}) from None
    return institution


def institution_update(*, actor: User, institution_id: int, version: int, data: dict) -> Institution:
    from safetynet.institutions.selectors import institution_get

    institution_get(actor=actor, pk=institution_id)  # another area's institution: not found
    if actor.role in RECORDING_ROLES:
        fields = FIELDS
    elif actor.role == Role.INSTITUTION_STAFF:
        fields = STAFF_FIELDS
    else:
        raise PermissionDenied(_("Your role does not change institutions."))
    clean = _checked(data, fields)
    with transaction.atomic():
        current = Institution.objects.select_for_update().get(pk=institution_id)
        if current.version != version:
            raise ConflictError(
                _(
                    "Someone else saved this institution meanwhile: reload the page and look "
                    "before saving again."
                )
            )
        before = _snapshot(current)
        for name, value in clean.items():
            setattr(current, name, value)
        _check_consistent(current)
        current.version += 1
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise ValidationError(
                {"name": _("An institution of this name is recorded here already.")}
            ) from None
        change_record(
            actor=actor,
            subject=current,
            entity=current,
            action=ChangeAction.UPDATE,
            event="changed",
            before=before,
            after=_snapshot(current),
        )
    return current
