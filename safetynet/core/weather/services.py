"""Entering and withdrawing weather warnings. A warning overlapping one in force for the same county
and kind is refused (the first one is withdrawn or corrected instead), so that a reaction is never
triggered twice for one cold spell."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import hooks
from safetynet.core.models import ChangeRecord, Division, DivisionLevel, Role, User, WeatherWarning
from safetynet.core.scope import county_of
from safetynet.core.selectors import divisions_under
from safetynet.core.services import change_record
from safetynet.core.text import has_control_characters

LONGEST = datetime.timedelta(days=15)
FIELDS = ("county", "kind", "level", "lowest_temperature", "starts_at", "ends_at", "note")


def may_enter_warnings(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.role in (Role.CITY_BUREAU, Role.COUNTY_BUREAU))


def _check_actor(actor: User | None, county: str) -> None:
    if actor is None:
        return
    if not may_enter_warnings(actor):
        raise PermissionDenied(_("Only the city and county bureaus may enter weather warnings."))
    mine = county_of(actor)
    if mine is not None and mine != county:
        raise PermissionDenied(_("This county is outside your area."))


def _checked(data: dict, counties: dict[str, Division]) -> dict:
    """The warning's values, checked; ValidationError with every reason at once. `counties`: the
    city's counties by code, read once for a whole file."""
    errors: dict[str, list] = {}
    county = data.get("county")
    code = county.code if isinstance(county, Division) else str(county or "")
    division = counties.get(code)
    if division is None:
        errors.setdefault("county", []).append(_("Choose a county of the city."))
    kind = data.get("kind")
    if kind not in WeatherWarning.Kind.values:
        errors.setdefault("kind", []).append(_("Choose a cold wave or a low temperature."))
    level = data.get("level") or ""
    if level not in WeatherWarning.Level.values:
        errors.setdefault("level", []).append(_("Choose blue, yellow, orange or red, or no colour."))
    temperature = data.get("lowest_temperature")
    if temperature is not None and not (
            isinstance(temperature, Decimal) and Decimal(-60) <= temperature <= Decimal(40)):
        errors.setdefault("lowest_temperature", []).append(_("Give a temperature from -60 to 40 °C."))
    if kind == WeatherWarning.Kind.LOW_TEMPERATURE and temperature is None:
        errors.setdefault("lowest_temperature", []).append(
            _("A low-temperature warning gives the temperature."))
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, datetime.datetime) or not isinstance(ends, datetime.datetime):
        errors.setdefault("starts_at", []).append(_("Give when the warning starts and ends."))
    elif ends <= starts:
        errors.setdefault("ends_at", []).append(_("The warning must end after it starts."))
    elif ends - starts > LONGEST:
        errors.setdefault("ends_at", []).append(
            _("A warning lasts at most 15 days; enter a longer spell as two."))
    note = data.get("note") or ""
    if has_control_characters(note) or len(note) > 200:
        errors.setdefault("note", []).append(_("The note must be plain text of at most 200 characters."))
    if errors:
        raise ValidationError(errors)
    return {"county": division, "kind": kind, "level": level, "lowest_temperature": temperature,
            "starts_at": starts, "ends_at": ends, "note": note}


def _overlapping(values: dict) -> WeatherWarning | None:
    return (WeatherWarning.objects
            .filter(county=values["county"], kind=values["kind"], withdrawn_at__isnull=True,
                    starts_at__lt=values["ends_at"], ends_at__gt=values["starts_at"])
            .order_by("starts_at").first())


def _overlap_message(values: dict, other: WeatherWarning) -> str:
    return _("%(county)s already has a %(kind)s from %(start)s to %(end)s: withdraw it first, or enter "
             "another period.") % {
        "county": values["county"].name, "kind": WeatherWarning.Kind(values["kind"]).label,
        "start": timezone.localtime(other.starts_at).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(other.ends_at).strftime("%Y-%m-%d %H:%M"),
    }


def weather_warnings_create(*, actor: User | None, items: list[dict], source: str) -> tuple[list, list[str]]:
    """Enter the warnings `items` (dicts of FIELDS), all or none: ValidationError keyed by position
    ("0", "1" …) with every reason. Returns the warnings and what the apps did about them."""
    if source not in WeatherWarning.Source.values:
        raise ValueError(source)
    errors: dict[str, list] = {}
    checked = []
    counties = {d.code: d for d in divisions_under(settings.SAFETYNET_CITY_CODE, level=DivisionLevel.COUNTY)}
    for position, data in enumerate(items):
        try:
            values = _checked(data, counties)
        except ValidationError as error:
            errors[str(position)] = [m for messages in error.message_dict.values() for m in messages]
            continue
        _check_actor(actor, values["county"].code)
        checked.append((position, values))
    now = timezone.now()
    with transaction.atomic():
        # One writer at a time for these counties: two clerks entering the same cold spell at once
        # cannot both pass the overlap check.
        list(Division.objects.select_for_update().filter(pk__in={v["county"].pk for _p, v in checked}))
        for index, (position, values) in enumerate(checked):
            other = _overlapping(values)
            if other is None:
                other = next((v for _p, v in checked[:index] if v["county"] == values["county"]
                              and v["kind"] == values["kind"] and v["starts_at"] < values["ends_at"]
                              and v["ends_at"] > values["starts_at"]), None)
                if other is not None:
                    errors.setdefault(str(position), []).append(
                        _("It overlaps another warning of the same county and kind given above."))
                    continue
            else:
                errors.setdefault(str(position), []).append(_overlap_message(values, other))
        if errors:
            raise ValidationError(errors)
        made = []
        for _position, values in checked:
            warning = WeatherWarning.objects.create(**values, source=source, entered_by=actor, entered_at=now)
            change_record(actor=actor, subject=warning, entity=warning, action=ChangeRecord.Action.CREATE,
                          after={name: _plain(getattr(warning, name)) for name in FIELDS}
                          | {"source": source})
            made.append(warning)
        reactions: list[str] = []
        for warning in made:
            reactions += hooks.weather_warning_entered(warning)
    return made, reactions


def weather_warning_withdraw(*, actor: User | None, warning: WeatherWarning, reason: str) -> None:
    """Withdraw a warning entered in error or lifted early (it stays in the list, marked)."""
    _check_actor(actor, warning.county_id)
    reason = (reason or "").strip()
    if not reason or has_control_characters(reason) or len(reason) > 200:
        raise ValidationError({"reason": [_("Say why the warning is withdrawn (at most 200 characters).")]})
    with transaction.atomic():
        locked = WeatherWarning.objects.select_for_update().get(pk=warning.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError({"reason": [_("This warning was withdrawn already.")]})
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        change_record(actor=actor, subject=locked, entity=locked, action=ChangeRecord.Action.UPDATE,
                      before={"withdrawn_at": None}, after={"withdrawn_at": locked.withdrawn_at.isoformat()},
                      reason=reason)
    warning.withdrawn_at = locked.withdrawn_at


def _plain(value):
    if isinstance(value, Division):
        return value.code
    if isinstance(value, datetime.datetime | Decimal):
        return str(value)
    return value
