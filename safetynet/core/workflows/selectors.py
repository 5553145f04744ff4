"""Reading cases on a user's behalf: one case (in the user's area), its history and evidence, the
work desk (what the user may act on or what was escalated to them), the inbox."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import hooks
from safetynet.core.models import Case, CaseEvent, Evidence, Notice, User
from safetynet.core.scope import area_q
from safetynet.core.workflows.services import LEVEL_ROLES, granted_cases_q
from safetynet.core.workflows.table import (
    evidence_kinds_readable,
    evidence_subjects_granted,
    readable_workflows,
    workflow,
    workflows,
)

DESK_ROWS = 200
# "Coming" on the desk: due within this many days (later work is in the app's own lists).
COMING_DAYS = 14
_LEVEL_OF_ROLE = {role: level for level, role in LEVEL_ROLES.items()}


def _cases(actor: User):
    """The cases the actor may read: in its area, of a kind its role reads; and those granted to it."""
    return Case.objects.filter(area_q(actor, "division_id") | granted_cases_q(actor),
                               workflow__in=readable_workflows(actor.role))


def case_get(*, actor: User, pk: int) -> Case:
    """The case, if it lies in the actor's area and its kind is one the actor's role reads
    (Case.DoesNotExist otherwise: shown as 404)."""
    return _cases(actor).get(pk=pk)


def last_step(case: Case, transition: str) -> CaseEvent | None:
    """The latest time `transition` was taken on the case (a guard asks who reported a fix)."""
    return case.events.filter(kind=CaseEvent.Kind.MOVED, transition=transition).order_by("-at", "-pk").first()


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def case_evidence(case: Case) -> QuerySet[Evidence]:
    return case.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk")


def _evidence(actor: User) -> QuerySet[Evidence]:
    """The evidence the actor may read: in its area, of a record (or a case) its role reads."""
    subjects, flows = evidence_kinds_readable(actor.role)
    readable = Q(case__isnull=True, subject_kind__in=subjects) | Q(case__workflow__in=flows)
    by_grant = Q(case__in=Case.objects.filter(granted_cases_q(actor)).values("pk"))
    for kind, granted in evidence_subjects_granted(actor.role):
        by_grant |= Q(case__isnull=True, subject_kind=kind) & granted(actor)
    return Evidence.objects.filter((area_q(actor, "division_id") & readable) | by_grant)


def evidence_get(*, actor: User, pk: int) -> Evidence:
    """A file of evidence, if the record it belongs to lies in the actor's area and is one its
    role reads."""
    return _evidence(actor).get(pk=pk)


def evidence_of(*, actor: User, subject_kind: str, subject_ids) -> QuerySet[Evidence]:
    """The evidence of records of one kind (a visit's photos) the actor may read."""
    return _evidence(actor).filter(subject_kind=subject_kind,
                                   subject_id__in=list(subject_ids)).select_related(
        "uploaded_by")


def _on_desk_q(actor: User) -> Q:
    """Cases waiting for the actor: in a state where the actor's role may take a step, or escalated
    to the actor's level."""
    mine = Q(pk__in=[])
    for flow in workflows():
        states = flow.states_acted_on_by(actor.role)
        if states:
            mine |= Q(workflow=flow.code, state__in=states)
    level = _LEVEL_OF_ROLE.get(actor.role)
    if level:
        mine |= Q(escalated_to=level)
    return mine


@dataclass
class DeskRow:
    kind: str
    title: str
    url: str
    due_at: datetime.datetime | None
    provisional: bool
    state: str
    escalated_to: str
    overdue: bool


@dataclass
class Desk:
    overdue: list[DeskRow]
    today: list[DeskRow]
    coming: list[DeskRow]
    counts: dict[str, int]


def _case_row(case: Case, now: datetime.datetime) -> DeskRow:
    flow = workflow(case.workflow)
    url = flow.subject_url(case) if flow.subject_url else ""
    return DeskRow(kind=str(flow.label), title=case.title, url=url, due_at=case.due_at,
                   provisional=case.due_provisional, state=str(flow.state(case.state).label),
                   escalated_to=case.get_escalated_to_display() if case.escalated_to else "",
                   overdue=bool(case.overdue_since or (case.due_at and case.due_at < now)))


def desk(*, actor: User, now: datetime.datetime | None = None) -> Desk:
    """The actor's work: overdue, due today and coming (within COMING_DAYS), sorted by deadline,
    from the kernel's cases and every app's desk source, in the actor's area."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    end_of_today = local.replace(hour=23, minute=59, second=59, microsecond=999999)
    until = end_of_today + datetime.timedelta(days=COMING_DAYS)
    open_cases = _cases(actor).filter(_on_desk_q(actor), closed_at__isnull=True)
    # Overdue: past its deadline now, or marked so by the sweep (which escalated it).
    late = Q(due_at__lt=now) | Q(overdue_since__isnull=False)
    counts = {
        "overdue": open_cases.filter(late).count(),
        "today": open_cases.exclude(late).filter(due_at__lte=end_of_today).count(),
        "coming": open_cases.exclude(late).filter(Q(due_at__gt=end_of_today, due_at__lte=until)
                                                  | Q(due_at__isnull=True)).count(),
    }
    shown = open_cases.filter(late | Q(due_at__lte=until) | Q(due_at__isnull=True)).order_by("due_at", "pk")
    rows = [_case_row(case, now) for case in shown[:DESK_ROWS * 3]]
    for item in hooks.desk_items(actor, until):
        rows.append(DeskRow(kind=item.kind, title=item.title, url=item.url, due_at=item.due_at,
                            provisional=item.provisional, state=item.note, escalated_to="",
                            overdue=bool(item.due_at and item.due_at < now)))
        bucket = "overdue" if item.due_at and item.due_at < now else (
            "today" if item.due_at and item.due_at <= end_of_today else "coming")
        counts[bucket] += 1
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda row: row.due_at or far)
    overdue = [r for r in rows if r.overdue][:DESK_ROWS]
    today = [r for r in rows if not r.overdue and r.due_at and r.due_at <= end_of_today][:DESK_ROWS]
    coming = [r for r in rows if not r.overdue and (not r.due_at or r.due_at > end_of_today)][:DESK_ROWS]
    return Desk(overdue, today, coming, counts)


# --- the inbox ------------------------------------------------------------------------------------------

def case_notice_words(kind: str):
    """The words of the kernel's notices about a case (registered as notice kinds: core.apps)."""
    if kind == "case_opened":
        return lambda p: _("New on your desk: %(title)s") % {"title": p.get("title", "")}
    if kind == "case_extended":
        return lambda p: _("Time limit extended by %(amount)s: %(title)s (%(reason)s)") % {
            "amount": p.get("amount", ""), "title": p.get("title", ""), "reason": p.get("reason", "")}
    return lambda p: _("Overdue and escalated from the %(from)s to the %(to)s: %(title)s") % {
        "from": Case.Level(p.get("from", "township")).label, "to": Case.Level(p.get("to", "county")).label,
        "title": p.get("title", "")}


def notice_text(notice: Notice) -> str:
    return hooks.notice_words(notice)


def notices(*, actor: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=actor).select_related("case")


def unread_notices(*, actor: User) -> int:
    return Notice.objects.filter(user=actor, read_at__isnull=True).count()


def notice_link(notice: Notice) -> str:
    return hooks.notice_link(notice)


def case_notice_link(notice: Notice) -> str:
    if notice.case is None:
        return ""
    flow = workflow(notice.case.workflow)
    return flow.subject_url(notice.case) if flow.subject_url else ""
