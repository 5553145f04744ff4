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
from safetynet.rescue.models import DutyShift, Handout, Patrol, Stock, StockMovement, SupplyBudget
from safetynet.rescue.selectors import STATION_GRANT, granted_station_ids, may_read

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
        .select_related("stock", "by", "patrol", "handout__contact")
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
    """Who may be booked on the station's duty: active staff of the station's county (its own and the
    duty officers) and the bureaus' leaders over it, within the actor's reach."""
    code = station.division_id
    over = [code[:n] for n in (4, 6, 9) if len(code) >= n]
    return (
        User.objects.filter(scope_q(actor, "division_id") | Q(division_id__in=over), is_active=True)
        .filter(role__in=rules.STATION_DUTY_ROLES)
        .filter(Q(division_id__in=over) | subtree_q("division_id", code[:6]))
        .order_by("role", "username")
    )


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
