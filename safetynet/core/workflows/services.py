"""The kernel's writes on cases: open one, move it by a transition of its table, sweep overdue work
up the ladder, reckon provisional deadlines again when the calendar changes.

A transition locks the case row, checks the version the user saw (two people acting at once: the
second is told who acted and when), asks the table whether the step is allowed from here, by this
role, in this area, with these guards and this evidence, then records one CaseEvent and sets the
next deadline. The app owning the case type wraps these in its own services (registry's
`problem_report_fixed` calls `case_transition` and updates the problem in the same transaction).
"""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.live.publish import live_publish
from safetynet.core.models import Case, CaseEvent, Evidence, Notice, Role, User
from safetynet.core.scope import in_area
from safetynet.core.services import ConflictError
from safetynet.core.sms import sms_queue
from safetynet.core.text import refuse_control_characters
from safetynet.core.workdays.calendar import WorkCalendar
from safetynet.core.workdays.selectors import work_calendar
from safetynet.core.workflows.table import (
    CALENDAR_DAYS,
    HOURS,
    LADDER,
    Workflow,
    end_of_day,
    workflow,
    workflows,
)

REASON_LENGTH = 500
# An escalated case still overdue this long after its escalation goes one level further up.
ESCALATE_AGAIN_AFTER = datetime.timedelta(days=7)

# The office that answers for a level: who reads an escalation.
LEVEL_ROLES = {
    "village": Role.VILLAGE_COORDINATOR,
    "township": Role.TOWNSHIP_OFFICE,
    "county": Role.COUNTY_BUREAU,
    "city": Role.CITY_BUREAU,
}
LEVEL_CODE_LENGTH = {"village": 12, "township": 9, "county": 6, "city": 4}


def reckon(flow: Workflow, state: str, entered: dict, calendar: WorkCalendar,
           extension: int = 0) -> tuple[datetime.datetime | None, bool]:
    """When the case is due in `state` (the earlier of its own limit and the overall one it keeps),
    and whether that was reckoned over a year not entered. `extension`: the case's, added to an
    extendable limit."""
    found = [_due(limit, state, entered, calendar, extension)
             for limit in (flow.state(state).limit, flow.state(state).overall) if limit is not None]
    found = [due for due in found if due[0] is not None]
    return min(found, key=lambda due: due[0]) if found else (None, False)


def _due(limit, state: str, entered: dict, calendar: WorkCalendar,
         extension: int) -> tuple[datetime.datetime | None, bool]:
    amount = limit.amount + (extension if limit.extendable else 0)
    start_text = entered.get(limit.since or state)
    if start_text is None:
        return None, False
    start = datetime.datetime.fromisoformat(start_text)
    if limit.unit == HOURS:
        deadline = calendar.add_hours(start, amount)
        return deadline.due, False
    local = timezone.localtime(start)
    if limit.unit == CALENDAR_DAYS:
        deadline = calendar.add_calendar_days(local.date(), amount)
    else:
        deadline = calendar.add_working_days(local.date(), amount)
    return end_of_day(deadline.due, local.tzinfo), deadline.provisional


def _text(value: str, *, label: str) -> str:
    value = (value or "").strip()
    refuse_control_characters(value)
    if len(value) > REASON_LENGTH:
        raise ValidationError(_("%(what)s is longer than %(limit)s characters.")
                              % {"what": label, "limit": REASON_LENGTH})
    return value


