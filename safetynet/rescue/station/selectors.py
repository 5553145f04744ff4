"""What the rescue station's pages read: its stock and ledger, the supplies budget's use, the duty
roster with its gaps — each in the reader's area (a county's stations) or, for a station's own staff,
the station granted to them."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from safetynet.core.scope import scope_q, subtree_q
from safetynet.core.types import Role, User
from safetynet.institutions.models import Institution
from safetynet.rescue import rules
from safetynet.rescue.models import (
    DutyShift,
    Handout,
    Patrol,
    StationStay,
    Stock,
    StockMovement,
    SupplyBudget,
)
from safetynet.rescue.selectors import STATION_GRANT, granted_station_ids, may_read
from safetynet.rescue.station.workflow import IN_STATION

LEADER, OFFICER = DutyShift.Post.LEADER, DutyShift.Post.OFFICER
# Who sets the campaign's supplies budget.
BUDGET_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU})
# How far ahead the desk looks for holes in the roster.
ROSTER_HORIZON = datetime.timedelta(days=7)


def stations(*, actor: User) -> QuerySet[Institution]:
    """The rescue stations the actor reads: those of its area, or the one granted to its staff."""
    if not may_read(actor):
        return Institution.objects.none()
    return Institution.objects.filter(
        scope_q(actor, "division_id", granted=(STATION_GRANT, "id")), kind=Institution.Kind.RESCUE_STATION
    ).order_by("division_id", "pk")


def station_get(*, actor: User, pk: int) -> Institution:
    return stations(actor=actor).get(pk=pk)


def may_keep_station(actor: User, station: Institution) -> bool:
    """May the actor receive and issue the station's supplies and book its duty? The station's own
    staff, the duty of the station's county, the county bureau."""
    if not actor.is_authenticated:
        return False
    if station.pk in granted_station_ids(actor):
        return True
    return actor.role in rules.DUTY_ROLES and station.division_id.startswith(actor.division_id)


def stock(*, actor: User) -> QuerySet[Stock]:
    return (
        Stock.objects.filter(station__in=stations(actor=actor).values("pk"))
        .select_related("station")
        .order_by("station__division_id", "station_id", "item")
    )


def low_stock(*, actor: User) -> QuerySet[Stock]:
    """Supplies below their station's minimum level (the desk's warning)."""
    return stock(actor=actor).filter(on_hand__lt=F("minimum"))


def stock_of(station: Institution) -> QuerySet[Stock]:
    return Stock.objects.filter(station=station).order_by("item")


def ledger(station: Institution) -> QuerySet[StockMovement]:
    return (
        StockMovement.objects.filter(stock__station=station)
        .select_related("stock", "by", "patrol__team", "handout__contact")
        .order_by("-at", "-pk")
    )


@dataclass(frozen=True)
class BudgetUse:
    budget: SupplyBudget
    spent: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget.amount - self.spent

    @property
    def share(self) -> int | None:
        """The share spent, in whole per cent (None for a budget of nothing)."""
        if not self.budget.amount:
            return None
        return int(self.spent * 100 / self.budget.amount)


