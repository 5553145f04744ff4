"""Writes of inspections and hazards: the bureau assigns an inspection (granting a contracted
inspector the institution); the inspector records it from a phone — all or nothing, once per form
however often the phone sends it — and each failed item raises a hazard, opened and graded on the
kernel's workflow; a major hazard's rectification plan is recorded by the institution or its county
bureau. Refusals change nothing and say why in the user's language."""

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from safetynet.core import grants
from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.checklists import checklist_answer, checklist_current
from safetynet.core.filecheck import sha256_of
from safetynet.core.scope import in_area, in_scope
from safetynet.core.services import ConflictError, change_record
from safetynet.core.text import text_checked as _text
from safetynet.core.types import CampaignKind, ChangeAction, Role, User
from safetynet.core.workflows.evidence import evidence_add, evidence_check
from safetynet.core.workflows.services import case_open, case_transition
from safetynet.institutions.inspections import checklists, workflow
from safetynet.institutions.models import Hazard, Inspection, Institution
from safetynet.institutions.selectors import GRANT_KIND

ASSIGNING_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU})
# Who inspects: a contracted third-party inspector, or the bureau's own staff.
INSPECTING_ROLES = frozenset({Role.INSPECTOR, Role.COUNTY_BUREAU, Role.CITY_BUREAU})
RAISING_ROLES = workflow.INSPECTORS
PLANNING_ROLES = workflow.RECTIFIERS
LONGEST_AHEAD = datetime.timedelta(days=366)
# An inspection is recorded on the day or soon after (a phone without signal sends it later).
OLDEST_INSPECTION = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(minutes=10)
EXTRA_PHOTOS = 6
HIGHEST_FUNDS = Decimal("9999999999.99")


def may_assign(actor: User) -> bool:
    return actor.is_active and actor.role in ASSIGNING_ROLES




