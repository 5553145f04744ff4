"""Writes of applications: making one (by the household, a proxy, or staff from a 政策找人 hit), the
records the steps need (investigation, data match, spot-check, objections), the decision that
freezes the rule's explanation and starts the enrolment from the next month, appeals, staff's near
relatives, and the six-item self-care assessment that sets a 特困 person's care tier.

The steps themselves are the kernel's (core.workflows.services.case_transition); the effects at the
end of this module are what the table (applications.workflow) runs with a step, in its transaction."""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core.documents import document_number
from safetynet.core.scope import subtree_q
from safetynet.core.services import ConflictError, change_record
from safetynet.core.text import refuse_control_characters
from safetynet.core.types import ChangeAction, Role, User
from safetynet.core.workflows.services import case_open, case_transition
from safetynet.programmes.applications import workflow
from safetynet.programmes.facts import explanation_data, household_explanation
from safetynet.programmes.models import (
    APPLIED_PROGRAMMES,
    Appeal,
    Application,
    EligibilityResult,
    Enrolment,
    NearRelative,
    Objection,
    SelfCareAssessment,
    SelfCareReport,
)
from safetynet.programmes.rules import PROGRAMME_NAMES
from safetynet.programmes.selectors import first_of_next_month

# Who hands an application in: the village's coordinator (helping the household) and the township.
START_ROLES = {Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE}
# Who declares near relatives: the staff who handle applications (art. 11).
DECLARING_ROLES = {Role.VILLAGE_COORDINATOR, Role.GRID_WORKER, Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU}
# At least this share of the 特困 files the county reviews is spot-checked (特困认定办法 art. 16).
SPOT_CHECK_SHARE = Decimal("0.3")
INVESTIGATION_METHODS = ("home_visit", "neighbours", "letters")
# What the county's data match asks the departments (art. 17).
MATCH_SOURCES = (
    "hukou",
    "tax",
    "social_insurance",
    "real_estate",
    "business",
    "housing_fund",
    "vehicles",
    "deposits",
    "insurance",
    "securities",
    "internet_finance",
)
SELF_CARE_LEVELS = ((0, 1), (3, 2), (6, 3))  # at most k items lost → SelfCare level