def case_open(*, actor: User | None, workflow_code: str, division_code: str, title: str,
              subject_kind: str, subject_id: int, at: datetime.datetime | None = None,
              reason: str = "") -> Case:
    """Open a case in its workflow's initial state, due by that state's limit. Called by the owning
    app's service inside its own transaction (the problem and its case are made together)."""
    flow = workflow(workflow_code)
    at = at or timezone.now()
    entered = {flow.initial: at.isoformat()}
    due_at, provisional = reckon(flow, flow.initial, entered, work_calendar())
    case = Case.objects.create(
        workflow=flow.code, state=flow.initial, division_id=division_code, title=title[:200],
        subject_kind=subject_kind, subject_id=subject_id, opened_at=at, opened_by=actor, entered=entered,
        due_at=due_at, due_provisional=provisional,
    )
    CaseEvent.objects.create(case=case, at=at, actor=actor, kind=CaseEvent.Kind.OPENED, to_state=flow.initial,
                             reason=_text(reason, label=_("The reason")), due_at=due_at)
    office = flow.state(flow.initial).office
    if office:
        # New work on an office's desk: its staff hear of it on whatever page they have open.
        length = LEVEL_CODE_LENGTH[office]
        notices_send([Notice(user_id=user_id, at=at, kind="case_opened", case=case,
                             params={"title": case.title})
                      for user_id in User.objects.filter(
                          role=LEVEL_ROLES[office], is_active=True,
                          division_id=division_code[:length]).exclude(
                          pk=actor.pk if actor else None).values_list("pk", flat=True)])
    live_publish(areas=[division_code])
    return case


def granted_cases_q(actor: User) -> Q:
    """The cases the actor reads by a grant (an institution's staff: its hazards), over the workflows
    that declare one: no case for a role no workflow grants any to."""
    where = Q(pk__in=[])
    for flow in workflows():
        if flow.granted is not None and flow.readable_by(actor.role):
            where |= Q(workflow=flow.code) & flow.granted(actor)
    return where


def case_within_reach(actor: User, case: Case) -> bool:
    """Does the case lie in the actor's area, or is it the actor's by a grant?"""
    if in_area(actor, case.division_id):
        return True
    flow = workflow(case.workflow)
    return (flow.granted is not None and flow.readable_by(actor.role)
            and Case.objects.filter(flow.granted(actor), pk=case.pk).exists())


def _who_acted(case: Case) -> str:
    steps = case.events.exclude(kind=CaseEvent.Kind.RECKONED).select_related("actor")
    last = steps.order_by("-at", "-pk").first()
    if last is None:
        return _("Someone else changed this case after you opened it. Reload the page to see what changed.")
    who = str(last.actor) if last.actor else _("the system")
    return _("%(who)s already acted on this case at %(time)s (%(what)s). Reload the page to see what "
             "changed, then decide again.") % {
        "who": who, "time": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
        "what": event_words(workflow(case.workflow), last)}


def event_words(flow: Workflow, event: CaseEvent) -> str:
    """A step of a case's history in the reader's words (the history list, the refusal that names
    who acted first)."""
    if event.kind == CaseEvent.Kind.MOVED:
        move = flow.transition(event.transition)
        return str(move.label) if move else event.transition
    if event.kind == CaseEvent.Kind.ESCALATED:
        return _("Overdue: escalated to the %(to)s") % {"to": Case.Level(event.data.get("to")).label}
    if event.kind == CaseEvent.Kind.OPENED:
        return _("Opened")
    if event.kind == CaseEvent.Kind.EXTENDED:
        return _("Time limit extended by %(amount)s") % {"amount": event.data.get("amount")}
    return _("Deadline reckoned again with the calendar")


def _role_names(codes) -> str:
    return "、".join(str(Role(code).label) for code in sorted(codes))


