"""The demo city's plan as plain data (people, households, villages, users) and the small helpers and
random draws every step of planning shares."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from pypinyin import lazy_pinyin

from safetynet.core.demo import HISTORY_START, DemoClock
from safetynet.core.ids import SEX_MALE, make_id_number
from safetynet.registry import codes
from safetynet.registry.demo.city import (
    _SURNAME_CUMULATIVE,
    _SURNAME_LIST,
    BRIEFING_DATE,
    COUNTIES,
    DISTRICTS,
    GIVEN_NAMES,
    ID_ADDRESS_CODE,
    MOBILE_PREFIXES,
    STANDARD_RURAL,
    STANDARD_URBAN_COUNTY,
    STANDARD_URBAN_DISTRICT,
)

# --- the plan: plain data ----------------------------------------------------------------------

@dataclass
class PersonPlan:
    name: str
    sex: int
    birth_date: datetime.date
    id_number: str
    relation: str
    ethnicity: str = "01"
    phone: str = ""
    marital: str = ""
    education: str = ""
    employment: str = ""
    labour_capacity: str = "01"
    health: str = "10"
    disability_category: int | None = None
    disability_grade: int | None = None
    disability_cert_no: str = ""
    serious_illness: str = ""
    mental_illness: bool = False
    self_care: int | None = None
    in_school: bool = False
    status: str = codes.PersonStatus.NORMAL
    exclusion: str = ""
    as_of: datetime.date = field(default=BRIEFING_DATE, repr=False)  # the demo clock's date

    @property
    def age(self) -> int:
        return age_on(self.birth_date, self.as_of)

    @property
    def counted(self) -> bool:
        return not self.exclusion


@dataclass
class ItemPlan:
    """An income item, asset or rigid expense: `member` is an index into the household's members."""

    member: int | None
    values: dict


@dataclass
class HouseholdPlan:
    kind: str
    structure: str
    village: str
    urban_rural: str
    address: str
    housing_status: str
    house_structure: str
    floor_area: Decimal
    heating: str
    co_alarm: bool
    members: list[PersonPlan]
    incomes: list[ItemPlan] = field(default_factory=list)
    assets: list[ItemPlan] = field(default_factory=list)
    expenses: list[ItemPlan] = field(default_factory=list)
    # The day the household was registered (its members joined then, or at birth if later) and
    # the moment, in office hours, that its history records: the demo clock's dating.
    joined_on: datetime.date = HISTORY_START
    registered_at: datetime.datetime | None = None

    @property
    def phone(self) -> str:
        return next((m.phone for m in self.members if m.phone), "")


@dataclass
class VillagePlan:
    code: str
    name: str
    urban_rural: str
    households: int = 0  # how many of the demo's households live there


@dataclass
class UserPlan:
    username: str
    role: str
    division: str
    name: str
    phone: str


@dataclass
class CityLayout:
    """Where the households go (villages with their counts) and who logs in: small at any size."""

    seed: int
    villages: list[VillagePlan]
    users: list[UserPlan]
    clock: DemoClock

    @property
    def households(self) -> int:
        return sum(v.households for v in self.villages)


@dataclass
class CityPlan:
    seed: int
    villages: list[VillagePlan]
    users: list[UserPlan]
    households: list[HouseholdPlan]
    clock: DemoClock

    @property
    def persons(self) -> int:
        return sum(len(h.members) for h in self.households)


# --- small helpers -----------------------------------------------------------------------------

def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _weighted(rng: random.Random, weights: dict):
    """A key drawn in proportion to its weight: what rng.choices gives, without building its lists."""
    point = rng.random() * sum(weights.values())
    total = 0
    for key, weight in weights.items():
        total += weight
        if point < total:
            return key
    return key


def _money(value: float, step: int = 10) -> Decimal:
    return Decimal(max(step, int(round(value / step)) * step))


def standard(county: str, urban_rural: str) -> int:
    """The 2022 低保 standard for the county and urban/rural, yuan per person per month."""
    if urban_rural == "rural":
        return STANDARD_RURAL
    return STANDARD_URBAN_DISTRICT if county in DISTRICTS else STANDARD_URBAN_COUNTY


def township_slug(name: str) -> str:
    """兰山街道 → lanshan: the township's name without its kind, in pinyin."""
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return "".join(lazy_pinyin(name)).lower()


def birth_address_codes(county: str) -> tuple[str, str]:
    """(current, pre-1994) address codes the ID numbers of people from `county` carry."""
    return ID_ADDRESS_CODE.get(county, county), COUNTIES[county][3]


class _Draw:
    """Random choices for one plan, keeping ID numbers and phone numbers unique across it."""

    def __init__(self, rng: random.Random, as_of: datetime.date = BRIEFING_DATE):
        self.rng = rng
        self.as_of = as_of  # ages count to this day: the demo clock's (the logins': the briefing's)
        self.id_bodies: set[str] = set()
        self.phones: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUMULATIVE)[0]

    def given_name(self, sex: int, born: datetime.date) -> str:
        era = "old" if born.year <= 1960 else "mid" if born.year <= 1995 else "young"
        return self.rng.choice(GIVEN_NAMES[(era, sex)])

    def phone(self) -> str:
        while True:
            number = f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def birth(self, age_low: int, age_high: int) -> datetime.date:
        """A birth date of someone aged age_low…age_high on the draw's date."""
        latest = _add_years(self.as_of, -age_low)
        earliest = _add_years(self.as_of, -age_high - 1) + datetime.timedelta(days=1)
        return earliest + datetime.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def birth_after(self, parent: datetime.date, gap_low: int, gap_high: int) -> datetime.date | None:
        """A child's birth date gap_low…gap_high years after the parent's, or None if not born yet."""
        earliest = _add_years(parent, gap_low)
        latest = min(_add_years(parent, gap_high), self.as_of - datetime.timedelta(days=30))
        if latest < earliest:
            return None
        return earliest + datetime.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, county: str, born: datetime.date, sex: int) -> str:
        current, old = birth_address_codes(county)
        # Numbers keep the address code of their first issue: those first issued before 1994
        # carry 临沂地区's codes (most who were adults by then, a few registered as children).
        chance_old = 0.4 if born.year <= 1977 else 0.1 if born.year <= 1993 else 0.0
        address = old if self.rng.random() < chance_old else current
        while True:
            # The order code (3 digits) is odd for men and even for women; 000 is not issued.
            order = self.rng.randrange(0, 500) * 2 + 1 if sex == SEX_MALE else self.rng.randrange(1, 500) * 2
            body = f"{address}{born:%Y%m%d}{order:03d}"
            if body not in self.id_bodies:
                self.id_bodies.add(body)
                return make_id_number(address, born, order)


