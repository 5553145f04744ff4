"""Recording a household visit: the checklist answered, the people seen, the photos; the household's
heating and CO alarm brought up to date from what was seen; each hazard opened as a problem on the
kernel's workflow. All or nothing: a refusal stores no visit, no photo and no problem.

Who visits: the area's field workers and offices (VISIT_ROLES) any active household of their area;
a caregiver or service provider (GRANTED_VISIT_ROLES, grant-only roles) a household only while one
of its current members is granted to it ("registry.person") — everything else about the visit is
the same. The checklist is the household's (registry.visits.checklist.checklist_code_for)."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.checklists import checklist_answer, checklist_current
from safetynet.core.filecheck import sha256_of
from safetynet.core.scope import granted_ids, in_scope, may_hold
from safetynet.core.services import change_record
from safetynet.core.text import refuse_control_characters
from safetynet.core.types import CampaignKind, ChangeAction, Role, User
from safetynet.core.workflows.evidence import evidence_add, evidence_check
from safetynet.core.workflows.services import case_open
from safetynet.registry import codes, rules
from safetynet.registry.models import Household, Membership, Problem, Visit, VisitRule
from safetynet.registry.visits import checklist, workflow

# Who visits the households of their area.
VISIT_ROLES = rules.OFFICIAL_VISITORS
# Who visits the persons granted to them (core.grants, "registry.person"): a caregiver the person of
# their care agreement, a service provider the persons of its contract (issue 14, item 5). They see
# nothing by their area, so they visit a household only while one of its current members is granted
# to them; their visits are recorded and their problems followed like everyone's, but they are not
# the offices' look-in the visiting rules ask for (rules.OFFICIAL_VISITORS): a caregiver does not
# clear the visit that checks on its own care.
GRANTED_VISIT_ROLES = rules.PERSON_GRANTEE_ROLES
# A visit is recorded on the day or soon after (a phone without signal sends it later), not months on.
OLDEST_VISIT = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(minutes=10)
EXTRA_PHOTOS = 6


def may_visit(actor: User) -> bool:
    """Does the actor's role record visits at all (to its area's households, or to its granted ones)?"""
    return actor.is_active and actor.role in VISIT_ROLES | GRANTED_VISIT_ROLES


def member_granted(actor: User, household: Household) -> bool:
    """Is a current member of the household granted to the actor ("registry.person")?"""
    return may_hold(actor, rules.PERSON_GRANT) and Membership.objects.filter(
        household=household,
        left_on__isnull=True,
        person_id__in=granted_ids(actor, rules.PERSON_GRANT),
    ).exists()


def _check_may_visit(actor: User, household: Household) -> None:
    if not may_visit(actor):
        raise PermissionDenied(_("Your role does not record household visits."))
    if actor.role in GRANTED_VISIT_ROLES:
        if not member_granted(actor, household):
            raise PermissionDenied(_("No member of this household is in your care."))
    elif not in_scope(actor, household.village_id):
        raise PermissionDenied(_("This record is outside your area."))


def _checked_fields(actor: User, household: Household, data: dict, people: list[int]) -> dict:
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    visited_at = data.get("visited_at") or now
    if visited_at > now + CLOCK_SKEW:
        errors["visited_at"] = [_("The visit cannot be in the future.")]
    elif visited_at < now - OLDEST_VISIT:
        errors["visited_at"] = [_("Record visits within 30 days of making them.")]
    purpose = data.get("purpose")
    if purpose not in codes.VisitPurpose.values:
        errors["purpose"] = [_("Choose why you visited.")]
    campaign = None
    if data.get("campaign"):
        day = timezone.localtime(visited_at).date()
        campaign = (
            campaigns(actor=actor)
            .filter(pk=data["campaign"], kind=CampaignKind.VISITING, starts_on__lte=day, ends_on__gte=day)
            .first()
        )
        if campaign is None or not household.village_id.startswith(campaign.area_id):
            errors["campaign"] = [
                _("Choose a visiting campaign in force on the day of the visit and covering this household.")
            ]
    note = (data.get("note") or "").strip()
    try:
        refuse_control_characters(note, lines=True)
    except ValidationError as error:
        errors["note"] = error.messages
    if len(note) > 500:
        errors["note"] = [_("The note is longer than 500 characters.")]
    members = set(
        Membership.objects.filter(household=household, left_on__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    if set(people) - members:
        errors["people_seen"] = [_("Only the household's current members can be marked as seen.")]
    if errors:
        raise ValidationError(errors)
    return {"visited_at": visited_at, "purpose": purpose, "campaign": campaign, "note": note}


def visit_record(
    *,
    actor: User,
    household: Household,
    data: dict,
    answers: dict[str, list[str]],
    photos: dict | None = None,
    extra_photos: list | None = None,
    people: list[int] | None = None,
    submission: uuid.UUID,
) -> Visit:
    """Record a visit. `answers`: checklist item code → the values sent; `photos`: item code → the
    photo of what the answer describes (required where the checklist says so); `submission`: the
    form's one-time key (the same form sent twice is refused the second time, nothing doubled)."""
    _check_may_visit(actor, household)
    if household.status != codes.HouseholdStatus.ACTIVE:
        raise ValidationError(_("This household's record is cancelled: it is not visited."))
    if Visit.objects.filter(submission=submission).exists():
        raise ValidationError(_("This visit has already been saved (the form was sent twice)."))
    photos, extra_photos, people = dict(photos or {}), list(extra_photos or []), list(people or [])
    fields = _checked_fields(actor, household, data, people)
    template = checklist_current(checklist.checklist_code_for(household))
    answered = checklist_answer(template, answers)
    errors: dict[str, list[str]] = {}
    item_labels = {item["code"]: item["label"] for item in template.items}
    for code in answered.photos_needed:
        if not photos.get(code):
            errors[f"photo_{code}"] = [_("Take a photo of “%(item)s”.") % {"item": item_labels[code]}]
    for code in photos:
        if code not in item_labels:
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
            visit = Visit.objects.create(
                household=household,
                visitor=actor,
                checklist=template,
                answers=answered.answers,
                score=answered.score,
                submission=submission,
                **fields,
            )
            visit.people_seen.set(people)
            change_record(
                actor=actor,
                subject=household,
                entity=visit,
                action=ChangeAction.CREATE,
                after={
                    "purpose": fields["purpose"],
                    "score": answered.score,
                    "hazards": len(answered.hazards),
                },
            )
            subject = ("registry.visit", visit.pk, household.village_id)
            for code, upload in photos.items():
                if code in answered.answers and sha256_of(upload) not in {e.sha256 for e in stored}:
                    stored.append(
                        evidence_add(
                            actor=actor, kind="photo", upload=upload, note=item_labels[code], subject=subject
                        )
                    )
            for upload in extra_photos:
                try:
                    stored.append(evidence_add(actor=actor, kind="photo", upload=upload, subject=subject))
                except ValidationError:
                    continue  # the same extra photo twice: kept once
            _update_conditions(actor, household, visit, answered.answers)
            for hazard in answered.hazards:
                _problem_open(actor, household, visit, hazard)
    except IntegrityError:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise ValidationError(_("This visit has already been saved (the form was sent twice).")) from None
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return visit