def case_transition(*, actor: User, case_id: int, transition: str, version: int, reason: str = "",
                    data: dict | None = None, evidence: list[int] | None = None,
                    at: datetime.datetime | None = None) -> Case:
    """Take `transition` on the case the actor saw at `version`. `evidence`: ids of Evidence
    uploaded to this case and not yet used by another step; each kind the transition requires
    must be among them. Refusals change nothing: PermissionDenied for a role or area, ConflictError
    for a stale version, ValidationError with the reason for everything else."""
    data = dict(data or {})
    reason = _text(reason, label=_("The reason"))
    with transaction.atomic():
        try:
            case = Case.objects.select_for_update().get(pk=case_id)
        except Case.DoesNotExist:
            raise ValidationError(_("This case does not exist.")) from None
        if not case_within_reach(actor, case):
            raise PermissionDenied(_("This case is outside your area."))
        if case.version != version:
            raise ConflictError(_who_acted(case))
        flow = workflow(case.workflow)
        move = flow.transition(transition)
        if move is None or not move.leaves(case.state) or flow.state(case.state).final:
            raise ValidationError(_("“%(step)s” cannot be taken while the case is “%(state)s”.") % {
                "step": move.label if move else transition, "state": flow.state(case.state).label})
        if actor.role not in move.roles:
            raise PermissionDenied(_("Only these may “%(step)s”: %(roles)s.") % {
                "step": move.label, "roles": _role_names(move.roles)})
        if move.reason_required and not reason:
            raise ValidationError({"reason": _("Say why: “%(step)s” needs a reason.") % {"step": move.label}})
        for guard in move.guards:
            refusal = guard(case, actor, data)
            if refusal:
                raise ValidationError(str(refusal))
        used = _evidence_for(case, move, evidence or [])
        at = at or timezone.now()
        source = case.state
        case.state = move.target
        case.entered = {**case.entered, move.target: at.isoformat()}
        case.due_at, case.due_provisional = reckon(flow, move.target, case.entered, work_calendar(),
                                                    case.extension)
        case.overdue_since = None
        case.escalated_to, case.escalated_at = "", None
        case.closed_at = at if flow.state(move.target).final else None
        case.version += 1
        case.save()
        event = CaseEvent.objects.create(
            case=case, at=at, actor=actor, kind=CaseEvent.Kind.MOVED, transition=move.code,
            from_state=source, to_state=move.target, reason=reason, due_at=case.due_at, data=data,
            evidence={kind: [e.pk for e in items] for kind, items in used.items()})
        Evidence.objects.filter(pk__in=[e.pk for items in used.values() for e in items]).update(event=event)
        if move.effect is not None:
            move.effect(case, event)
        live_publish(areas=[case.division_id])
    return case


def _evidence_for(case: Case, move, ids: list[int]) -> dict[str, list[Evidence]]:
    given = list(Evidence.objects.filter(pk__in=ids, case=case, event__isnull=True)) if ids else []
    if len(given) != len(set(ids)):
        raise ValidationError(_("Some of the evidence given does not belong to this case or was used by "
                                "another step already."))
    by_kind: dict[str, list[Evidence]] = defaultdict(list)
    for item in given:
        by_kind[item.kind].append(item)
    missing = [str(required.label) for required in move.evidence if not by_kind.get(required.kind)]
    if missing:
        raise ValidationError({"evidence": _("“%(step)s” needs evidence: %(missing)s.") % {
            "step": move.label, "missing": "、".join(missing)}})
    return by_kind


