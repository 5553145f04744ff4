"""Writes of the programmes app: standards scheduled by one officer and approved by another."""

import datetime
import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.selectors import division_get, divisions_under
from safetynet.core.services import change_record
from safetynet.core.types import ChangeAction, DivisionLevel, Role, UrbanRural, User
from safetynet.programmes.models import EligibilityResult, EligibilityRun, Enrolment, Standard
from safetynet.programmes.rules import PROGRAMME_NAMES, RULES
from safetynet.programmes.selectors import first_of_next_month
from safetynet.programmes.standards import KINDS

# Who sets standards: the city bureau (the city sets them, art. 10 of the Interim Measures).
STANDARD_ROLES = {Role.CITY_BUREAU}


def may_set_standards(user: User) -> bool:
    return user.is_authenticated and user.role in STANDARD_ROLES


def standard_value_check(raw, kind) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("Give the value as a number.")}) from None
    if not value.is_finite():
        raise ValidationError({"value": _("Give the value as a number.")})
    if value.as_tuple().exponent < -4:
        raise ValidationError({"value": _("At most four decimal places.")})
    if kind.whole and value != value.to_integral_value():
        raise ValidationError({"value": _("This standard takes a whole number.")})
    if not kind.low <= value <= kind.high:
        raise ValidationError({"value": _("%(value)s is not a plausible value for this standard: it lies "
                                          "between %(low)s and %(high)s %(unit)s.")
                               % {"value": value, "low": kind.low, "high": kind.high, "unit": kind.unit}})
    return value


def standard_schedule(*, actor: User, kind: str, division_code: str, urban_rural: str,
                      valid_from: datetime.date, value, note: str = "") -> Standard:
    """Schedule a new value of a standard from a future day, to be approved by another officer.
    The past is never rewritten: the day must come after today."""
    if not may_set_standards(actor):
        raise PermissionDenied(_("Only the city bureau schedules standards."))
    standard_kind = KINDS.get(kind)
    if standard_kind is None:
        raise ValidationError({"kind": _("There is no such standard.")})
    errors = {}
    division = division_get(actor=actor, code=division_code) if division_code else None
    if division is None or division.level not in (DivisionLevel.CITY, DivisionLevel.COUNTY):
        errors["division"] = _("Choose the city or one of its counties.")
    if standard_kind.by_urban_rural and urban_rural not in UrbanRural.values:
        errors["urban_rural"] = _("This standard differs between urban and rural residents: choose one.")
    if not standard_kind.by_urban_rural and urban_rural:
        errors["urban_rural"] = _("This standard is the same for urban and rural residents.")
    today = timezone.localdate()
    if not isinstance(valid_from, datetime.date) or valid_from <= today:
        errors["valid_from"] = _("A new value starts after today: decisions already made keep the value "
                                 "they used.")
    if len(note) > 200:
        errors["note"] = _("At most 200 characters.")
    if "\x00" in note:
        errors["note"] = _("The note contains a character that cannot be stored.")
    try:
        amount = standard_value_check(value, standard_kind)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        clash = Standard.objects.filter(kind=kind, division=division, urban_rural=urban_rural,
                                        valid_from=valid_from,
                                        status__in=[Standard.Status.APPROVED, Standard.Status.PROPOSED])
        if clash.exists():
            raise ValidationError({"valid_from": _("A value of this standard for this area already starts on "
                                                   "that day (approved or awaiting approval).")})
        standard = Standard.objects.create(kind=kind, division=division, urban_rural=urban_rural,
                                           valid_from=valid_from, value=amount, note=note.strip(),
                                           proposed_by=actor, proposed_at=timezone.now())
        change_record(actor=actor, subject=standard, entity=standard, action=ChangeAction.CREATE,
                      event="proposed", after=_snapshot(standard))
    return standard


def _snapshot(standard: Standard) -> dict:
    return {"kind": standard.kind, "division": standard.division_id, "urban_rural": standard.urban_rural,
            "valid_from": standard.valid_from.isoformat(), "value": str(standard.value),
            "status": standard.status}


