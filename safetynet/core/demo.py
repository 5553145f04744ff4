"""What the demo city shares across apps: its logins, its clock, and the hook its builders register into.

`safetynet demo-city` builds a synthetic city. Each app that has something to show adds a builder
(`register_demo_builder`, from its AppConfig.ready); the command runs them all in order with one
`DemoContext`, whose `DemoClock` dates everything: the registry's households, and whatever later
apps build on them (cases, payments, inspections …). Core knows no app: it only keeps the list.
"""

import datetime
import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import clock as core_clock

# The demo logins all carry this e-mail domain, which is how `safetynet run` finds them to print.
DEMO_EMAIL_DOMAIN = "demo.invalid"
DEMO_PASSWORD = "Demo-2022-linyi"  # noqa: S105 — printed at every start: a demo, not a secret

# The demo's history starts here, so that the winter of 2022–23 (the Linyi briefing of 16 December
# 2022, SPEC §6.7's campaign 2022-11-15 → 2023-03-15) can be reported from it.
HISTORY_START = datetime.date(2022, 1, 1)

# How many households a full-size demo city holds: what the bureau of an ≈ 11 M city knows (SPEC §6.8:
# ≈ 115,000 低保 households, about half of the households the registry's mix of kinds holds).
# Money and caseloads of later builders scale with households / FULL_CITY_HOUSEHOLDS.
FULL_CITY_HOUSEHOLDS = 220_000

# Office hours, in which the demo's clerks register things (local time).
_OFFICE_OPENS_MIN, _OFFICE_CLOSES_MIN = 8 * 60 + 30, 17 * 60 + 30


@dataclass(frozen=True)
class DemoClock:
    """The one date a demo city is built as of: nothing it writes is dated after `as_of` or before
    HISTORY_START, and what is still open (an application, a visit due) is recent relative to it."""

    as_of: datetime.date
    history_start: ClassVar[datetime.date] = HISTORY_START

    def __post_init__(self):
        if not self.history_start <= self.as_of:
            raise ValueError(f"as_of {self.as_of} is before the demo's history starts")

    def day_between(self, rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
        """A day from start to end (both included), kept within the demo's history."""
        start, end = max(start, self.history_start), min(end, self.as_of)
        if end <= start:
            return min(start, self.as_of)
        return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))

    def day(self, rng: random.Random) -> datetime.date:
        """Any day of the demo's history."""
        return self.day_between(rng, self.history_start, self.as_of)

    def recent(self, rng: random.Random, days: int) -> datetime.date:
        """A day in the last `days` days (as_of included): open work, new applications."""
        return self.day_between(rng, self.as_of - datetime.timedelta(days=days), self.as_of)

    def days_ago(self, days: int) -> datetime.date:
        return max(self.history_start, self.as_of - datetime.timedelta(days=days))

    def moment(self, rng: random.Random, day: datetime.date) -> datetime.datetime:
        """A time in office hours on `day` (local time, aware). Pure: on today's date it may be
        later than now, which whoever writes it must not record (`not_after_now`)."""
        minutes = rng.randrange(_OFFICE_OPENS_MIN, _OFFICE_CLOSES_MIN)
        naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60, rng.randrange(60)))
        return timezone.make_aware(naive)


def not_after_now(moment: datetime.datetime) -> datetime.datetime:
    """A demo moment as it may be recorded: history never runs ahead of the wall clock."""
    return min(moment, timezone.now())


def demo_clock(value: str | datetime.date | None = None) -> DemoClock:
    """The clock for an --as-of value (text YYYY-MM-DD, a date, or None for today). A value that is
    not a date, is before HISTORY_START or after today raises ValueError with the reason to show."""
    today = core_clock.today()
    if value is None or value == "":
        return DemoClock(today)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date: give --as-of as year-month-day, for example "
                               "2023-01-15.") % {"value": value}) from None
    if value < HISTORY_START:
        raise ValueError(_("The demo city's history starts on %(start)s: give --as-of on or after that day.")
                         % {"start": HISTORY_START.isoformat()})
    if value > today:
        raise ValueError(_("--as-of %(value)s is after today (%(today)s): the registry takes no dates in the "
                           "future.") % {"value": value.isoformat(), "today": today.isoformat()})
    return DemoClock(value)


@dataclass
class DemoContext:
    """What every demo-city builder receives. Builders that run first fill `users` and `villages`
    for the ones after them; each may leave what it made in `results` under its name."""

    clock: DemoClock
    seed: int
    households: int  # how many households the city is built with: the scale of everything else
    report: Callable[[str], None] = lambda _message: None  # a line for the operator (progress)
    options: dict[str, Any] = field(default_factory=dict)  # command options some builder reads
    users: dict[str, Any] = field(default_factory=dict)  # username → the demo's core.User logins
    villages: list[str] = field(default_factory=list)  # codes of the villages holding households
    results: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def scale(self) -> float:
        """This city's size relative to a full one: what caseloads and money are multiplied by.
        Facts that do not grow with households (how many institutions, stations) and rates (care
        KPIs) are not scaled."""
        return self.households / FULL_CITY_HOUSEHOLDS

    def scaled(self, count: int) -> int:
        """A full city's count (cases, persons) at this city's size: at least one of anything there is."""
        if count <= 0:
            return 0
        return max(1, round(count * self.scale))

    def scaled_money(self, amount: Decimal) -> Decimal:
        """A full city's sum of money at this city's size, in yuan to the fen."""
        return (Decimal(amount) * Decimal(self.households) / FULL_CITY_HOUSEHOLDS).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)

    def rng(self, name: str) -> random.Random:
        """A random source of a builder's own, the same for the same seed (and independent of the
        other builders': adding one never changes what another draws)."""
        return random.Random(f"safetynet-demo-{name}-{self.seed}")


