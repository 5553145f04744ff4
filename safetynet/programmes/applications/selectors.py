"""Reads of applications, scoped to the reader's area: one application, the lists and queues of the
offices, the village's public notice (names, household sizes and amounts only)."""

import datetime

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from safetynet.core.scope import scope_q
from safetynet.core.types import Role, User
from safetynet.programmes.models import Application
from safetynet.registry.rules import may_read_registry

# Who reads reports and complaints: the offices that check and answer them, the city over them and the
# auditor. Not the village's staff: a report about 低保 is often about them.
COMPLAINT_READERS = frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.CITY_BUREAU, Role.AUDITOR})


def applications(*, actor: User) -> QuerySet[Application]:
    """The applications of the actor's area (none for a role that does not read the registry)."""
    if not may_read_registry(actor):
        return Application.objects.none()
    return Application.objects.filter(scope_q(actor, "village_id")).select_related(
        "case", "person", "household", "village"
    )


def application_get(*, actor: User, pk: int) -> Application:
    return applications(actor=actor).get(pk=pk)


def application_list(*, actor: User, state: str = "", programme: str = "", open_only: bool = False):
    rows = applications(actor=actor)
    if state:
        rows = rows.filter(case__state=state)
    if programme:
        rows = rows.filter(programme=programme)
    if open_only:
        rows = rows.filter(case__closed_at__isnull=True)
    return rows.order_by("case__due_at", "pk")


def county_visited(application: Application) -> bool:
    """Has a county officer visited the household since it applied (art. 20, for a flagged one)?"""
    from safetynet.core.types import Role
    from safetynet.registry.models import Visit

    return Visit.objects.filter(
        household_id=application.household_id,
        visitor__role=Role.COUNTY_BUREAU,
        visited_at__gte=application.created_at,
    ).exists()


def household_size(application: Application) -> int:
    from safetynet.registry.selectors import household_members

    return sum(1 for m in household_members(household=application.household) if m.left_on is None)


def public_notice(*, village_code: str, on: datetime.date | None = None) -> list[dict]:
    """What the village's notice board shows on a day (art. 24, SPEC §6.6): the applications on
    public notice, and those approved in the last 30 days — name, household size and amount, never an
    ID number or anything else."""
    on = on or timezone.localdate()
    rows = (
        Application.objects.filter(village_id=village_code)
        .filter(
            # on notice now (withdrawn, ended or re-investigated files come off the board)
            Q(notice_from__lte=on, notice_until__gte=on, case__state="public_notice")
            | Q(
                decision=Application.Decision.APPROVED, decided_at__date__gte=on - datetime.timedelta(days=30)
            )
        )
        .select_related("person")
        .annotate(
            size=Count("household__memberships", filter=Q(household__memberships__left_on__isnull=True))
        )
    )
    return [
        {
            "name": row.person.name,
            "size": row.size,
            "programme": row.get_programme_display(),
            "amount": row.amount,
            "approved": row.decision == Application.Decision.APPROVED,
            "until": row.notice_until,
        }
        for row in rows.order_by("notice_from", "pk")
    ]


def found_by_latest_run(*, actor: User, limit: int = 50) -> list[dict]:
    """政策找人 on the desk: the households of the actor's area the latest run over it found qualifying
    for a programme they do not receive, and that have no application for it in progress."""
    from safetynet.core.scope import scope_code
    from safetynet.programmes.models import EligibilityResult, EligibilityRun
    from safetynet.programmes.rules import PROGRAMME_NAMES
    from safetynet.registry.models import Household

    if not may_read_registry(actor) or not actor.division_id:
        return []
    area = scope_code(actor)
    covering = [area[:length] for length in (4, 6) if len(area) >= length]
    run = EligibilityRun.objects.filter(area_id__in=covering).order_by("-started_at", "-pk").first()
    if run is None:
        return []
    in_progress = Application.objects.filter(
        case__closed_at__isnull=True,
        household_id=models.OuterRef("household_id"),
        programme=models.OuterRef("programme"),
    )
    hits = list(
        EligibilityResult.objects.filter(
            run=run,
            qualifies=True,
            enrolled=False,
            village_id__startswith=area,
            programme__in=["dibao", "edge", "tekun", "rigid"],
        )
        .exclude(models.Exists(in_progress))
        .order_by("village_id", "household_id", "programme")[:limit]
        .values("household_id", "programme", "amount")
    )
    heads = dict(
        Household.objects.filter(pk__in={h["household_id"] for h in hits}).values_list("pk", "head__name")
    )
    return [
        {
            **hit,
            "run_id": run.pk,
            "head": heads.get(hit["household_id"], ""),
            "programme_label": PROGRAMME_NAMES[hit["programme"]],
        }
        for hit in hits
    ]


def near_relatives_of(*, actor: User):
    """The near relatives the actor has declared."""
    from safetynet.programmes.models import NearRelative

    return NearRelative.objects.filter(staff=actor).select_related("person").order_by("declared_at", "pk")


def self_care_assessments(*, person_id: int):
    from safetynet.programmes.models import SelfCareAssessment

    return SelfCareAssessment.objects.filter(person_id=person_id).select_related("assessed_by")


def open_applications(*, household_id: int) -> dict:
    """The household's applications in progress: programme (for 特困, programme and person) → number."""
    rows = Application.objects.filter(household_id=household_id, case__closed_at__isnull=True)
    found = {}
    for pk, programme, person_id in rows.values_list("pk", "programme", "person_id"):
        found[programme] = pk
        found[f"{programme}:{person_id}"] = pk
    return found


def self_care_report_get(*, actor: User, pk: int):
    """A reported change of self-care ability in the actor's area."""
    from safetynet.programmes.models import SelfCareReport

    if not may_read_registry(actor):
        raise SelfCareReport.DoesNotExist
    return (
        SelfCareReport.objects.filter(scope_q(actor, "case__division_id"))
        .select_related("person", "case", "reported_by", "assessment")
        .get(pk=pk)
    )


def complaints(*, actor: User):
    """The reports and complaints about the actor's area."""
    from safetynet.programmes.models import Complaint

    if not may_read_registry(actor) or actor.role not in COMPLAINT_READERS:
        return Complaint.objects.none()
    return Complaint.objects.filter(scope_q(actor, "area_id")).select_related("case", "area", "household")


def complaint_get(*, actor: User, pk: int):
    return complaints(actor=actor).get(pk=pk)


def assessed_since(application: Application) -> bool:
    """Has the 特困 applicant been assessed for this application, or since it was handed in?"""
    from safetynet.programmes.models import SelfCareAssessment

    return (
        SelfCareAssessment.objects.filter(person_id=application.person_id)
        .filter(Q(application=application) | Q(assessed_on__gte=application.created_at.date()))
        .exists()
    )


def near_relatives_now(application: Application) -> list[str]:
    """The staff whose declared near relatives live in the household now (declared before or after
    it applied, members who joined since included)."""
    from safetynet.programmes.models import NearRelative
    from safetynet.registry.models import Membership

    members = Membership.objects.filter(household_id=application.household_id, left_on__isnull=True)
    staff = NearRelative.objects.filter(person_id__in=members.values("person_id")).select_related("staff")
    return sorted(
        {row.staff.get_full_name() or row.staff.username for row in staff} | set(application.near_relative_of)
    )


def complained_about(application: Application) -> bool:
    """Has a report or complaint named the household since it applied (the county then visits)?"""
    from safetynet.programmes.models import Complaint

    return Complaint.objects.filter(
        household_id=application.household_id, received_at__gte=application.created_at
    ).exists()