def _decide(*, actor: User, pk: int, version: int, approve: bool, reason: str) -> Standard:
    with transaction.atomic():
        # Standards are public policy (anyone may read them): a number that names none is "not
        # found" for everyone, and only then is the right to decide checked.
        standard = Standard.objects.select_for_update().get(pk=pk)
        if not may_set_standards(actor):
            raise PermissionDenied(_("Only the city bureau approves standards."))
        if standard.version != version or standard.status != Standard.Status.PROPOSED:
            raise ValidationError(_("Someone else has decided on this standard meanwhile: reload the page."))
        if standard.proposed_by_id == actor.pk:
            raise PermissionDenied(
                _("A standard is approved by another officer than the one who scheduled it."))
        if approve and standard.valid_from <= timezone.localdate():
            raise ValidationError(_("Its first day has come: approving it now would change decisions already "
                                    "made. Schedule it again from a later day."))
        if not approve and not reason.strip():
            raise ValidationError({"reason": _("Say why the standard is rejected.")})
        before = _snapshot(standard)
        standard.status = Standard.Status.APPROVED if approve else Standard.Status.REJECTED
        standard.decided_by, standard.decided_at = actor, timezone.now()
        standard.version += 1
        standard.save()
        change_record(actor=actor, subject=standard, entity=standard, action=ChangeAction.UPDATE,
                      event="approved" if approve else "rejected", before=before, after=_snapshot(standard),
                      reason=reason.strip())
    return standard


def standard_approve(*, actor: User, pk: int, version: int) -> Standard:
    return _decide(actor=actor, pk=pk, version=version, approve=True, reason="")


def standard_reject(*, actor: User, pk: int, version: int, reason: str) -> Standard:
    return _decide(actor=actor, pk=pk, version=version, approve=False, reason=reason)


# Who runs the rules over an area: the county bureau over its county, the city bureau over the city
# or any county of it.
RUN_ROLES = {Role.CITY_BUREAU, Role.COUNTY_BUREAU}


def may_run_eligibility(user: User) -> bool:
    return user.is_authenticated and user.role in RUN_ROLES


RESULTS_PER_INSERT = 20_000  # rows of a run's results per executemany


