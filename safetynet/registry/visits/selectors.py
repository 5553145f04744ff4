"""Reading visits and problems in the actor's area; the visits falling due by the visiting rules
and the cold-wave warnings (the work desk's registry source); the campaign measures."""

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from safetynet.core.checklists import answer_label
from safetynet.core.scope import granted_ids, scope_q, subtree_q
from safetynet.core.types import Campaign, Role, User
from safetynet.core.weather.selectors import warnings_in_force
from safetynet.core.workflows.selectors import evidence_of
from safetynet.registry import codes, rules
from safetynet.registry.models import Household, Membership, Problem, Visit, VisitRule
from safetynet.registry.rules import OFFICIAL_VISITORS
from safetynet.registry.visits.groups import visit_group, visit_groups

DUE_ROWS = 200
# Who is shown the visits falling due: those who go (and the township that sends them).
DUE_ROLES = frozenset({Role.GRID_WORKER, Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE})


def _check_reader(actor: User) -> None:
    from django.core.exceptions import PermissionDenied

    if not rules.may_read_registry(actor):
        raise PermissionDenied


def visit_get(*, actor: User, pk: int) -> Visit:
    _check_reader(actor)
    return Visit.objects.select_related(
        "household", "household__head", "household__village", "visitor", "campaign", "checklist"
    ).get(scope_q(actor, "household__village_id"), pk=pk)


def household_to_visit(*, actor: User, pk: int) -> Household:
    """The household a visit is recorded for: a registry reader's, in its area; a caregiver's or
    service provider's, one with a current member granted to it (Household.DoesNotExist otherwise,
    shown as 404 like any record out of reach)."""
    if actor.is_active and actor.role in rules.PERSON_GRANTEE_ROLES:
        granted = Membership.objects.filter(
            left_on__isnull=True, person_id__in=granted_ids(actor, rules.PERSON_GRANT)
        ).values("household_id")
        return Household.objects.select_related("head", "village").get(pk=pk, pk__in=granted)
    _check_reader(actor)
    return Household.objects.select_related("head", "village").get(scope_q(actor, "village_id"), pk=pk)


def household_visits(*, actor: User, household: Household) -> QuerySet[Visit]:
    _check_reader(actor)
    return Visit.objects.filter(scope_q(actor, "household__village_id"), household=household).select_related(
        "visitor", "campaign"
    )


def visit_answers(visit: Visit) -> list[dict]:
    """The checklist as answered: each item asked, in order, with the words of its answer."""
    rows = []
    hazards = set(visit.problems.values_list("item", flat=True))
    for item in visit.checklist.items:
        if item["code"] in visit.answers:
            value = visit.answers[item["code"]]
            rows.append(
                {
                    "code": item["code"],
                    "label": item["label"],
                    "answer": answer_label(visit.checklist, item["code"], value),
                    "hazard": item["code"] in hazards,
                }
            )
    return rows


def visit_photos(*, actor: User, visit: Visit):
    return list(evidence_of(actor=actor, subject_kind="registry.visit", subject_ids=[visit.pk]))


def problem_get(*, actor: User, pk: int) -> Problem:
    _check_reader(actor)
    return Problem.objects.select_related(
        "household", "household__head", "visit", "visit__visitor", "case"
    ).get(scope_q(actor, "household__village_id"), pk=pk)


def problem_list(*, actor: User, open_only: bool = True) -> QuerySet[Problem]:
    _check_reader(actor)
    problems = Problem.objects.filter(scope_q(actor, "household__village_id")).select_related(
        "household", "household__head", "case"
    )
    return problems.filter(case__closed_at__isnull=True) if open_only else problems


def household_problems(*, actor: User, household: Household) -> QuerySet[Problem]:
    return problem_list(actor=actor, open_only=False).filter(household=household)


# --- visits falling due ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueVisit:
    household: Household
    due_at: datetime.datetime
    reason: str


def _active_households(actor: User) -> QuerySet[Household]:
    return Household.objects.filter(scope_q(actor, "village_id"), status=codes.HouseholdStatus.ACTIVE)