def case_extend(*, actor: User, case_id: int, version: int, amount: int, reason: str,
                at: datetime.datetime | None = None) -> Case:
    """Lengthen the case's extendable limits by `amount` units, with the reason the statute asks for
    (a 低保 decision: 30 working days, 45 "in special cases"): the deadline is reckoned again from
    the same start. Refused, changing nothing, past the workflow's most, by a role it does not name,
    without a reason, or on a version someone else has moved on from."""
    reason = _text(reason, label=_("The reason"))
    with transaction.atomic():
        try:
            case = Case.objects.select_for_update().get(pk=case_id)
        except (Case.DoesNotExist, TypeError, ValueError):
            raise ValidationError(_("This case does not exist.")) from None
        if not case_within_reach(actor, case):
            raise PermissionDenied(_("This case is outside your area."))
        if case.version != version:
            raise ConflictError(_who_acted(case))
        flow = workflow(case.workflow)
        if actor.role not in flow.extension_roles:
            raise PermissionDenied(_("Your role does not extend the time limits of this kind of case."))
        if case.closed_at is not None:
            raise ValidationError(_("The case is closed: there is no time limit to extend."))
        here = flow.state(case.state)
        if not any(limit and limit.extendable for limit in (here.limit, here.overall)):
            raise ValidationError(_("At this step the time limit is not one that can be extended."))
        if not reason:
            raise ValidationError({"reason": _("Say why the time limit is extended.")})
        if not isinstance(amount, int) or amount < 1 or case.extension + amount > flow.max_extension:
            raise ValidationError({"amount": _("The time limit can be extended by %(most)s in all; %(left)s "
                                               "are left.") % {"most": flow.max_extension,
                                                               "left": flow.max_extension - case.extension}})
        at = at or timezone.now()
        case.extension += amount
        case.due_at, case.due_provisional = reckon(flow, case.state, case.entered, work_calendar(),
                                                    case.extension)
        if case.overdue_since and case.due_at and case.due_at > at:
            case.overdue_since, case.escalated_to, case.escalated_at = None, "", None
        case.version += 1
        case.save()
        CaseEvent.objects.create(case=case, at=at, actor=actor, kind=CaseEvent.Kind.EXTENDED, reason=reason,
                                 due_at=case.due_at, data={"amount": amount})
        if flow.extension_reported_to:
            # Reported upward: the office the workflow names hears of it in its inbox (and by SMS
            # where so configured), with the reason.
            length = LEVEL_CODE_LENGTH[flow.extension_reported_to]
            notices_send([Notice(user_id=user_id, at=at, kind="case_extended", case=case,
                                 params={"title": case.title, "reason": reason, "amount": amount})
                          for user_id in User.objects.filter(
                              role=LEVEL_ROLES[flow.extension_reported_to], is_active=True,
                              division_id=case.division_id[:length]).exclude(pk=actor.pk)
                          .values_list("pk", flat=True)])
        live_publish(areas=[case.division_id])
    return case


# --- the overdue sweep ----------------------------------------------------------------------------


def _next_level(level: str) -> str | None:
    index = LADDER.index(level)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


def cases_sweep(due_at: datetime.datetime) -> str:
    """Mark open cases past their deadline overdue, and escalate each one level up the ladder
    (village → township → county → city) with a notice to the office of that level over the case's
    area; a case escalated and still overdue `ESCALATE_AGAIN_AFTER` later goes one level further.
    Set-based: one update marks the overdue; the escalations are the (few) cases that need one."""
    now = due_at or timezone.now()
    with transaction.atomic():
        marked = Case.objects.filter(closed_at__isnull=True, due_at__lt=now,
                                     overdue_since__isnull=True).update(overdue_since=now)
        # Locked, skipping a case someone is moving right now (PostgreSQL; SQLite's writer lock
        # already keeps them apart): the step they commit resets its deadline, and escalating it
        # afterwards from a stale read would undo that.
        candidates = list(
            Case.objects.select_for_update(skip_locked=True).filter(
                closed_at__isnull=True, overdue_since__isnull=False).filter(
                Q(escalated_at__isnull=True) | Q(escalated_at__lt=now - ESCALATE_AGAIN_AFTER)).values_list(
                "pk", "workflow", "state", "escalated_to", "division_id", "title"))
        raised: dict[str, list[tuple]] = defaultdict(list)
        events, notices = [], []
        for pk, flow_code, state, escalated_to, division, title in candidates:
            office = workflow(flow_code).state(state).office or "township"
            target = _next_level(escalated_to or office)
            if target is None:
                continue
            raised[target].append((pk, escalated_to or office, division, title))
        for target, cases in raised.items():
            Case.objects.filter(pk__in=[c[0] for c in cases]).update(escalated_to=target, escalated_at=now)
            length = LEVEL_CODE_LENGTH[target]
            offices = defaultdict(list)
            for user_id, code in User.objects.filter(
                    role=LEVEL_ROLES[target], is_active=True,
                    division_id__in={c[2][:length] for c in cases}).values_list("pk", "division_id"):
                offices[code].append(user_id)
            for pk, source, division, title in cases:
                events.append(CaseEvent(case_id=pk, at=now, kind=CaseEvent.Kind.ESCALATED,
                                        data={"from": source, "to": target}))
                notices.extend(Notice(user_id=user_id, at=now, kind="case_escalated", case_id=pk,
                                      params={"title": title, "from": source, "to": target})
                               for user_id in offices.get(division[:length], []))
        CaseEvent.objects.bulk_create(events)
        notices_send(notices)
        live_publish(areas={c[2] for cases in raised.values() for c in cases})
    return _("%(overdue)s cases became overdue; %(escalated)s escalated; %(notices)s notices sent.") % {
        "overdue": marked, "escalated": len(events), "notices": len(notices)}


