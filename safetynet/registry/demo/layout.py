"""Where the demo city's households live and who they are: villages under the real townships
(`plan_layout`) and the households, one at a time (`plan_households`)."""

import datetime
import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _

from safetynet.core.demo import HISTORY_START, DemoClock
from safetynet.registry.demo.city import (
    COMMUNITY_NAMES,
    COUNTIES,
    DISTRICTS,
    FIRST_YEAR_SHARE,
    HOUSEHOLDS_PER_TOWNSHIP,
    HOUSEHOLDS_PER_VILLAGE,
    KIND_STRUCTURES,
    KIND_WEIGHTS,
    RECENT_APPLICATION_DAYS,
    VILLAGE_LAND,
    VILLAGE_NATURE,
    VILLAGE_PLACE_WORDS,
    VILLAGE_PREFIXES,
)
from safetynet.registry.demo.money import _address, _assets, _expenses, _housing, _incomes
from safetynet.registry.demo.people import STRUCTURES, _Family
from safetynet.registry.demo.plans import CityLayout, CityPlan, HouseholdPlan, VillagePlan, _Draw, _weighted
from safetynet.registry.demo.users import plan_users

# --- villages and users ------------------------------------------------------------------------

def _village_names(rng: random.Random, count: int, urban: bool, draw: _Draw) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        if urban:
            name = rng.choice(COMMUNITY_NAMES) + "社区"
            if name in names:
                name = rng.choice(COMMUNITY_NAMES) + rng.choice(["东", "西", "南", "北", "新"]) + "社区"
        else:
            style = rng.random()
            if style < 0.45:
                name = draw.surname() + "家" + rng.choice(VILLAGE_PLACE_WORDS)
            elif style < 0.75:
                name = rng.choice(VILLAGE_PREFIXES) + draw.surname() + rng.choice(["庄", "官庄", "店", "营"])
            else:
                name = rng.choice(VILLAGE_NATURE) + rng.choice(VILLAGE_LAND)
            name = name if name.endswith("村") else name + "村"
        if name not in names:
            names.append(name)
    return names