def inspection_assign(
    *, actor: User, institution: Institution, data: dict
) -> Inspection:
    """Assign an inspection of `institution`: data = inspector (a user), checklist (code), due_on (a
    date), campaign (a Campaign or None). A contracted inspector is granted the institution, so
    that it sees this one and no other it was not sent to. ValidationError with every reason."""
    if not may_assign(actor):
        raise PermissionDenied(_("Only the city and county bureaus assign inspections."))
    if not in_area(actor, institution.division_id):
        raise PermissionDenied(_("This record is outside your area."))
    errors: dict[str, list[str]] = {}
    inspector = data.get("inspector")
    if (
        not isinstance(inspector, User)
        or not inspector.is_active
        or inspector.role not in INSPECTING_ROLES
        or not in_area(actor, inspector.division_id)
        or not institution.division_id.startswith(inspector.division_id)
    ):
        errors["inspector"] = [
            _("Choose an inspector or an officer of your area whose area covers this institution.")
        ]
    code = data.get("checklist")
    if code not in checklists.CHECKLISTS:
        errors["checklist"] = [_("Choose one of the checklists offered.")]
    today = timezone.localdate()
    due_on = data.get("due_on")
    if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
        errors["due_on"] = [_("Give the day the inspection is due.")]
    elif not today <= due_on <= today + LONGEST_AHEAD:
        errors["due_on"] = [_("The due day lies between today and a year from now.")]
    campaign = data.get("campaign")
    if campaign is not None:
        covering = campaigns(actor=actor).filter(
            pk=getattr(campaign, "pk", None), kind=CampaignKind.SAFETY, ends_on__gte=today
        ).first()
        if covering is None or not institution.division_id.startswith(covering.area_id):
            errors["campaign"] = [_("Choose a safety campaign still running and covering this institution.")]
        campaign = covering
    if not institution.active:
        errors["__all__"] = [_("This institution is not in operation: it is not inspected.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                institution=institution, campaign=campaign, checklist_code=code, inspector=inspector,
                assigned_by=actor, assigned_at=now, due_on=due_on,
            )
            change_record(actor=actor, subject=institution, entity=inspection, action=ChangeAction.CREATE,
                          event="assigned", after={"inspector": inspector.pk, "checklist": code,
                                                   "due_on": due_on.isoformat(),
                                                   "campaign": campaign.pk if campaign else None})
            if inspector.role == Role.INSPECTOR and not in_scope(
                inspector, institution.division_id, granted=(GRANT_KIND, institution.pk)
            ):
                with override(settings.LANGUAGE_CODE):
                    reason = _("Assigned to inspect it")
                grants.grant_create(actor=actor, user=inspector, kind=GRANT_KIND, object_id=institution.pk,
                                    reason=reason)
    except IntegrityError:
        raise ValidationError(
            _("This institution is already waiting for an inspection on this checklist.")
        ) from None
    return inspection


def inspection_cancel(*, actor: User, inspection: Inspection, version: int, reason: str) -> Inspection:
    """The bureau calls off an inspection not yet made (said why)."""
    if not may_assign(actor) or not in_area(actor, inspection.institution.division_id):
        raise PermissionDenied(_("Only the bureau that assigns inspections here calls one off."))
    errors: dict = {}
    reason = _text(errors, "reason", reason, limit=200, required=True, label=_("the reason"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if current.version != version:
            raise ConflictError()
        if current.state != Inspection.State.ASSIGNED:
            raise ValidationError(_("Only an inspection not yet made can be called off."))
        current.state, current.version = Inspection.State.CANCELLED, current.version + 1
        current.save(update_fields=["state", "version"])
        change_record(actor=actor, subject=current.institution, entity=current, action=ChangeAction.UPDATE,
                      event="done", before={"state": "assigned"}, after={"state": "cancelled"}, reason=reason)
        _end_access_if_not_sent(actor, current)
    return current


def _end_access_if_not_sent(actor: User, inspection: Inspection) -> None:
    """A contracted inspector sees the institutions it was sent to: called off, and with no other
    inspection there, it no longer does (a grant given otherwise, by contract, is left alone)."""
    inspector = inspection.inspector
    if inspector.role != Role.INSPECTOR:
        return
    others = Inspection.objects.filter(institution=inspection.institution, inspector=inspector).exclude(
        state=Inspection.State.CANCELLED)
    if others.exists():
        return
    with override(settings.LANGUAGE_CODE):
        given, why = _("Assigned to inspect it"), _("The inspection was called off")
    for grant in grants.grants_of_user(user=inspector, kind=GRANT_KIND).filter(
            object_id=inspection.institution_id, reason=given):
        grants.grant_revoke(actor=actor, grant=grant, reason=why)


def may_inspect(actor: User, inspection: Inspection) -> bool:
    return actor.is_active and inspection.inspector_id == actor.pk


def inspection_record(
    *,
    actor: User,
    inspection: Inspection,
    answers: dict[str, list[str]],
    photos: dict | None = None,
    extra_photos: list | None = None,
    note: str = "",
    inspected_at: datetime.datetime | None = None,
    submission: uuid.UUID,
) -> Inspection:
    """The inspector records the inspection as answered on site. `answers`: item code → values sent;
    `photos`: item code → the photo the answer needs; `submission`: the form's one-time key (a phone
    sending it again after a lost connection stores nothing twice). Each failed item raises a hazard,
    graded as the checklist says."""
    if not may_inspect(actor, inspection):
        raise PermissionDenied(_("This inspection is assigned to someone else."))
    photos, extra_photos = dict(photos or {}), list(extra_photos or [])
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    inspected_at = inspected_at or now
    if inspected_at > now + CLOCK_SKEW:
        errors["inspected_at"] = [_("The inspection cannot be in the future.")]
    elif inspected_at < now - OLDEST_INSPECTION:
        errors["inspected_at"] = [_("Record inspections within 30 days of making them.")]
    note = _text(errors, "note", note, limit=500, required=False, label=_("The note"), lines=True)
    template = checklist_current(inspection.checklist_code)
    try:
        answered = checklist_answer(template, answers)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        answered = None
    labels = {item["code"]: item["label"] for item in template.items}
    for code in answered.photos_needed if answered else []:
        if not photos.get(code):
            errors[f"photo_{code}"] = [_("Take a photo of “%(item)s”.") % {"item": labels[code]}]
    if any(code not in labels for code in photos):
        errors["__all__"] = [_("A photo was sent for an item this checklist does not have.")]
    if len(extra_photos) > EXTRA_PHOTOS:
        errors["photos"] = [_("At most %(count)s other photos.") % {"count": EXTRA_PHOTOS}]
    for code, upload in [*photos.items(), *(("photos", upload) for upload in extra_photos)]:
        try:
            evidence_check("photo", upload)
        except ValidationError as error:
            errors.setdefault(code if code == "photos" else f"photo_{code}", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    stored = []
    try:
        with transaction.atomic():
            locked = Inspection.objects.select_for_update(of=("self",)).select_related("institution")
            current = locked.get(pk=inspection.pk)
            if current.submission == submission:
                return current  # the same form, sent twice at once by the phone: saved by the first
            if current.state != Inspection.State.ASSIGNED:
                raise ValidationError(_("This inspection has been recorded or called off already."))
            current.state = Inspection.State.DONE
            current.checklist, current.answers, current.score = template, answered.answers, answered.score
            current.inspected_at, current.note, current.submission = inspected_at, note, submission
            current.version += 1
            current.save()
            institution = current.institution
            change_record(actor=actor, subject=institution, entity=current, action=ChangeAction.UPDATE,
                          event="done", after={"score": answered.score, "hazards": len(answered.hazards)})
            subject = ("institutions.inspection", current.pk, institution.division_id)
            for code, upload in photos.items():
                if code in answered.answers and sha256_of(upload) not in {e.sha256 for e in stored}:
                    stored.append(evidence_add(actor=actor, kind="photo", upload=upload, note=labels[code],
                                               subject=subject))
            for upload in extra_photos:
                try:
                    stored.append(evidence_add(actor=actor, kind="photo", upload=upload, subject=subject))
                except ValidationError:
                    continue  # the same extra photo twice: kept once
            _heating_seen(actor, institution, current, answered.answers)
            for hazard in answered.hazards:
                hazard_raise(actor=actor, institution=institution, inspection=current, item=hazard["item"],
                             grade=hazard["grade"], category=_category(hazard["category"]),
                             description=f"{hazard['label']}：{hazard['answer']}", found_at=inspected_at)
    except IntegrityError:
        for evidence in stored:
            evidence.file.delete(save=False)
        message = _("This inspection has been saved already (the form was sent twice).")
        raise ValidationError(message) from None
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    inspection.state, inspection.version = current.state, current.version
    return current


def _category(code: str) -> str:
    return code if code in Hazard.Category.values else Hazard.Category.OTHER


def _heating_seen(actor: User, institution: Institution, inspection: Inspection, answers: dict) -> None:
    """How the institution is heated, as the inspector saw it, kept on its record."""
    heating = answers.get("heating")
    if heating not in Institution.Heating.values or heating == institution.heating:
        return
    before = institution.heating
    Institution.objects.filter(pk=institution.pk).update(heating=heating, version=F("version") + 1)
    institution.heating = heating
    change_record(actor=actor, subject=institution, entity=institution, action=ChangeAction.UPDATE,
                  before={"heating": before}, after={"heating": heating},
                  reason=_("Seen on the inspection of %(day)s")
                  % {"day": timezone.localtime(inspection.inspected_at).strftime("%Y-%m-%d")})


def hazard_raise(
    *,
    actor: User,
    institution: Institution,
    grade: str,
    category: str,
    description: str,
    found_at: datetime.datetime | None = None,
    inspection: Inspection | None = None,
    item: str = "",
) -> Hazard:
    """A hazard found at `institution` (by an inspection's failed item, a drill, a report): opened as
    a case of the hazard workflow and graded at once by whoever found it — general, to be rectified
    within its days; major, to be planned and listed for supervision."""
    if actor.role not in RAISING_ROLES:
        raise PermissionDenied(_("Hazards are recorded by inspectors and the bureaus."))
    if not in_scope(actor, institution.division_id, granted=(GRANT_KIND, institution.pk)):
        raise PermissionDenied(_("This record is outside your area."))
    errors: dict[str, list[str]] = {}
    if grade not in Hazard.Grade.values:
        errors["grade"] = [_("Choose the grade: general or major.")]
    if category not in Hazard.Category.values:
        errors["category"] = [_("Choose the kind of hazard.")]
    description = _text(errors, "description", description, limit=300, required=True,
                        label=_("the description"))
    found_at = found_at or timezone.now()
    if found_at > timezone.now() + CLOCK_SKEW:
        errors["found_at"] = [_("A hazard cannot be found in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hazard = Hazard.objects.create(
            institution=institution, inspection=inspection, item=item, grade=grade, category=category,
            description=description, found_at=found_at, found_by=actor,
        )
        change_record(actor=actor, subject=institution, entity=hazard, action=ChangeAction.CREATE,
                      event="found", after={"grade": grade, "category": category, "description": description})
        case = case_open(actor=actor, workflow_code=workflow.CODE, division_code=institution.division_id,
                         title=f"{institution.name} · {description}", subject_kind=workflow.SUBJECT,
                         subject_id=hazard.pk, at=found_at)
        hazard.case = case
        hazard.save(update_fields=["case"])
        step = "grade_major" if grade == Hazard.Grade.MAJOR else "grade_general"
        hazard.case = case_transition(actor=actor, case_id=case.pk, transition=step, version=case.version,
                                      at=found_at)
    return hazard


def hazard_plan_record(*, actor: User, hazard: Hazard, version: int, data: dict) -> Hazard:
    """A major hazard's rectification plan (person responsible, funds, measures, deadline), by the
    institution or its county bureau while the hazard is being planned. ConflictError when someone
    recorded one since `version`."""
    if actor.role not in PLANNING_ROLES:
        raise PermissionDenied(_("The plan is recorded by the institution or its county bureau."))
    institution = hazard.institution
    if not in_scope(actor, institution.division_id, granted=(GRANT_KIND, institution.pk)):
        raise PermissionDenied(_("This record is outside your area."))
    errors: dict[str, list[str]] = {}
    owner = _text(errors, "plan_owner", data.get("plan_owner"), limit=50, required=True,
                  label=_("the person responsible"))
    measures = _text(errors, "plan_measures", data.get("plan_measures"), limit=500, required=True,
                     label=_("the measures"), lines=True)
    funds = data.get("plan_funds")
    if funds not in (None, ""):
        try:
            funds = Decimal(str(funds))
        except InvalidOperation:
            funds = None
            errors["plan_funds"] = [_("Give the funds as an amount in yuan.")]
        else:
            if not funds.is_finite() or not Decimal(0) <= funds <= HIGHEST_FUNDS or funds != round(funds, 2):
                errors["plan_funds"] = [_("Give the funds as an amount in yuan, at most two decimals.")]
    else:
        funds = None
    deadline = data.get("plan_deadline")
    today = timezone.localdate()
    if not isinstance(deadline, datetime.date) or isinstance(deadline, datetime.datetime):
        errors["plan_deadline"] = [_("Give the day it will be rectified by.")]
    elif not today <= deadline <= today + LONGEST_AHEAD:
        errors["plan_deadline"] = [_("The deadline lies between today and a year from now.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Hazard.objects.select_for_update(of=("self",)).select_related("case").get(pk=hazard.pk)
        if current.version != version:
            raise ConflictError()
        if current.case is None or current.case.state != "planning":
            raise ValidationError(_("A plan is recorded while a major hazard is being planned."))
        before = {"plan_owner": current.plan_owner, "plan_measures": current.plan_measures,
                  "plan_funds": str(current.plan_funds) if current.plan_funds is not None else None,
                  "plan_deadline": current.plan_deadline.isoformat() if current.plan_deadline else None}
        current.plan_owner, current.plan_measures, current.plan_funds = owner, measures, funds
        current.plan_deadline = deadline
        current.plan_recorded_at, current.plan_recorded_by = timezone.now(), actor
        current.version += 1
        current.save()
        change_record(actor=actor, subject=institution, entity=current, action=ChangeAction.UPDATE,
                      event="plan", before=before,
                      after={"plan_owner": owner, "plan_measures": measures,
                             "plan_funds": str(funds) if funds is not None else None,
                             "plan_deadline": deadline.isoformat()})
    hazard.version = current.version
    return current
