"""Writes of the institutions' safety records: a training, an emergency plan and its drills, a night's
watch, an incident (opened as a kernel case, counted from when it occurred), and the photos and PDFs
each record keeps. Written by the institution's own staff (by its grant) and by the county bureau of
its area; what no form would send (control characters, dates to come, negative or absurd numbers) is
refused with nothing stored. Each record is kept in the institution's history."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.scope import in_area
from safetynet.core.services import ConflictError, change_record
from safetynet.core.text import control_characters_message, has_control_characters
from safetynet.core.types import ChangeAction, Role, User
from safetynet.core.workflows.evidence import evidence_add, evidence_check
from safetynet.core.workflows.services import case_open
from safetynet.institutions.models import (
    Drill,
    EmergencyPlan,
    Incident,
    Institution,
    SafetyTraining,
    Scenario,
    WatchNight,
)
from safetynet.institutions.safety import workflow
from safetynet.institutions.safety.selectors import DRILL, PLAN, TRAINING, WATCH
from safetynet.institutions.selectors import institutions

EARLIEST = datetime.date(2000, 1, 1)
WRITING_ROLES = frozenset({Role.COUNTY_BUREAU, Role.INSTITUTION_STAFF})


# --- who writes -------------------------------------------------------------------------------------------


def may_write(actor: User, institution: Institution) -> bool:
    """The institution's own staff (it is granted to them: the caller read it through the scoped
    selector) and the county bureau of its area."""
    if actor.role == Role.INSTITUTION_STAFF:
        return True
    return actor.role == Role.COUNTY_BUREAU and in_area(actor, institution.division_id)


def may_write_some(actor: User) -> bool:
    return actor.is_authenticated and actor.role in WRITING_ROLES


def _institution(actor: User, institution_id) -> Institution:
    """The institution, if the actor may record its safety records; PermissionDenied otherwise
    (another institution's staff, another county, a role that only reads)."""
    institution = (
        institutions(actor=actor).filter(pk=institution_id).first() if actor.is_authenticated else None
    )
    if institution is None or not may_write(actor, institution):
        raise PermissionDenied(
            _("Only the institution's own staff and the county bureau of its area record its safety records.")
        )
    return institution


# --- checking what was sent -------------------------------------------------------------------------------


def _text(errors: dict, data: dict, name: str, limit: int, *, required: bool = False, lines: bool = False):
    value = data.get(name, "")
    value = "" if value is None else value
    if not isinstance(value, str):
        errors[name] = _("Give text.")
        return ""
    value = value.strip()
    if has_control_characters(value, lines=lines):
        errors[name] = control_characters_message()
    elif len(value) > limit:
        errors[name] = _("At most %(limit)s characters.") % {"limit": limit}
    elif required and not value:
        errors[name] = _("This field is required.")
    return value


def _count(errors: dict, data: dict, name: str, low: int, high: int):
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return value


def _day(errors: dict, data: dict, name: str, *, past: bool = True):
    value = data.get(name)
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        errors[name] = _("Enter a valid date.")
        return None
    if value < EARLIEST or value > datetime.date(2100, 12, 31):
        errors[name] = _("Enter a valid date.")
        return None
    if past and value > timezone.localdate():
        errors[name] = _("This date is in the future.")
        return None
    return value


def _choice(errors: dict, data: dict, name: str, choices, message: str):
    value = data.get(name)
    if value not in choices:
        errors[name] = message
        return None
    return value


def _done(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _files(upload_kinds) -> None:
    """Check every file before storing anything."""
    for kind, upload in upload_kinds:
        if upload is not None:
            evidence_check(kind, upload)


def _snapshot(record, fields) -> dict:
    values = model_to_dict(record, fields=fields)
    return {
        k: v.isoformat() if isinstance(v, datetime.date | datetime.datetime) else v for k, v in values.items()
    }


def _history(actor, institution, record, event: str, fields) -> None:
    change_record(
        actor=actor,
        subject=institution,
        entity=record,
        action=ChangeAction.CREATE,
        event=event,
        after=_snapshot(record, fields),
    )


def _attach(actor, kind: str, record, institution, evidence_kind: str, upload, note: str = "") -> None:
    if upload is not None:
        evidence_add(
            actor=actor,
            kind=evidence_kind,
            upload=upload,
            note=note,
            subject=(kind, record.pk, institution.division_id),
        )


# --- trainings --------------------------------------------------------------------------------------------

TRAINING_FIELDS = ("held_on", "topic", "trainer", "attendees", "attendee_count", "note")


def training_record(*, actor: User, institution_id: int, data: dict, photo=None) -> SafetyTraining:
    """Record a training session, with the photo of its sign-in sheet if one is given."""
    institution = _institution(actor, institution_id)
    errors: dict = {}
    clean = {
        "held_on": _day(errors, data, "held_on"),
        "topic": _choice(errors, data, "topic", SafetyTraining.Topic.values, _("Choose the topic.")),
        "trainer": _text(errors, data, "trainer", 50, required=True),
        "attendees": _text(errors, data, "attendees", 500),
        "attendee_count": _count(errors, data, "attendee_count", 1, 10_000),
        "note": _text(errors, data, "note", 500),
    }
    _done(errors)
    _files([("photo", photo)])
    training = SafetyTraining(institution=institution, recorded_at=timezone.now(), recorded_by=actor, **clean)
    with transaction.atomic():
        training.save()
        _history(actor, institution, training, "training_recorded", TRAINING_FIELDS)
        _attach(actor, TRAINING, training, institution, "photo", photo, _("sign-in sheet"))
    return training


# --- emergency plans and drills ---------------------------------------------------------------------------

PLAN_FIELDS = ("title", "scenarios", "approved_on", "review_due")


def _plan_clean(data: dict) -> dict:
    errors: dict = {}
    scenarios = data.get("scenarios")
    if (
        not isinstance(scenarios, list | tuple)
        or not scenarios
        or len(scenarios) > len(Scenario.values)
        or any(code not in Scenario.values for code in scenarios)
    ):
        errors["scenarios"] = _("Choose at least one scenario the plan is for.")
        scenarios = []
    clean = {
        "title": _text(errors, data, "title", 100, required=True),
        "scenarios": sorted(set(scenarios), key=Scenario.values.index),
        "approved_on": _day(errors, data, "approved_on"),
        "review_due": _day(errors, data, "review_due", past=False),
    }
    if not errors and clean["review_due"] < clean["approved_on"]:
        errors["review_due"] = _("The review is due after the plan was approved.")
    _done(errors)
    return clean


def plan_record(*, actor: User, institution_id: int, data: dict, document=None) -> EmergencyPlan:
    """Record an emergency plan, with its approved text as a PDF if one is given."""
    institution = _institution(actor, institution_id)
    clean = _plan_clean(data)
    _files([("pdf", document)])
    plan = EmergencyPlan(institution=institution, recorded_at=timezone.now(), recorded_by=actor, **clean)
    try:
        with transaction.atomic():
            plan.save()
            _history(actor, institution, plan, "plan_recorded", PLAN_FIELDS)
            _attach(actor, PLAN, plan, institution, "pdf", document)
    except IntegrityError:
        raise ValidationError({"title": _("This institution has a plan of this title already.")}) from None
    return plan


def plan_update(*, actor: User, plan_id: int, version: int, data: dict) -> EmergencyPlan:
    """Change a plan (reviewed, approved again): refused if someone saved it meanwhile."""
    plan = EmergencyPlan.objects.filter(pk=plan_id).select_related("institution").first()
    if plan is None:
        raise ValidationError(_("This record does not exist or is outside your area."))
    institution = _institution(actor, plan.institution_id)
    clean = _plan_clean(data)
    try:
        with transaction.atomic():
            current = EmergencyPlan.objects.select_for_update().get(pk=plan_id)
            if current.version != version:
                raise ConflictError(
                    _("Someone else saved this plan meanwhile: reload the page and look before saving again.")
                )
            before = _snapshot(current, PLAN_FIELDS)
            for name, value in clean.items():
                setattr(current, name, value)
            current.version += 1
            current.save()
            change_record(
                actor=actor,
                subject=institution,
                entity=current,
                action=ChangeAction.UPDATE,
                event="plan_changed",
                before=before,
                after=_snapshot(current, PLAN_FIELDS),
            )
    except IntegrityError:
        raise ValidationError({"title": _("This institution has a plan of this title already.")}) from None
    return current


DRILL_FIELDS = ("plan", "held_on", "scenario", "residents_evacuated", "evacuation_seconds", "problems")


def drill_record(*, actor: User, plan_id: int, data: dict, photo=None) -> Drill:
    """Record a drill run against a plan, with a photo of it if one is given."""
    plan = EmergencyPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise PermissionDenied(
            _("Only the institution's own staff and the county bureau of its area record its safety records.")
        )
    institution = _institution(actor, plan.institution_id)
    errors: dict = {}
    clean = {
        "held_on": _day(errors, data, "held_on"),
        "scenario": _choice(errors, data, "scenario", Scenario.values, _("Choose the scenario drilled.")),
        "residents_evacuated": _count(errors, data, "residents_evacuated", 0, 100_000),
        "evacuation_seconds": _count(errors, data, "evacuation_seconds", 1, 86_400),
        "problems": _text(errors, data, "problems", 2000, lines=True),
    }
    if not errors and clean["held_on"] < plan.approved_on:
        errors["held_on"] = _("A drill of this plan is held after the plan was approved.")
    _done(errors)
    _files([("photo", photo)])
    drill = Drill(plan=plan, recorded_at=timezone.now(), recorded_by=actor, **clean)
    with transaction.atomic():
        drill.save()
        _history(actor, institution, drill, "drill_recorded", DRILL_FIELDS)
        _attach(actor, DRILL, drill, institution, "photo", photo)
    return drill


def drill_problems(drill: Drill) -> list[str]:
    """The problems a drill found, one a line as recorded (bullets and numbering taken off): what a
    hazard is opened for, one each."""
    found = []
    for line in (drill.problems or "").splitlines():
        text = line.strip().lstrip("-*•·").strip()
        head, dot, rest = text.partition(".")
        if dot and head.isdigit():
            text = rest.strip()
        head, dot, rest = text.partition("、")
        if dot and head.isdigit():
            text = rest.strip()
        if text:
            found.append(text)
    return found


# --- the night watch --------------------------------------------------------------------------------------

WATCH_FIELDS = ("night", "on_duty", "leader", "rounds", "round_times", "handover_done", "note")


def watch_record(*, actor: User, institution_id: int, data: dict, photo=None) -> WatchNight:
    """Record who kept the watch on a night: one record a night, a second refused."""
    institution = _institution(actor, institution_id)
    errors: dict = {}
    clean = {
        "night": _day(errors, data, "night"),
        "on_duty": _text(errors, data, "on_duty", 50, required=True),
        "leader": _text(errors, data, "leader", 50, required=True),
        "rounds": _count(errors, data, "rounds", 0, 48),
        "round_times": _text(errors, data, "round_times", 200),
        "handover_done": data.get("handover_done"),
        "note": _text(errors, data, "note", 300),
    }
    if not isinstance(clean["handover_done"], bool):
        errors["handover_done"] = _("Say whether the handover was done.")
    _done(errors)
    _files([("photo", photo)])
    watch = WatchNight(institution=institution, recorded_at=timezone.now(), recorded_by=actor, **clean)
    duplicate = ValidationError(
        {"night": _("The watch of this night is recorded already for this institution.")}
    )
    if WatchNight.objects.filter(institution=institution, night=clean["night"]).exists():
        raise duplicate
    try:
        with transaction.atomic():
            watch.save()
            _history(actor, institution, watch, "watch_recorded", WATCH_FIELDS)
            _attach(actor, WATCH, watch, institution, "photo", photo)
    except IntegrityError:
        raise duplicate from None
    return watch


# --- incidents --------------------------------------------------------------------------------------------

INCIDENT_FIELDS = ("kind", "major", "occurred_at", "reported_by", "description", "deaths", "injured")


def _title(incident: Incident) -> str:
    return f"{incident.institution.name} · {incident.get_kind_display()}"


def incident_report(*, actor: User, institution_id: int, data: dict) -> Incident:
    """Record an incident and open its case, its first-report deadline counted from when it occurred."""
    institution = _institution(actor, institution_id)
    errors: dict = {}
    occurred_at = data.get("occurred_at")
    if not isinstance(occurred_at, datetime.datetime) or timezone.is_naive(occurred_at):
        errors["occurred_at"] = _("Enter a valid date and time.")
    elif occurred_at > timezone.now():
        errors["occurred_at"] = _("This time is in the future.")
    elif occurred_at.date() < EARLIEST:
        errors["occurred_at"] = _("Enter a valid date and time.")
    clean = {
        "kind": _choice(errors, data, "kind", Incident.Kind.values, _("Choose the kind of incident.")),
        "major": data.get("major"),
        "occurred_at": occurred_at,
        "reported_by": _text(errors, data, "reported_by", 50, required=True),
        "description": _text(errors, data, "description", 2000, required=True, lines=True),
        "deaths": _count(errors, data, "deaths", 0, 10_000),
        "injured": _count(errors, data, "injured", 0, 10_000),
    }
    if not isinstance(clean["major"], bool):
        errors["major"] = _("Say whether it is a major incident.")
    _done(errors)
    incident = Incident(institution=institution, recorded_at=timezone.now(), recorded_by=actor, **clean)
    with transaction.atomic():
        incident.save()
        incident.case = case_open(
            actor=actor,
            workflow_code=workflow.MAJOR if incident.major else workflow.ORDINARY,
            division_code=institution.division_id,
            title=_title(incident),
            subject_kind=workflow.SUBJECT,
            subject_id=incident.pk,
            at=incident.occurred_at,
        )
        incident.save(update_fields=["case"])
        _history(actor, institution, incident, "incident_reported", INCIDENT_FIELDS)
    return incident


# --- evidence added afterwards ----------------------------------------------------------------------------

EVIDENCE_OF = {TRAINING: SafetyTraining, PLAN: EmergencyPlan, DRILL: Drill, WATCH: WatchNight}


def record_evidence_add(
    *, actor: User, kind: str, record_id: int, evidence_kind: str, upload, note: str = ""
):
    """Add a photo or PDF to a training, plan, drill or watch record the actor may write."""
    model = EVIDENCE_OF.get(kind)
    record = model.objects.filter(pk=record_id).first() if model else None
    if record is None:
        raise ValidationError(_("This record does not exist or is outside your area."))
    institution_id = record.plan.institution_id if isinstance(record, Drill) else record.institution_id
    institution = _institution(actor, institution_id)
    return evidence_add(
        actor=actor,
        kind=evidence_kind,
        upload=upload,
        note=note,
        subject=(kind, record.pk, institution.division_id),
    )