def budgets(*, actor: User) -> list[BudgetUse]:
    """The supplies budgets over the actor's area (its county's and the city's), each with what the
    receipts of the stations under it cost between its dates: one sum per budget."""
    if not may_read(actor):
        return []
    counties = {station.division_id[:6] for station in stations(actor=actor)}
    over = {actor.division_id[:4], *counties}  # the city's budget, and the stations' counties'
    found = SupplyBudget.objects.filter(scope_q(actor, "division_id") | Q(division_id__in=sorted(over)))
    rows = []
    for budget in found.select_related("division").order_by("-starts_on", "division_id")[:50]:
        start = timezone.make_aware(datetime.datetime.combine(budget.starts_on, datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(budget.ends_on, datetime.time.max))
        receipts = StockMovement.objects.filter(
            subtree_q("stock__division_id", budget.division_id),
            kind=StockMovement.Kind.RECEIPT,
            at__range=(start, end),
        )
        spent = (receipts.aggregate(total=Sum("cost"))["total"] or Decimal("0")).quantize(Decimal("0.01"))
        rows.append(BudgetUse(budget, spent))
    return rows


def shifts(*, station: Institution, since: datetime.datetime, until: datetime.datetime):
    return (
        DutyShift.objects.filter(station=station, ends_at__gt=since, starts_at__lt=until)
        .select_related("user")
        .order_by("starts_at", "post", "pk")
    )


def roster_gaps(
    *, station: Institution, since: datetime.datetime, until: datetime.datetime, post: str = "leader"
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The stretches between `since` and `until` when no one holds `post` at the station (the
    24-hour duty has a leader on duty at every hour)."""
    covered = list(
        DutyShift.objects.filter(station=station, post=post, ends_at__gt=since, starts_at__lt=until)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    )
    gaps, reached = [], since
    for starts, ends in covered:
        if starts > reached:
            gaps.append((reached, starts))
        reached = max(reached, ends)
    if reached < until:
        gaps.append((reached, until))
    return gaps


def overlapping_shift(*, user_id: int, starts_at, ends_at, exclude: int | None = None) -> DutyShift | None:
    """A shift of the same person at the same time (at any station): a double booking."""
    found = DutyShift.objects.filter(user_id=user_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.select_related("station").first()


def unsigned_shifts(*, actor: User, now: datetime.datetime) -> QuerySet[DutyShift]:
    """The actor's ended leader shifts whose handover note is not signed yet."""
    return DutyShift.objects.filter(
        user=actor, post=DutyShift.Post.LEADER, ends_at__lte=now, signed_at__isnull=True
    ).select_related("station")


def county_stations_check(county: str, since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """Each rescue station of the county with the labels of its supplies below their minimum and
    the stretches between `since` and `until` with no leader on duty (cold mode checks them)."""
    rows = []
    found = Institution.objects.filter(subtree_q("division_id", county), kind=Institution.Kind.RESCUE_STATION)
    for station in found.order_by("pk"):
        low = [stock.get_item_display() for stock in stock_of(station).filter(on_hand__lt=F("minimum"))]
        rows.append(
            {"station": station, "low": low, "gaps": roster_gaps(station=station, since=since, until=until)}
        )
    return rows


def duty_people(*, actor: User, station: Institution) -> QuerySet[User]:
    """Who may be booked on the station's duty: the county's duty officers and bureau leaders, and the
    station's own staff (institution accounts granted this station) — all of whom read the station."""
    from safetynet.core.selectors import users_active

    code = station.division_id
    county_roles = [role for role in rules.STATION_DUTY_ROLES if role != Role.INSTITUTION_STAFF]
    return (
        users_active(roles=county_roles, bound_to=[code[:4], code[:6]])
        | users_active(roles=[Role.RESCUE_STATION], under=code[:6])
        | users_active(roles=[Role.INSTITUTION_STAFF], holding=(STATION_GRANT, station.pk))
    ).order_by("role", "username")


def handouts_waiting(station: Institution) -> QuerySet[Handout]:
    """Hand-outs of the station's teams not yet drawn from its stock."""
    return Handout.objects.filter(booked_at__isnull=True, contact__team__station=station)


def patrols_to_supply(station: Institution) -> QuerySet[Patrol]:
    """The county's patrols not yet logged, of the last two days and to come: the store issues to them."""
    since = timezone.now() - datetime.timedelta(days=2)
    return (
        Patrol.objects.filter(county_id=station.division_id[:6], planned_for__gte=since)
        .exclude(state=Patrol.State.LOGGED)
        .select_related("team")
        .order_by("planned_for")[:50]
    )


# --- stays -----------------------------------------------------------------------------------------------

SEARCH_WITHIN = datetime.timedelta(hours=24)  # the family-search notice, from arrival (SPEC §3.4)
DNA_WITHIN = datetime.timedelta(days=30)  # a DNA sample of a person stranded, within a month


def stays(*, actor: User) -> QuerySet[StationStay]:
    if not may_read(actor):
        return StationStay.objects.none()
    return StationStay.objects.filter(
        scope_q(actor, "division_id", granted=(STATION_GRANT, "station_id"))
    ).select_related("station", "case")


def stay_get(*, actor: User, pk: int) -> StationStay:
    return stays(actor=actor).get(pk=pk)


def stays_here(*, actor: User, station: Institution) -> QuerySet[StationStay]:
    """The station's stays not yet over, and those ended in the last week."""
    since = timezone.now() - datetime.timedelta(days=7)
    return (
        stays(actor=actor)
        .filter(station=station)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=since))
        .order_by(F("left_at").asc(nulls_first=True), "-arrived_at")
    )


def searches_due(*, actor: User) -> QuerySet[StationStay]:
    """Persons whose identity is unknown, at the station (in screening too), whose family-search notice
    is not out: due 24 hours after arrival."""
    return stays(actor=actor).filter(
        identity_known=False,
        left_at__isnull=True,
        search_published_at__isnull=True,
        case__state__in=IN_STATION,
    )


def dna_due(*, actor: User, until: datetime.datetime) -> QuerySet[StationStay]:
    """Persons still unidentified at the station whose DNA sample falls due by `until` and is not taken."""
    return stays(actor=actor).filter(
        identity_known=False,
        left_at__isnull=True,
        dna_sampled_at__isnull=True,
        arrived_at__lte=until - DNA_WITHIN,
        case__state__in=IN_STATION,
    )


def stay_figures(*, actor: User, days: int = 14) -> dict:
    """The stations' figures, defined once: persons in the station on each of the last `days` days (at
    the day's end), stays by how they ended, stays past their limit now, family searches opened and
    resolved, and stock levels. Each a grouped query."""
    from django.db.models import Count

    now = timezone.now()
    today = timezone.localdate()
    found = stays(actor=actor)
    admitted = found.filter(admitted_at__isnull=False)
    by_day = []
    for back in range(days - 1, -1, -1):
        day = today - datetime.timedelta(days=back)
        end = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
        count = (
            admitted.filter(admitted_at__lte=end).filter(Q(left_at__isnull=True) | Q(left_at__gt=end)).count()
        )
        by_day.append((day, count))
    ended = dict(
        found.filter(left_at__isnull=False)
        .values("case__state")
        .annotate(n=Count("pk"))
        .values_list("case__state", "n")
    )
    return {
        "in_station_by_day": by_day,
        "by_exit": ended,
        "past_limit": found.filter(case__state="in_station", case__due_at__lt=now).count(),
        "searches_opened": found.filter(search_published_at__isnull=False).count(),
        "searches_resolved": found.filter(
            search_published_at__isnull=False, search_resolved_at__isnull=False
        ).count(),
        "stock": list(
            stock(actor=actor)
            .values("item")
            .annotate(on_hand=Sum("on_hand"), minimum=Sum("minimum"))
            .order_by("item")
        ),
    }