def _deal(rng: random.Random, items: list, count: int) -> list:
    """`count` picks from `items`, each item at least once when count allows, in random order."""
    picks = [items[i % len(items)] for i in range(count)]
    rng.shuffle(picks)
    return picks


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` in proportion to `weights` (largest remainder), at least one each when possible."""
    whole = sum(weights.values())
    quotas = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    for k in sorted(quotas, key=lambda k: (counts[k] - quotas[k], k))[: total - sum(counts.values())]:
        counts[k] += 1
    if total >= len(weights):
        for k in counts:
            if counts[k] == 0:
                donor = max(counts, key=lambda d: (counts[d], d))
                counts[donor] -= 1
                counts[k] = 1
    return counts


def county_weights() -> dict[str, float]:
    # The bureau's caseload leans rural: the districts count for less than their population.
    return {code: population * (0.7 if code in DISTRICTS else 1.0)
            for code, (_slug, _name, population, _old) in COUNTIES.items()}


def rural_share(county: str) -> float:
    return 0.55 if county in DISTRICTS else 0.88



def plan_layout(
    *, households: int, seed: int, townships: Sequence[tuple[str, str]], clock: DemoClock
) -> CityLayout:
    """The villages the demo city's households live in, how many in each, and its users. Pure.

    `townships` are (code, name) of Linyi's townships (9-digit codes under the 13 counties). The
    villages and users do not depend on the clock; the households (`plan_households`) do.
    """
    rng = random.Random(f"safetynet-demo-{seed}")
    draw = _Draw(rng)
    by_county: dict[str, list[str]] = {c: [] for c in COUNTIES}
    names = dict(townships)
    for code in sorted(names):
        if code[:6] in by_county:
            by_county[code[:6]].append(code)
    missing = [c for c, t in by_county.items() if not t]
    if missing:
        raise ValueError(_("No townships are known under %(codes)s: have the migrations run?")
                         % {"codes": ", ".join(missing)})

    per_county = _apportion(households, county_weights())
    villages: list[VillagePlan] = []
    for county in COUNTIES:
        count = per_county[county]
        if not count:
            continue
        rural = sum(rng.random() < rural_share(county) for _household in range(count))
        for urban_rural, n in (("urban", count - rural), ("rural", rural)):
            if not n:
                continue
            pool = [t for t in by_county[county] if (int(t[6:9]) < 100) == (urban_rural == "urban")]
            pool = pool or by_county[county]
            chosen = sorted(rng.sample(pool, min(len(pool), math.ceil(n / HOUSEHOLDS_PER_TOWNSHIP))))
            per_township = Counter(_deal(rng, chosen, n))
            for township in chosen:
                h = per_township[township]
                v = min(99, math.ceil(h / HOUSEHOLDS_PER_VILLAGE))
                numbers = sorted(rng.sample(range(1, 100), v))
                first_digit = "1" if urban_rural == "urban" else "2"
                village_names = _village_names(rng, v, urban_rural == "urban", draw)
                township_villages = [
                    VillagePlan(f"{township}{first_digit}{number:02d}", name, urban_rural)
                    for number, name in zip(numbers, village_names, strict=True)
                ]
                for village, n_households in Counter(_deal(rng, range(v), h)).items():
                    township_villages[village].households = n_households
                villages += township_villages
    villages.sort(key=lambda v: v.code)
    users = plan_users(names, villages, random.Random(f"safetynet-demo-users-{seed}"))
    return CityLayout(seed=seed, villages=villages, users=users, clock=clock)


def plan_households(layout: CityLayout) -> Iterator[HouseholdPlan]:
    """The households of `layout`, village by village in code order, one at a time: a city of a
    million is planned and written in chunks, never held whole. Pure: the same layout gives the
    same households. Ages count to the layout's clock, and each household is registered by it."""
    rng = random.Random(f"safetynet-demo-households-{layout.seed}")
    draw = _Draw(rng, layout.clock.as_of)
    for village in layout.villages:
        county = village.code[:6]
        for _household in range(village.households):
            yield _plan_household(rng, draw, county, village, layout.clock)


def plan_city(
    *, households: int, seed: int, townships: Sequence[tuple[str, str]], clock: DemoClock
) -> CityPlan:
    """The whole demo city as plain data, households included (for a small city: `build_city`
    streams them instead). Pure: the same arguments give the same plan."""
    layout = plan_layout(households=households, seed=seed, townships=townships, clock=clock)
    return CityPlan(seed=seed, villages=layout.villages, users=layout.users,
                    households=list(plan_households(layout)), clock=clock)


def registration_day(rng: random.Random, clock: DemoClock, kind: str, members: list) -> datetime.date:
    """When the household was registered: a recent applicant within RECENT_APPLICATION_DAYS of the
    clock (open work, not years overdue); half the standing caseload in the registry's first year,
    the rest at any time since (a month before the clock at the latest). Never before its youngest
    member was born: its members all joined that day."""
    if kind == "applicant":
        day = clock.recent(rng, RECENT_APPLICATION_DAYS)
    elif rng.random() < FIRST_YEAR_SHARE:
        day = clock.day_between(rng, HISTORY_START, datetime.date(HISTORY_START.year, 12, 31))
    else:
        day = clock.day_between(rng, HISTORY_START, clock.as_of - datetime.timedelta(days=30))
    return min(max(day, *(m.birth_date for m in members)), clock.as_of)


def _plan_household(
    rng: random.Random, draw: _Draw, county: str, village: VillagePlan, clock: DemoClock
) -> HouseholdPlan:
    kind = _weighted(rng, KIND_WEIGHTS[village.urban_rural])
    structures, (low, high) = KIND_STRUCTURES[kind]
    structure = _weighted(rng, structures)
    family = _Family(draw, county, village.urban_rural)
    STRUCTURES[structure](family, draw, kind)
    plan = HouseholdPlan(
        kind=kind, structure=structure, village=village.code, urban_rural=village.urban_rural,
        address=_address(rng, village), members=family.members, **_housing(rng, village.urban_rural, kind),
    )
    plan.joined_on = registration_day(rng, clock, kind, family.members)
    plan.registered_at = clock.moment(rng, plan.joined_on)
    plan.incomes = _incomes(rng, plan, county, rng.uniform(low, high))
    plan.assets = _assets(rng, plan)
    plan.expenses = _expenses(rng, plan, county)
    return plan