def checked_text(value, *, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not isinstance(value, str):
        raise ValidationError({field: _("Give text.")})
    try:
        refuse_control_characters(value, lines=limit >= 500)  # the long ones are written in a text box
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": limit}})
    return value


def _staff_name(user: User) -> str:
    return user.get_full_name() or user.username


def _locked(application_id: int, actor: User, version: int | None = None) -> Application:
    from safetynet.core.scope import in_area

    try:
        application = (
            Application.objects.select_for_update(of=("self",)).select_related("case").get(pk=application_id)
        )
    except (Application.DoesNotExist, TypeError, ValueError):
        raise Application.DoesNotExist from None
    if not in_area(actor, application.village_id):
        raise Application.DoesNotExist  # another area's application is not found, never forbidden
    if version is not None and application.version != version:
        raise ConflictError(
            _("Someone else saved this application meanwhile: reload the page and look before saving again.")
        )
    return application


# --- making an application ------------------------------------------------------------------------------


def devolved(county: str, at) -> bool:
    """Has the county devolved 低保 decisions to its townships on that day (the "devolved" standard)?"""
    from safetynet.programmes.selectors import standard_at

    found = standard_at(kind="devolved", county=county, on=timezone.localtime(at).date())
    return found is not None and found.value >= 1


def application_start(
    *,
    actor: User,
    household_id: int,
    programme: str,
    channel: str,
    person_id=None,
    proxy: str = "",
    run_id: int | None = None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Application:
    """Hand in an application for a household (for 特困, for one member). Refused, changing nothing,
    when the household already has one in progress for the programme or already receives it."""
    from safetynet.registry.models import Household
    from safetynet.registry.selectors import household_get, household_members

    if actor.role not in START_ROLES:
        raise PermissionDenied(_("Applications are handed in by the village coordinator or the township."))
    household = household_get(actor=actor, pk=household_id)
    errors = {}
    if programme not in APPLIED_PROGRAMMES:
        errors["programme"] = _("Choose 低保, 低保边缘, 特困 or 刚性支出困难.")
    if channel not in Application.Channel.values:
        errors["channel"] = _("Say how the application came: by the household, a proxy, or found by staff.")
    try:
        proxy = checked_text(proxy, field="proxy", limit=60, required=channel == Application.Channel.PROXY)
        reason = checked_text(reason, field="reason", limit=500)
    except ValidationError as error:
        errors.update(error.message_dict)
    members = {m.person_id: m.person for m in household_members(household=household) if m.left_on is None}
    if person_id is None and programme != "tekun":
        person_id = household.head_id
    person = members.get(person_id) if isinstance(person_id, int) else None
    if person is None:
        errors["person"] = (
            _("Choose the member the application is for.")
            if programme == "tekun"
            else _("Choose the member who applies.")
        )
    run = None
    if run_id is not None:
        hit = (
            EligibilityResult.objects.filter(
                run_id=run_id, household_id=household.pk, programme=programme, qualifies=True, enrolled=False
            )
            .select_related("run")
            .first()
        )
        if hit is None:
            errors["run"] = _(
                "That run did not find this household qualifying without receiving the programme."
            )
        else:
            run = hit.run
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One application at a time per household and programme: the household row is the lock.
        Household.objects.select_for_update().filter(pk=household.pk).first()
        open_ones = Application.objects.filter(
            household=household, programme=programme, case__closed_at__isnull=True
        )
        if programme == "tekun":
            open_ones = open_ones.filter(person=person)
        if open_ones.exists():
            raise ValidationError(
                {
                    "programme": _(
                        "An application for this programme is already in progress (number %(number)s)."
                    )
                    % {"number": open_ones.first().pk}
                }
            )
        receiving = Enrolment.objects.filter(household=household, programme=programme, until__isnull=True)
        receiving = (
            receiving.filter(person=person) if programme == "tekun" else receiving.filter(person__isnull=True)
        )
        if receiving.exists():
            raise ValidationError({"programme": _("The household already receives this programme.")})
        relatives = list(NearRelative.objects.filter(person_id__in=list(members)).select_related("staff"))
        now = at or timezone.now()  # `at`: the demo city hands its applications in on days past
        application = Application.objects.create(
            household=household,
            person=person,
            programme=programme,
            channel=channel,
            proxy=proxy,
            found_by_run=run,
            village_id=household.village_id,
            created_at=now,
            created_by=actor,
            near_relative_of=sorted({_staff_name(r.staff) for r in relatives}),
        )
        with official_language():  # stored: in the bureau's language, whoever typed it
            title = _("%(programme)s: %(name)s, %(village)s") % {
                "programme": PROGRAMME_NAMES[programme],
                "name": person.name,
                "village": household.village.name,
            }
        application.case = case_open(
            actor=actor,
            workflow_code=workflow.workflow_code(programme, devolved=devolved(household.village_id[:6], now)),
            division_code=household.village_id,
            title=title,
            subject_kind=workflow.SUBJECT,
            subject_id=application.pk,
            at=now,
            reason=reason,
        )
        application.save(update_fields=["case"])
        change_record(
            actor=actor,
            subject=household,
            entity=application,
            action=ChangeAction.CREATE,
            event="applied",
            after={
                "programme": programme,
                "channel": channel,
                "person_name": person.name,
                "proxy": proxy,
                "near_relative_of": "、".join(sorted({_staff_name(r.staff) for r in relatives})),
            },
        )
    return application


# --- the records the steps need --------------------------------------------------------------------------


def _check_state(application: Application, states: tuple[str, ...], what: str) -> None:
    if application.case.state not in states:
        flow = workflow.flow_of(application)
        raise ValidationError(
            _("%(what)s cannot be recorded while the application is “%(state)s”.")
            % {"what": what, "state": flow.state(application.case.state).label}
        )


def investigation_record(
    *,
    actor: User,
    application_id: int,
    investigators: list,
    methods: list,
    findings: str,
    version: int | None = None,
) -> Application:
    """The township's household investigation (art. 16): at least two investigators, the home visit
    among the methods, what was found."""
    if actor.role != Role.TOWNSHIP_OFFICE:
        raise PermissionDenied(_("The township investigates."))
    errors = {}
    names = []
    if not isinstance(investigators, list | tuple):
        investigators = []
    for name in investigators:
        if not isinstance(name, str):
            continue
        name = name.strip()
        if "\x00" in name or len(name) > 30:
            errors["investigators"] = _("Each investigator's name is at most 30 characters.")
        elif name and name not in names:
            names.append(name)
    if len(names) < 2 and "investigators" not in errors:
        errors["investigators"] = _("At least two investigators take part (art. 16).")
    if (
        not isinstance(methods, list | tuple)
        or not set(methods) <= set(INVESTIGATION_METHODS)
        or "home_visit" not in methods
    ):
        errors["methods"] = _(
            "The investigation includes a home visit; choose among home visit, neighbour "
            "interviews and letters."
        )
    try:
        findings = checked_text(findings, field="findings", limit=1000, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = _locked(application_id, actor, version)
        _check_state(
            application,
            ("investigating", "match_requested", "matched", "reinvestigation"),
            _("The investigation"),
        )
        application.investigators = names
        application.investigation_methods = [m for m in INVESTIGATION_METHODS if m in methods]
        application.findings = findings
        application.investigated_at = timezone.now()
        application.version += 1
        application.save()
        change_record(
            actor=actor,
            subject=application.household,
            entity=application,
            action=ChangeAction.UPDATE,
            event="investigated",
            after={"investigators": "、".join(names), "findings": findings},
        )
    return application


def match_fill(
    *,
    actor: User,
    application_id: int,
    version: int,
    results: dict,
    passes: bool,
    at: datetime.datetime | None = None,
) -> Application:
    """The county's data match (art. 17), filled by hand from what each department answered, and the
    step that hands it back to the township. `version` is the case's, as the user saw it."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county does the data match."))
    if not isinstance(results, dict) or set(results) != set(MATCH_SOURCES):
        raise ValidationError({"results": _("Say what each department's records show (“无记录” when none).")})
    clean = {}
    for source in MATCH_SOURCES:
        clean[source] = checked_text(results[source], field=f"results.{source}", limit=200, required=True)
    if not isinstance(passes, bool):
        raise ValidationError({"passes": _("Say whether the household still qualifies on these records.")})
    with transaction.atomic():
        application = _locked(application_id, actor)
        _check_state(application, ("match_requested",), _("The data match"))
        application.match_results, application.match_passes = clean, passes
        application.match_filled_at, application.match_filled_by = at or timezone.now(), actor
        application.version += 1
        application.save()
        change_record(
            actor=actor,
            subject=application.household,
            entity=application,
            action=ChangeAction.UPDATE,
            event="matched",
            after={"match_passes": passes},
        )
        case_transition(
            actor=actor, case_id=application.case_id, transition="matched", version=version, at=at
        )
    return application


def objection_record(
    *, actor: User, application_id: int, version: int, text: str, raised_by: str = ""
) -> Application:
    """An objection to the public notice (art. 19), by name or not: the file goes back to be checked."""
    if actor.role != Role.TOWNSHIP_OFFICE:
        raise PermissionDenied(_("The township records objections to its notice."))
    text = checked_text(text, field="text", limit=500, required=True)
    raised_by = checked_text(raised_by, field="raised_by", limit=60)
    with transaction.atomic():
        application = _locked(application_id, actor)
        case_transition(
            actor=actor,
            case_id=application.case_id,
            transition="objection",
            version=version,
            reason=text,
            data={"raised_by": raised_by},
        )
    return application


def spot_check_record(
    *, actor: User, application_id: int, finding: str, version: int | None = None
) -> Application:
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county spot-checks the files it reviews."))
    finding = checked_text(finding, field="finding", limit=500, required=True)
    with transaction.atomic():
        application = _locked(application_id, actor, version)
        _check_state(application, ("county_review",), _("The spot-check"))
        if not application.spot_check:
            raise ValidationError(_("This file was not chosen for a spot-check."))
        application.spot_checked, application.version = finding, application.version + 1
        application.save()
        change_record(
            actor=actor,
            subject=application.household,
            entity=application,
            action=ChangeAction.UPDATE,
            event="spot_checked",
            after={"spot_checked": finding},
        )
    return application


# --- appeals -------------------------------------------------------------------------------------------


def appeal_file(*, actor: User, application_id: int, kind: str, filed_on: datetime.date, body: str) -> Appeal:
    """An administrative reconsideration or lawsuit against a decision, recorded by the county."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county records appeals against its decisions."))
    errors = {}
    if kind not in Appeal.Kind.values:
        errors["kind"] = _("Choose administrative reconsideration or lawsuit.")
    try:
        body = checked_text(body, field="body", limit=100, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(filed_on, datetime.date) or filed_on > timezone.localdate():
        errors["filed_on"] = _("Give the day it was filed, not after today.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = _locked(application_id, actor)
        if not application.decision:
            raise ValidationError(_("Only a decision can be appealed: this application is not decided yet."))
        if filed_on < timezone.localtime(application.decided_at).date():
            raise ValidationError({"filed_on": _("An appeal is filed after the decision it is against.")})
        if application.appeals.filter(outcome="").exists():
            raise ValidationError(_("An appeal against this decision is already pending."))
        appeal = Appeal.objects.create(
            application=application, kind=kind, filed_on=filed_on, body=body, recorded_by=actor
        )
        change_record(
            actor=actor,
            subject=application.household,
            entity=appeal,
            action=ChangeAction.CREATE,
            event="filed",
            after={"kind": kind, "filed_on": filed_on.isoformat(), "body": body},
        )
    return appeal


def months_between(first: datetime.date, through: datetime.date) -> int:
    """Months from `first`'s month through `through`'s month, both counted."""
    return max(0, (through.year - first.year) * 12 + through.month - first.month + 1)


def appeal_decide(
    *, actor: User, appeal_id: int, version: int, outcome: str, outcome_on: datetime.date, note: str = ""
) -> Appeal:
    """The outcome of an appeal. Upheld: the decision stands. Re-decided (a rejection found wrong):
    the application is approved as of the first decision — the household receives the programme from
    the month that decision would have started, and the months already past are owed as arrears."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county records appeals against its decisions."))
    if outcome not in (Appeal.Outcome.UPHELD, Appeal.Outcome.REDECIDED):
        raise ValidationError({"outcome": _("Choose upheld or re-decided.")})
    note = checked_text(note, field="note", limit=500, required=outcome == Appeal.Outcome.REDECIDED)
    today = timezone.localdate()
    with transaction.atomic():
        try:
            appeal = Appeal.objects.select_for_update().get(pk=appeal_id)
        except (Appeal.DoesNotExist, TypeError, ValueError):
            raise Appeal.DoesNotExist from None
        application = _locked(appeal.application_id, actor)
        if appeal.version != version or appeal.outcome:
            raise ValidationError(
                _("Someone else has recorded this appeal's outcome meanwhile: reload the page.")
            )
        if not isinstance(outcome_on, datetime.date) or not appeal.filed_on <= outcome_on <= today:
            raise ValidationError({"outcome_on": _("The outcome comes between the filing and today.")})
        if outcome == Appeal.Outcome.REDECIDED:
            if application.decision != Application.Decision.REJECTED:
                raise ValidationError(
                    {
                        "outcome": _(
                            "Only a rejection is re-decided here; an approved amount is "
                            "changed on the enrolment."
                        )
                    }
                )
            decided_on = timezone.localtime(application.decided_at).date()
            # The decision as it should have been: the rule over the household's facts and the
            # standards of the day of the first decision, paid from the month it would have started.
            # The months before this one are owed; this month is paid with the month's payments.
            fixed = _decision_figures(actor, application, on=decided_on)
            since = first_of_next_month(decided_on)
            months = max(0, months_between(since, today) - 1)
            application.enrolment = _enrol(
                actor,
                application,
                fixed["amount"],
                since,
                decided_on=today,
                suffix=official(gettext_lazy("(on appeal)")),
            )
            # Decided again now (the approval notice bears today's date and number).
            application.decided_at, application.decided_by = timezone.now(), actor
            application.decision, application.amount, application.benefit_from = (
                Application.Decision.APPROVED,
                fixed["amount"],
                since,
            )
            application.explanation = fixed["explanation"]
            application.version += 1
            application.save()
            appeal.arrears, appeal.arrears_months = fixed["amount"] * months, months
            case = application.case
            if case.state == "rejected":  # the written rejection was not handed over yet: it never will be
                case_transition(
                    actor=actor,
                    case_id=case.pk,
                    transition="redecide",
                    version=case.version,
                    reason=note[:500],
                    data={"appeal": appeal.pk},
                )
            change_record(
                actor=actor,
                subject=application.household,
                entity=application,
                action=ChangeAction.UPDATE,
                event="redecided",
                before={"decision": "rejected"},
                after={
                    "decision": "approved",
                    "amount": str(fixed["amount"]),
                    "benefit_from": since.isoformat(),
                },
                reason=note,
            )
        appeal.outcome, appeal.outcome_on, appeal.note = outcome, outcome_on, note
        appeal.version += 1
        appeal.save()
        change_record(
            actor=actor,
            subject=application.household,
            entity=appeal,
            action=ChangeAction.UPDATE,
            event="decided",
            after={"outcome": outcome, "outcome_on": outcome_on.isoformat()},
            reason=note,
        )
    return appeal


# --- near relatives and self-care ---------------------------------------------------------------------------


def near_relative_declare(*, actor: User, person_id: int, relation: str) -> NearRelative:
    """A member of staff declares a registered person as their near relative (art. 11 备案)."""
    from safetynet.registry.selectors import person_get

    if actor.role not in DECLARING_ROLES:
        raise PermissionDenied(_("Staff who handle applications declare their near relatives."))
    relation = checked_text(relation, field="relation", limit=30, required=True)
    person = person_get(actor=actor, pk=person_id)
    with transaction.atomic():
        if NearRelative.objects.filter(staff=actor, person=person).exists():
            raise ValidationError({"person": _("You have declared this person already.")})
        declared = NearRelative.objects.create(
            staff=actor, person=person, relation=relation, declared_at=timezone.now()
        )
        change_record(
            actor=actor,
            subject=person,
            entity=declared,
            action=ChangeAction.CREATE,
            event="declared",
            after={"staff": _staff_name(actor), "relation": relation},
        )
    return declared


def _household_of(person):
    """Where the person's assessment shows: their household's history, or their own record."""
    from safetynet.registry.models import Membership

    membership = (
        Membership.objects.filter(person=person, left_on__isnull=True).select_related("household").first()
    )
    return membership.household if membership else person


def self_care_level(lost: int) -> int:
    """k of the six items lost → 1 able (k = 0), 2 partly lost (1–3), 3 fully lost (4 or more)."""
    return next(level for most, level in SELF_CARE_LEVELS if lost <= most)


def self_care_assess(
    *, actor: User, person_id: int, cannot: list, reason: str = "", application_id: int | None = None
) -> SelfCareAssessment:
    """The county's six-item assessment; it sets the person's self-care ability, and with it the
    特困 care tier the rules pay."""
    from safetynet.registry.models import Person
    from safetynet.registry.selectors import person_get

    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county assesses self-care ability."))
    if not isinstance(cannot, list | tuple) or not set(cannot) <= set(SelfCareAssessment.ITEMS):
        raise ValidationError({"cannot": _("Tick the items the person cannot do, among the six.")})
    reason = checked_text(reason, field="reason", limit=200)
    person = person_get(actor=actor, pk=person_id)
    items = [item for item in SelfCareAssessment.ITEMS if item in cannot]
    level = self_care_level(len(items))
    with transaction.atomic():
        application = None
        if application_id is not None:
            application = _locked(application_id, actor)
            if application.person_id != person.pk:
                raise ValidationError({"application": _("That application is for another person.")})
        previous = Person.objects.select_for_update().values_list("self_care", flat=True).get(pk=person.pk)
        assessment = SelfCareAssessment.objects.create(
            person=person,
            application=application,
            cannot=items,
            lost=len(items),
            level=level,
            previous_level=previous,
            reason=reason,
            assessed_on=timezone.localdate(),
            assessed_by=actor,
        )
        Person.objects.filter(pk=person.pk).update(
            self_care=level, version=F("version") + 1, updated_at=timezone.now()
        )
        change_record(
            actor=actor,
            subject=_household_of(person),
            entity=assessment,
            action=ChangeAction.CREATE,
            event="assessed",
            before={"level": previous},
            after={"level": level, "lost": len(items)},
            reason=reason,
        )
        _pay_the_new_tier(actor, person)
        # A reported change waiting for this assessment is answered by it.
        report = (
            SelfCareReport.objects.select_for_update(of=("self",))
            .filter(person=person, assessment__isnull=True, case__closed_at__isnull=True)
            .select_related("case")
            .first()
        )
        if report is not None:
            report.assessment = assessment
            report.save(update_fields=["assessment"])
            case_transition(
                actor=actor, case_id=report.case_id, transition="assess", version=report.case.version
            )
    return assessment


# Who reports a change of a 特困 person's ability: those who visit and the township.
REPORT_ROLES = {Role.VILLAGE_COORDINATOR, Role.GRID_WORKER, Role.TOWNSHIP_OFFICE}


def self_care_change_report(*, actor: User, person_id: int, what: str) -> SelfCareReport:
    """A change of a 特困 person's self-care ability, reported: the county re-assesses within 10
    working days (art. 23)."""
    from safetynet.registry.selectors import person_get

    if actor.role not in REPORT_ROLES:
        raise PermissionDenied(_("The village, the grid worker or the township reports a change."))
    what = checked_text(what, field="what", limit=300, required=True)
    person = person_get(actor=actor, pk=person_id)
    with transaction.atomic():
        if not Enrolment.objects.filter(person=person, programme="tekun", until__isnull=True).exists():
            raise ValidationError(
                _(
                    "Only the self-care ability of a person receiving extreme poverty "
                    "assistance is re-assessed this way."
                )
            )
        if SelfCareReport.objects.filter(person=person, case__closed_at__isnull=True).exists():
            raise ValidationError(
                _("A change reported earlier is still waiting for the county's assessment.")
            )
        now = timezone.now()
        report = SelfCareReport.objects.create(person=person, what=what, reported_at=now, reported_by=actor)
        report.case = case_open(
            actor=actor,
            workflow_code=workflow.SELF_CARE_CHANGE,
            division_code=person.area_id,
            title=official(gettext_lazy("Self-care ability changed: %(name)s"), name=person.name),
            subject_kind=workflow.SELF_CARE_SUBJECT,
            subject_id=report.pk,
            at=now,
            reason=what,
        )
        report.save(update_fields=["case"])
    return report


def follow_the_household(household_id: int, village_code: str) -> None:
    """A household moved to another village: its applications, the reports about it and the
    reported changes of its members go with it — on the new village's board and desks, off the
    old one's (registered with the registry's moves)."""
    from safetynet.core.workflows.services import cases_move_area
    from safetynet.programmes.models import Complaint
    from safetynet.registry.models import Membership

    applications = list(Application.objects.filter(household_id=household_id).values_list("pk", flat=True))
    Application.objects.filter(pk__in=applications).update(village_id=village_code)
    cases_move_area(subject_kind=workflow.SUBJECT, subject_ids=applications, division_code=village_code)
    complaints = list(Complaint.objects.filter(household_id=household_id).values_list("pk", flat=True))
    Complaint.objects.filter(pk__in=complaints).update(area_id=village_code)
    cases_move_area(subject_kind="programmes.complaint", subject_ids=complaints, division_code=village_code)
    members = Membership.objects.filter(household_id=household_id, left_on__isnull=True).values("person_id")
    reports = SelfCareReport.objects.filter(person_id__in=members).values_list("pk", flat=True)
    cases_move_area(subject_kind=workflow.SELF_CARE_SUBJECT, subject_ids=reports, division_code=village_code)


# --- what the steps record (the table's effects, inside the step's transaction) ---------------------------


def _of(case) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("household")
        .get(pk=case.subject_id)
    )


def materials_missing(case, event) -> None:
    application = _of(case)
    application.missing_materials, application.version = event.reason, application.version + 1
    application.save(update_fields=["missing_materials", "version"])


def opinion_given(case, event) -> None:
    """The township's opinion, with the amount the rule gives today (what the notice shows)."""
    application = _of(case)
    application.opinion = event.reason
    found = _rule_result(event.actor, application, on=timezone.localdate())
    application.amount = found["amount"]
    application.version += 1
    application.save(update_fields=["opinion", "amount", "version"])


def notice_posted(case, event) -> None:
    application = _of(case)
    first = timezone.localtime(event.at).date()
    application.notice_from = first
    # Posted on `first`, the seven days run from the next (Civil Code art. 201).
    application.notice_until = first + datetime.timedelta(days=workflow.NOTICE_DAYS)
    application.version += 1
    application.save(update_fields=["notice_from", "notice_until", "version"])


def objection_raised(case, event) -> None:
    application = _of(case)
    Objection.objects.create(
        application=application,
        received_at=event.at,
        text=event.reason,
        raised_by=str(event.data.get("raised_by", ""))[:60],
        recorded_by=event.actor,
    )


def objections_settled(case, event) -> None:
    """The objection settled: the opinion given again, with the amount the rule gives now (the next
    notice shows it)."""
    _of(case).objections.filter(settled="").update(settled=event.reason)
    opinion_given(case, event)


def checked_again(case, event) -> None:
    """The household objects to the data match with evidence (art. 18): the file is investigated and
    matched again; the earlier records no longer open the way to the opinion."""
    application = _of(case)
    application.match_results, application.match_passes, application.match_filled_at = {}, None, None
    application.match_filled_by = None
    application.investigated_at = None
    application.version += 1
    application.save(
        update_fields=[
            "match_results",
            "match_passes",
            "match_filled_at",
            "match_filled_by",
            "investigated_at",
            "version",
        ]
    )


def review_begins(case, event) -> None:
    """The file reaches the county. A 特困 file is chosen for the spot-check at random, and always
    when the county's share checked so far would otherwise fall under 30 %."""
    from safetynet.programmes.applications.selectors import near_relatives_now

    application = _of(case)
    application.reviewed_at = event.at
    # Registered separately if a member is a near relative of staff now, however it was at hand-in.
    application.near_relative_of = near_relatives_now(application)
    if application.programme == "tekun":
        county = application.village_id[:6]
        reviewed = Application.objects.filter(
            subtree_q("village_id", county), programme="tekun", reviewed_at__isnull=False
        ).exclude(pk=application.pk)
        total, checked = reviewed.count(), reviewed.filter(spot_check=True).count()
        application.spot_check = checked < SPOT_CHECK_SHARE * (total + 1) or random.random() < float(
            SPOT_CHECK_SHARE
        )
    application.version += 1
    application.save(update_fields=["reviewed_at", "spot_check", "near_relative_of", "version"])


def _rule_result(actor: User, application: Application, *, on: datetime.date) -> dict:
    """The rule's result for the application (for 特困, the applicant's own) with the whole
    explanation as plain values."""
    with official_language():  # frozen with the decision: the notices are written in Chinese
        explained = explanation_data(
            household_explanation(actor=actor, household=application.household, on=on)
        )
    result = next(r for r in explained["results"] if r["programme"] == application.programme)
    if application.programme == "tekun":
        result = next(
            (p for p in result["persons"] if p["person"] == application.person_id),
            {"qualifies": False, "amount": None},
        )
    amount = Decimal(result["amount"]) if result.get("amount") is not None else None
    return {"qualifies": result["qualifies"], "amount": amount, "explanation": explained}


def _decision_figures(actor: User, application: Application, *, on: datetime.date) -> dict:
    found = _rule_result(actor, application, on=on)
    if not found["qualifies"]:
        raise ValidationError(
            _(
                "On the registry's facts the rule does not grant %(programme)s to this "
                "household: correct the facts the investigation found in the registry, "
                "or reject with the reasons."
            )
            % {"programme": PROGRAMME_NAMES[application.programme]}
        )
    if found["amount"] is None and application.programme in ("dibao", "tekun"):
        raise ValidationError(
            _("No standard in force decides the amount on that day: the city bureau enters it first.")
        )
    return {**found, "amount": found["amount"] if found["amount"] is not None else Decimal(0)}


def decision_number(application: Application, year: int) -> str:
    with official_language():
        return document_number(_("Civil-affairs assistance"), year, application.pk)


def official_language():
    """What is stored for others to read (a case's title, a frozen explanation, a decision number) is
    written in the bureau's language, not the language of the page the clerk happened to use."""
    return translation.override(settings.LANGUAGE_CODE)


def official(message, **values) -> str:
    with official_language():
        return str(message) % values if values else str(message)


def _enrol(
    actor: User,
    application: Application,
    amount: Decimal,
    since: datetime.date,
    *,
    decided_on: datetime.date,
    suffix="",
):
    """The enrolment the decision starts, numbered by the year of the decision."""
    from safetynet.programmes.services import enrolment_start

    year = decided_on.year
    return enrolment_start(
        actor=actor,
        household=application.household,
        programme=application.programme,
        since=since,
        amount=amount,
        decision=f"{decision_number(application, year)}{suffix}"[:60],
        person=application.person if application.programme == "tekun" else None,
        devolved=application.case.workflow == workflow.DEVOLVED,
    )


# Programmes a household does not receive together (SPEC §1.5): approving the first ends the others
# from its first month; approving it while receiving one it cannot follow is refused.
ENDED_BY = {"dibao": ("edge", "rigid"), "edge": ("rigid",)}
REFUSED_WITH = {"edge": ("dibao",), "rigid": ("dibao", "edge", "tekun")}


def _end_or_refuse_overlaps(actor: User, application: Application, since: datetime.date) -> None:
    from safetynet.programmes.services import enrolment_end
    from safetynet.registry.selectors import household_members

    household = application.household
    receiving = Enrolment.objects.filter(household=household, until__isnull=True)
    for other in REFUSED_WITH.get(application.programme, ()):
        if receiving.filter(programme=other).exists():
            raise ValidationError(
                _(
                    "The household receives %(other)s: it cannot be given %(programme)s as "
                    "well. Its review decides first."
                )
                % {"other": PROGRAMME_NAMES[other], "programme": PROGRAMME_NAMES[application.programme]}
            )
    ending = list(
        receiving.filter(programme__in=ENDED_BY.get(application.programme, ()), person__isnull=True)
    )
    if application.programme == "tekun":
        members = [m for m in household_members(household=household) if m.left_on is None]
        if [m.person_id for m in members] == [application.person_id]:
            # One person alone: 特困 supports them in full, 低保 is not given beside it.
            ending += list(receiving.filter(programme="dibao", person__isnull=True))
    for enrolment in ending:
        if enrolment.since >= since:
            raise ValidationError(
                _("The household's %(other)s begins only then: end it before approving.")
                % {"other": PROGRAMME_NAMES[enrolment.programme]}
            )
        enrolment_end(
            actor=actor,
            enrolment=enrolment,
            version=enrolment.version,
            until=since,
            devolved=application.case.workflow == workflow.DEVOLVED,
            reason=official(
                gettext_lazy("replaced by %(programme)s"),
                programme=official(PROGRAMME_NAMES[application.programme]),
            ),
        )


def _pay_the_new_tier(actor: User, person) -> None:
    """The care tier changed: the person's 特困 pays the new tier from next month (an enrolment not
    begun yet changes its amount before its first month)."""
    from safetynet.programmes.services import enrolment_end, enrolment_start

    enrolment = (
        Enrolment.objects.filter(person=person, programme="tekun", until__isnull=True)
        .select_related("household")
        .first()
    )
    if enrolment is None:
        return
    today = timezone.localdate()
    with official_language():
        explained = explanation_data(
            household_explanation(actor=actor, household=enrolment.household, on=today)
        )
    tekun = next(r for r in explained["results"] if r["programme"] == "tekun")
    mine = next((p for p in tekun["persons"] if p["person"] == person.pk), None)
    if mine is None or not mine["qualifies"] or mine["amount"] is None:
        return  # no longer qualifying is for the review to decide, not for an assessment
    amount = Decimal(mine["amount"])
    if amount == enrolment.amount:
        return
    since = first_of_next_month(today)
    if enrolment.since >= since:
        Enrolment.objects.filter(pk=enrolment.pk).update(amount=amount, version=F("version") + 1)
        change_record(
            actor=actor,
            subject=enrolment.household,
            entity=enrolment,
            action=ChangeAction.UPDATE,
            event="adjusted",
            before={"amount": str(enrolment.amount)},
            after={"amount": str(amount)},
        )
        return
    enrolment_end(
        actor=actor,
        enrolment=enrolment,
        version=enrolment.version,
        until=since,
        reason=official(gettext_lazy("care tier re-assessed")),
    )
    enrolment_start(
        actor=actor,
        household=enrolment.household,
        programme="tekun",
        since=since,
        amount=amount,
        decision=enrolment.decision,
        person=person,
    )


def approved(case, event) -> None:
    """The county approves: the rule's explanation is frozen as it stands today, the amount fixed, and
    the household receives the programme from the next month."""
    application = _of(case)
    today = timezone.localtime(event.at).date()
    fixed = _decision_figures(event.actor, application, on=today)
    since = first_of_next_month(today)
    _end_or_refuse_overlaps(event.actor, application, since)
    application.enrolment = _enrol(event.actor, application, fixed["amount"], since, decided_on=today)
    application.decision, application.decided_at, application.decided_by = (
        Application.Decision.APPROVED,
        event.at,
        event.actor,
    )
    application.explanation, application.amount, application.benefit_from = (
        fixed["explanation"],
        fixed["amount"],
        since,
    )
    application.version += 1
    application.save()
    change_record(
        actor=event.actor,
        subject=application.household,
        entity=application,
        action=ChangeAction.UPDATE,
        event="approved",
        after={"amount": str(fixed["amount"]), "benefit_from": since.isoformat()},
    )


def rejected(case, event) -> None:
    application = _of(case)
    today = timezone.localtime(event.at).date()
    application.decision, application.decided_at, application.decided_by = (
        Application.Decision.REJECTED,
        event.at,
        event.actor,
    )
    application.reasons = event.reason
    application.explanation = _rule_result(event.actor, application, on=today)["explanation"]
    application.version += 1
    application.save()
    change_record(
        actor=event.actor,
        subject=application.household,
        entity=application,
        action=ChangeAction.UPDATE,
        event="rejected",
        after={"reasons": event.reason},
    )


# The steps' effects, by the names the table gives them (the table cannot import this module: it is
# imported by it).
workflow.EFFECTS.update(
    {
        effect.__name__: effect
        for effect in (
            materials_missing,
            opinion_given,
            notice_posted,
            objection_raised,
            objections_settled,
            checked_again,
            review_begins,
            approved,
            rejected,
        )
    }
)