def visits_due(*, actor: User, until: datetime.datetime) -> list[DueVisit]:
    """The households of the actor's area due a visit by `until` (or overdue), soonest first: by
    each rule in force, the last visit plus the rule's days (a household never visited: its
    registration or the rule's coming into force, whichever is later, plus the days: a new rule
    does not make every household overdue at once); and, where a cold-wave warning is in force for
    the county, every household of a group with a cold-wave limit not visited since the warning
    began, due that many hours after its start. Set-based: one query per rule and per warning."""
    if actor.role not in DUE_ROLES or not rules.may_read_registry(actor):
        return []
    found: dict[int, DueVisit] = {}
    households = _active_households(actor).select_related("head")
    in_force = [rule for rule in VisitRule.objects.filter(active=True) if visit_group(rule.group)]
    # The last visit as a subquery, not a Max over a join: a group that counts members would
    # otherwise count them once per visit.
    # Only the offices' own visits count (a caregiver's or a provider's visit to the person it cares for
    # is its work, not the look-in that checks on it).
    last_visit = Visit.objects.filter(household=OuterRef("pk"), visitor__role__in=OFFICIAL_VISITORS).order_by(
        "-visited_at").values("visited_at")[:1]
    for rule in in_force:
        if not rule.every_days:
            continue
        group = visit_group(rule.group)
        interval = datetime.timedelta(days=rule.every_days)
        due_from = until - interval
        never = (Q(last_visit__isnull=True, created_at__lte=due_from) if rule.in_force_since <= due_from
                 else Q(pk__in=[]))
        rows = (
            group.narrow(households)
            .annotate(last_visit=Subquery(last_visit))
            .filter(Q(last_visit__lte=due_from) | never)
            # Soonest due first on every database (a never-visited household by its registration).
            .order_by(Coalesce("last_visit", "created_at"), "pk")[:DUE_ROWS]
        )
        for household in rows:
            since = household.last_visit or max(household.created_at, rule.in_force_since)
            _keep(found, DueVisit(household, since + interval, str(group.label)))
    now = timezone.now()
    for warning in warnings_in_force(now):
        area = subtree_q("village_id", warning.county_id)
        for rule in in_force:
            if not rule.cold_wave_hours:
                continue
            group = visit_group(rule.group)
            seen = Q(visits__visited_at__gte=warning.starts_at, visits__visitor__role__in=OFFICIAL_VISITORS)
            rows = group.narrow(households.filter(area)).exclude(seen).order_by("pk")[:DUE_ROWS]
            due = warning.starts_at + datetime.timedelta(hours=rule.cold_wave_hours)
            for household in rows:
                _keep(found, DueVisit(household, due, f"{warning.get_kind_display()} · {group.label}"))
    return sorted(found.values(), key=lambda item: (item.due_at, item.household.pk))[:DUE_ROWS]


def _keep(found: dict[int, DueVisit], item: DueVisit) -> None:
    known = found.get(item.household.pk)
    if known is None or item.due_at < known.due_at:
        found[item.household.pk] = item


def households_to_visit(*, actor: User, limit: int) -> list[Household]:
    """The first active households of the actor's area, heads loaded (the demo's visiting round)."""
    return list(_active_households(actor).select_related("head").order_by("pk")[:limit])


def high_risk_households(county: str) -> int:
    """How many active households of the county belong to a group visited after a cold wave."""
    households = Household.objects.filter(
        subtree_q("village_id", county), status=codes.HouseholdStatus.ACTIVE
    )
    groups = [
        visit_group(rule.group)
        for rule in VisitRule.objects.filter(active=True, cold_wave_hours__isnull=False)
    ]
    ids: set[int] = set()
    for group in filter(None, groups):
        ids.update(group.narrow(households).values_list("pk", flat=True))
    return len(ids)


def visit_rules() -> list[tuple[VisitRule, object]]:
    """The rules with the label of their group (None: the group's app is not installed yet)."""
    groups = visit_groups()
    return [
        (rule, groups[rule.group].label if rule.group in groups else None)
        for rule in VisitRule.objects.order_by("group")
    ]


def visit_rule_get(pk: int) -> VisitRule:
    return VisitRule.objects.get(pk=pk)


# --- campaign measures -------------------------------------------------------------------------------------


def _campaign_visits(campaign: Campaign, county: str) -> QuerySet[Visit]:
    return Visit.objects.filter(subtree_q("household__village_id", county), campaign=campaign)


def households_visited(campaign: Campaign, county: str) -> int:
    return _campaign_visits(campaign, county).values("household").distinct().count()


def problems_found(campaign: Campaign, county: str) -> int:
    return Problem.objects.filter(visit__in=_campaign_visits(campaign, county)).count()


def problems_solved(campaign: Campaign, county: str) -> int:
    return Problem.objects.filter(visit__in=_campaign_visits(campaign, county), case__state="closed").count()


def visit_already_sent(*, actor: User, household: Household, submission: str) -> Visit | None:
    """The visit this form was already saved as, by this visitor for this household: a phone that
    lost the answer to its first send (a weak signal) sends the same form again."""
    try:
        key = uuid.UUID(submission)
    except ValueError:
        return None
    return Visit.objects.filter(submission=key, visitor=actor, household=household).first()