def _update_conditions(actor: User, household: Household, visit: Visit, answers: dict) -> None:
    """The household's heating and CO alarm as the visitor saw them (the only registry fields a visit
    changes; a grid worker changes nothing else of the registry)."""
    if "heating" not in answers:
        return
    heating = answers["heating"]
    co_alarm = answers.get("co_alarm") == "yes" if heating in codes.COMBUSTION_HEATING else household.co_alarm
    current = Household.objects.select_for_update().get(pk=household.pk)
    before = {"heating": current.heating, "co_alarm": current.co_alarm}
    after = {"heating": heating, "co_alarm": co_alarm}
    if before == after:
        return
    Household.objects.filter(pk=current.pk).update(
        heating=heating, co_alarm=co_alarm, version=F("version") + 1
    )
    current.heating, current.co_alarm = heating, co_alarm
    change_record(
        actor=actor,
        subject=current,
        entity=current,
        action=ChangeAction.UPDATE,
        before=before,
        after=after,
        event="conditions_seen",
        reason=_("Seen on the visit of %(day)s")
        % {"day": timezone.localtime(visit.visited_at).strftime("%Y-%m-%d")},
    )
    household.heating, household.co_alarm = heating, co_alarm


def _problem_open(actor: User, household: Household, visit: Visit, hazard: dict) -> Problem:
    description = f"{hazard['label']}：{hazard['answer']}"[:300]
    category = hazard["category"] if hazard["category"] in codes.ProblemCategory.values else "other"
    problem = Problem.objects.create(
        household=household, visit=visit, category=category, item=hazard["item"], description=description
    )
    head = household.head.name if household.head_id else ""
    whose = _("%(head)s household") % {"head": head} if head else ""
    title = f"{whose} · {description}"
    problem.case = case_open(
        actor=actor,
        workflow_code=workflow.CODE,
        division_code=household.village_id,
        title=title,
        subject_kind=workflow.SUBJECT,
        subject_id=problem.pk,
        at=visit.visited_at,
    )
    problem.save(update_fields=["case"])
    return problem


def visit_rule_set(
    *, actor: User, rule: VisitRule, every_days: int | None, cold_wave_hours: int | None, active: bool
) -> VisitRule:
    """The city bureau changes how often a group is visited (recorded)."""
    if actor.role != Role.CITY_BUREAU:
        raise PermissionDenied(_("Only the city bureau sets the visiting rules."))
    errors = {}
    if every_days is not None and not 1 <= every_days <= 366:
        errors["every_days"] = [_("Between 1 and 366 days.")]
    if cold_wave_hours is not None and not 1 <= cold_wave_hours <= 240:
        errors["cold_wave_hours"] = [_("Between 1 and 240 hours.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = VisitRule.objects.select_for_update().get(pk=rule.pk)
        before = {
            "every_days": current.every_days,
            "cold_wave_hours": current.cold_wave_hours,
            "active": current.active,
        }
        if (active and not current.active) or (every_days and not current.every_days):
            # A rule coming (back) into force counts households never visited from now, not from
            # their registration years ago: it does not make them all overdue at once.
            current.in_force_since = timezone.now()
        current.every_days, current.cold_wave_hours, current.active = every_days, cold_wave_hours, active
        current.changed_at, current.changed_by = timezone.now(), actor
        current.save()
        change_record(
            actor=actor,
            subject=current,
            entity=current,
            action=ChangeAction.UPDATE,
            before=before,
            after={"every_days": every_days, "cold_wave_hours": cold_wave_hours, "active": active},
        )
    return current