DemoBuilder = Callable[[DemoContext], "str | None"]


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    builder: DemoBuilder | str


_builders: dict[str, _Registered] = {}


def register_demo_builder(name: str, builder: DemoBuilder | str, *, order: int) -> None:
    """Add a demo-city builder: `builder(context)` writes its part of the city and may return a line
    summing it up. `builder` may be given as "module.path:function", imported only when the city is
    built (so that starting the server imports no demo code). Builders run by ascending `order`
    (the registry's households are 100; build on them with a larger number). Registering a name
    again replaces it."""
    _builders[name] = _Registered(order, name, builder)


def unregister_demo_builder(name: str) -> None:
    _builders.pop(name, None)


def demo_builders() -> list[tuple[str, int]]:
    """(name, order) of the registered builders, in the order they run."""
    return [(r.name, r.order) for r in sorted(_builders.values(), key=lambda r: (r.order, r.name))]


def _resolve(builder: DemoBuilder | str) -> DemoBuilder:
    if callable(builder):
        return builder
    module, _sep, function = builder.partition(":")
    return getattr(importlib.import_module(module), function)


def run_demo_builders(context: DemoContext) -> list[str]:
    """Run every registered builder in order; their summary lines, in that order. A builder's error
    stops the build (what earlier builders wrote stays: each commits its own batches)."""
    lines = []
    for registered in sorted(_builders.values(), key=lambda r: (r.order, r.name)):
        line = _resolve(registered.builder)(context)
        if line:
            lines.append(line)
    return lines


def demo_date_accounts(*, user_ids, at: datetime.datetime) -> None:
    """The demo's logins were there when its history starts: their accounts and the history of
    their making are dated `at`, not by the wall clock (the demo's own dating, not a change)."""
    from safetynet.core.models import ChangeRecord, User

    ids = list(user_ids)
    User.objects.filter(pk__in=ids).update(date_joined=at)
    ChangeRecord.objects.filter(subject_type="user", subject_id__in=ids).update(at=at)


def demo_photo(rng: random.Random, name: str):
    """A small JPEG of one random colour, as a phone would upload it (a demo's evidence)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def demo_date_history(*, subjects: dict[str, list[int]], at: datetime.datetime) -> None:
    """Date the history of those subjects (subject type → ids) `at`: what the services just wrote
    for a demo household, by the demo clock instead of the wall clock."""
    from django.db.models import Q

    from safetynet.core.models import ChangeRecord

    which = Q()
    for subject_type, ids in subjects.items():
        which |= Q(subject_type=subject_type, subject_id__in=list(ids))
    if which:
        ChangeRecord.objects.filter(which).update(at=at)


def demo_date_changes(
    *, entity_type: str, entity_ids, at: datetime.datetime, action: str | None = None
) -> None:
    """Date the history of those records (an inspection's assignment, a hazard's finding) `at`, by
    the demo clock; only the changes of `action` (create, update) if given."""
    from safetynet.core.models import ChangeRecord

    changes = ChangeRecord.objects.filter(entity_type=entity_type, entity_id__in=list(entity_ids))
    if action is not None:
        changes = changes.filter(action=action)
    changes.update(at=at)


def demo_date_grants(*, grant_ids, at: datetime.datetime) -> None:
    """Date the demo's grants (and the history of their giving) `at`, by the demo clock."""
    from safetynet.core.models import ChangeRecord, Grant

    ids = list(grant_ids)
    Grant.objects.filter(pk__in=ids).update(granted_at=at)
    ChangeRecord.objects.filter(entity_type="grant", entity_id__in=ids).update(at=at)


def demo_date_campaign(*, campaign_id: int, at: datetime.datetime) -> None:
    """Date a demo campaign's making and its targets' setting `at`, by the demo clock."""
    from safetynet.core.models import Campaign, ChangeRecord

    Campaign.objects.filter(pk=campaign_id).update(created_at=at)
    ChangeRecord.objects.filter(entity_type="campaign", entity_id=campaign_id).update(at=at)


def demo_date_weather_warning(*, warning_id: int, at: datetime.datetime) -> None:
    """Date a demo weather warning's entry `at`, by the demo clock."""
    from safetynet.core.models import ChangeRecord, WeatherWarning

    WeatherWarning.objects.filter(pk=warning_id).update(entered_at=at)
    ChangeRecord.objects.filter(entity_type="weatherwarning", entity_id=warning_id).update(at=at)


def demo_date_written_since(*, since: datetime.datetime, at: datetime.datetime) -> None:
    """Date `at`, by the demo clock, the history a builder's services wrote since `since` (the
    builder's start, by the wall clock): a grant, an SMS rule, a station's minimum levels."""
    from safetynet.core.models import ChangeRecord

    ChangeRecord.objects.filter(at__gte=since).update(at=at)