def eligibility_run(*, actor: User, area_code: str, on: datetime.date) -> EligibilityRun:
    """Run every programme's rule over the households of an area as of a day (set-based, in the
    engine) and keep the run: the versions and standards it used, its results, its counts and its
    duration."""
    from safetynet.programmes.engine import eligibility_results
    from safetynet.programmes.selectors import eligibility_counts, standard_at

    if not may_run_eligibility(actor):
        raise PermissionDenied(_("Only the city and county bureaus run the rules over an area."))
    area = division_get(actor=actor, code=area_code) if area_code.isascii() and area_code.isdigit() else None
    if area is None or area.level not in (DivisionLevel.CITY, DivisionLevel.COUNTY):
        raise ValidationError({"area": _("Choose your county, or for the city bureau the city or one of its "
                                         "counties.")})
    if not isinstance(on, datetime.date) or not datetime.date(2000, 1, 1) <= on <= timezone.localdate():
        raise ValidationError({"on": _("Choose a day between 2000-01-01 and today.")})
    counties = ([area.code] if area.level == DivisionLevel.COUNTY
                else [d.code for d in divisions_under(area.code, level=DivisionLevel.COUNTY)])
    used = []
    for county in counties:
        for residence in UrbanRural.values:
            found = standard_at(kind="dibao", county=county, urban_rural=residence, on=on)
            if found:
                used.append({"kind": "dibao", "county": county, "residence": residence, "id": found.pk,
                             "value": str(found.value), "valid_from": found.valid_from.isoformat()})
    started = time.monotonic()
    # The rules run in the engine (DuckDB over the rows moved out as Arrow), before the run's
    # transaction: ADBC reads what is committed and holds no lock while it does. Rows not yet
    # committed (a caller's own transaction) are read through Django's connection.
    households, results = eligibility_results(area=area.code, on=on,
                                              through_django=connection.in_atomic_block)
    with transaction.atomic():
        run = EligibilityRun.objects.create(area=area, as_of=on, started_by=actor, started_at=timezone.now(),
                                            rules={code: rule.version for code, rule in RULES.items()},
                                            standards=used)
        run.households = households
        with connection.cursor() as cursor:
            for chunk in range(0, len(results), RESULTS_PER_INSERT):
                cursor.executemany(
                    "INSERT INTO programmes_eligibilityresult (run_id, household_id, village_id, programme, "
                    "qualifies, enrolled, no_longer, amount) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [(run.pk, *row) for row in results[chunk:chunk + RESULTS_PER_INSERT]])
        # Per programme: qualifying, of them not receiving it (政策找人), receiving it without qualifying.
        run.counts = eligibility_counts(EligibilityResult.objects.filter(run=run))
        run.duration_ms = round((time.monotonic() - started) * 1000)
        run.save(update_fields=["households", "counts", "duration_ms"])
    return run


# --- enrolments ------------------------------------------------------------------------------------

# Who decides (and so records) that a household receives a programme: the county bureau (art. 2).
DECIDING_ROLES = {Role.COUNTY_BUREAU}
PROGRAMMES = set(PROGRAMME_NAMES)
ONE_OFF = {code for code, rule in RULES.items() if rule.once}
EARLIEST_SINCE = datetime.date(1950, 1, 1)
LATEST_SINCE_AHEAD = datetime.timedelta(days=366)


def _check_decides(actor: User, devolved: bool) -> None:
    """The county decides; a township too where the county has devolved the decision to it."""
    if actor.role not in DECIDING_ROLES and not (devolved and actor.role == Role.TOWNSHIP_OFFICE):
        raise PermissionDenied(_("Only the county bureau records who receives a programme."))


def enrolment_start(*, actor: User, household, programme: str, since: datetime.date, amount,
                    decision: str = "", person=None, devolved: bool = False) -> Enrolment:
    """Record that a household receives a programme from a day at the amount its decision fixed; for
    a programme decided per person (特困), which member receives it."""
    from safetynet.registry.selectors import household_get, household_members

    _check_decides(actor, devolved)
    household = household_get(actor=actor, pk=household.pk)  # in the actor's county, or not found
    errors = {}
    if programme not in PROGRAMMES:
        errors["programme"] = _("There is no such programme.")
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or value < 0 or value > 100000 or value.as_tuple().exponent < -2:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["amount"] = _("Give the monthly amount in yuan, at most two decimal places.")
    if not isinstance(since, datetime.date):
        errors["since"] = _("Enter a valid date.")
    elif not EARLIEST_SINCE <= since <= first_of_next_month(timezone.localdate()) + LATEST_SINCE_AHEAD:
        errors["since"] = _("It begins between %(first)s and a year from next month.") % {
            "first": EARLIEST_SINCE.isoformat()}
    if programme in ONE_OFF:
        errors["programme"] = _("Temporary assistance is paid once, not received month by month.")
    if len(decision) > 60 or "\x00" in decision:
        errors["decision"] = _("At most 60 characters, without control characters.")
    per_person = programme in RULES and RULES[programme].per_person
    if per_person:
        current = {m.person_id for m in household_members(household=household) if m.left_on is None}
        if person is None or person.pk not in current:
            errors["person"] = _("Choose the member who receives it.")
    elif person is not None:
        errors["person"] = _("This programme is decided for the whole household, not for one member.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        open_ones = Enrolment.objects.select_for_update().filter(programme=programme, until__isnull=True)
        taken = (open_ones.filter(person=person) if per_person
                 else open_ones.filter(household=household, person__isnull=True))
        if taken.exists():
            raise ValidationError({"programme": _("The household already receives this programme: end that "
                                                  "first.") if not per_person else
                                   _("This member already receives this programme: end that first.")})
        try:
            with transaction.atomic():  # another officer's, saved a moment ago, is caught by the index
                enrolment = Enrolment.objects.create(
                    household=household, person=person if per_person else None, programme=programme,
                    since=since, amount=value, decision=decision.strip(), decided_by=actor)
        except IntegrityError:
            raise ValidationError(_("Someone else has changed this meanwhile: reload the page.")) from None
        change_record(actor=actor, subject=household, entity=enrolment, action=ChangeAction.CREATE,
                      event="started", after={"programme": programme, "since": since.isoformat(),
                                              "amount": str(value), "decision": enrolment.decision,
                                              **({"person_name": person.name} if per_person else {})})
    return enrolment


def enrolment_end(*, actor: User, enrolment: Enrolment, version: int, until: datetime.date,
                  reason: str, devolved: bool = False) -> Enrolment:
    """End an enrolment from a day (it no longer applies on that day), with the reason."""
    from safetynet.registry.selectors import household_get

    _check_decides(actor, devolved)
    household_get(actor=actor, pk=enrolment.household_id)
    if not reason.strip():
        raise ValidationError({"end_reason": _("Say why it ends.")})
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.version != version or current.until is not None:
            raise ValidationError(_("Someone else has changed this meanwhile: reload the page."))
        if not isinstance(until, datetime.date) or until <= current.since:
            raise ValidationError({"until": _("It ends after the day it began.")})
        current.until, current.end_reason, current.version = until, reason.strip()[:200], current.version + 1
        current.save(update_fields=["until", "end_reason", "version"])
        change_record(actor=actor, subject=current.household, entity=current, action=ChangeAction.UPDATE,
                      event="ended", before={"until": None}, after={"until": until.isoformat()},
                      reason=current.end_reason)
    return current