# --- the calendar changed ---------------------------------------------------------------------------


def deadlines_reckon_again(calendar: WorkCalendar, years: frozenset) -> list[str]:
    """Open cases whose deadline was provisional are reckoned on the calendar as now entered; what
    moved is recorded on each case and said in one line (a calendar listener)."""
    moved = 0
    now = timezone.now()
    with transaction.atomic():
        changed, events = [], []
        for case in Case.objects.select_for_update().filter(closed_at__isnull=True, due_provisional=True):
            # The reckoning itself is calendar arithmetic in Python; the writes go in bulk below.
            due_at, provisional = reckon(workflow(case.workflow), case.state, case.entered, calendar,
                                         case.extension)
            if due_at == case.due_at and provisional == case.due_provisional:
                continue
            events.append(CaseEvent(case_id=case.pk, at=now, kind=CaseEvent.Kind.RECKONED, due_at=due_at,
                                    data={"was": case.due_at.isoformat() if case.due_at else None}))
            moved += due_at != case.due_at
            case.due_at, case.due_provisional = due_at, provisional
            if case.overdue_since and due_at and due_at > now:
                # No longer late: off the higher level's desk too.
                case.overdue_since, case.escalated_to, case.escalated_at = None, "", None
            changed.append(case)
        Case.objects.bulk_update(changed, ["due_at", "due_provisional", "overdue_since", "escalated_to",
                                           "escalated_at"], batch_size=500)
        CaseEvent.objects.bulk_create(events, batch_size=500)
    if not moved:
        return []
    return [_("%(count)s open cases' provisional deadlines moved with the new schedule.") % {"count": moved}]


# --- a record moved to another area --------------------------------------------------------------------


def cases_move_area(*, subject_kind: str, subject_ids, division_code: str) -> int:
    """The record's cases, their evidence and documents go with it when it moves to another area
    (a household moved to another village): who may see them follows. Called inside the moving
    service's transaction."""
    from safetynet.core.models import GeneratedDocument

    ids = list(subject_ids)
    if not ids:
        return 0
    moved = Case.objects.filter(subject_kind=subject_kind,
                                subject_id__in=ids).update(division_id=division_code)
    Evidence.objects.filter(subject_kind=subject_kind, subject_id__in=ids).update(division_id=division_code)
    GeneratedDocument.objects.filter(subject_kind=subject_kind, subject_id__in=ids).update(
        division_id=division_code)
    return moved


# --- the inbox ----------------------------------------------------------------------------------------


def notices_send(notices: list[Notice]) -> list[Notice]:
    """Put notices in their users' inboxes: they appear on the users' open pages (core.live) and go
    out by SMS where so configured (core.sms). Inside the caller's transaction."""
    if not notices:
        return []
    created = Notice.objects.bulk_create(notices, batch_size=500)
    live_publish(users={n.user_id for n in created})
    sms_queue(created)
    return created


def notices_send_to(*, user_ids, kind: str, params: dict, at=None) -> list[Notice]:
    """One notice of `kind` (registered with core.hooks.register_notice_kind) to each of the users,
    for an app's own records (a team sent to an incident): inbox, open pages and SMS as for any
    notice. Inside the caller's transaction."""
    at = at or timezone.now()
    return notices_send([Notice(user_id=user_id, at=at, kind=kind, params=params)
                         for user_id in sorted(set(user_ids))])


def notices_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's notices read (all of them without `ids`)."""
    unread = Notice.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
