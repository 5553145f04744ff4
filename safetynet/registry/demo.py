"""The demo city: a synthetic, deterministic registry of the households a Linyi bureau knows.

Two steps. Planning is pure: from a seed, a household count and the real township list,
`plan_layout` draws the villages (with how many households each holds) and the users, and
`plan_households` draws the households (people, income, assets, expenses) as plain data, one at a
time, so a city of a million is never held whole; the same arguments always give the same city,
down to names, ID numbers and amounts. `build_city` writes it in chunks through the registry's
bulk service (registry.bulk.household_bulk_create: the services' rules, checked set-wise), or
household by household through the single-record services; a test holds the two to the same
result.

The mix follows SPEC §6.8 without the programmes themselves (they come with a later issue): the
household structures, incomes, disability, illness, self-care and capacity to work are those of
低保 recipients (≈ 80 % rural), 特困 persons (single, elderly or severely disabled, ≈ 90 % rural),
低保边缘 households, monitored households with large medical costs and recent applicants.
"""

import contextlib
import datetime
import itertools
import math
import multiprocessing
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from safetynet.core.batch import batch_work
from safetynet.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from safetynet.core.ids import SEX_FEMALE, SEX_MALE, make_id_number
from safetynet.core.selectors import divisions_by_code, divisions_under, users_by_username
from safetynet.core.services import user_bulk_set_password, user_create, village_bulk_create
from safetynet.core.types import DivisionLevel, Role, User
from safetynet.registry import bulk, codes, services

# Ages, income periods and expense dates count from the day of the Linyi briefing, so that a
# seed gives the same city whatever day it is built.
DEMO_DATE = datetime.date(2022, 12, 16)
INCOME_PERIOD = (datetime.date(2021, 12, 1), datetime.date(2022, 11, 30))
CITY_CODE = "3713"

# Linyi's 13 county-level units: short pinyin for user names, name, approximate 2020 census population
# (thousands; SPEC §2.1 gives ≈ 11 M in all) and the address code their people's ID numbers carry
# when first issued before 1994 (临沂地区, 3728xx; the urban units were 临沂市, 372801).
COUNTIES = {
    "371302": ("lanshan", "兰山区", 1440, "372801"),
    "371311": ("luozhuang", "罗庄区", 610, "372801"),
    "371312": ("hedong", "河东区", 720, "372801"),
    "371321": ("yinan", "沂南县", 800, "372832"),
    "371322": ("tancheng", "郯城县", 870, "372822"),
    "371323": ("yishui", "沂水县", 1000, "372827"),
    "371324": ("lanling", "兰陵县", 1160, "372823"),  # 苍山县 until 2014
    "371325": ("feixian", "费县", 780, "372831"),
    "371326": ("pingyi", "平邑县", 880, "372830"),
    "371327": ("junan", "莒南县", 850, "372824"),
    "371328": ("mengyin", "蒙阴县", 480, "372829"),
    "371329": ("linshu", "临沭县", 580, "372833"),
    "371371": ("gaoxin", "临沂高新技术产业开发区", 200, "372801"),
}
# 371371 is a statistical code, not in GB/T 2260: the police never issued numbers with it. The
# zone's two townships were carved out of 罗庄区, whose code its people carry.
ID_ADDRESS_CODE = {"371371": "371311"}
DISTRICTS = {"371302", "371311", "371312", "371371"}

# 2022 低保 standards, yuan per person per month (SPEC §6.8): urban in districts and zones, urban
# in counties, rural.
STANDARD_URBAN_DISTRICT = 730
STANDARD_URBAN_COUNTY = 700
STANDARD_RURAL = 545

# The build's SQLite page cache (core.batch.large_page_cache): the indexes of a million households.
DEMO_CACHE_MB = 2048
HOUSEHOLDS_PER_TOWNSHIP = 12
HOUSEHOLDS_PER_VILLAGE = 6

# Who the bureau knows, by urban/rural (weights): 特困 persons, 低保 households, 低保边缘,
# monitored (large medical costs, new disability) and recent applicants.
KIND_WEIGHTS = {
    "rural": {"tekun": 26, "dibao": 52, "edge": 10, "monitored": 8, "applicant": 4},
    "urban": {"tekun": 10, "dibao": 55, "edge": 15, "monitored": 12, "applicant": 8},
}
# The household structures each kind has, and its counted income as a share of the standard.
KIND_STRUCTURES = {
    "tekun": ({"elderly_alone": 80, "disabled_alone": 20}, (0.0, 0.6)),
    "dibao": ({"elderly_alone": 15, "elderly_couple": 22, "family_ill": 22, "three_generations": 12,
               "single_parent": 11, "disabled_with_parents": 10, "grandparents": 8}, (0.15, 0.9)),
    "edge": ({"family_ill": 35, "elderly_couple": 25, "three_generations": 20, "single_parent": 20},
             (1.0, 1.45)),
    "monitored": ({"family_ill": 50, "three_generations": 20, "elderly_couple": 15,
                   "disabled_with_parents": 15}, (0.9, 2.2)),
    "applicant": ({"elderly_alone": 15, "elderly_couple": 20, "family_ill": 25, "single_parent": 20,
                   "disabled_with_parents": 10, "grandparents": 10}, (0.4, 1.3)),
}


def _words(text: str) -> list[str]:
    return text.split()


# Common surnames (weights roughly as in Shandong), with some the pinyin tables get wrong (曾 zeng,
# 单 shan, 仇 qiu) and Linyi's own (颜, 厉, 诸葛 from 沂水 诸葛镇).
SURNAMES = {
    "王": 75, "张": 65, "李": 60, "刘": 55, "陈": 25, "杨": 25, "赵": 20, "黄": 10, "周": 15, "吴": 10,
    "徐": 20, "孙": 25, "胡": 8, "朱": 12, "高": 15, "林": 8, "何": 5, "郭": 10, "马": 12, "罗": 4,
    "杜": 10, "宋": 10, "孟": 8, "颜": 4, "鲁": 4, "庄": 5, "厉": 2, "褚": 2, "于": 12, "丁": 8,
    "魏": 8, "石": 7, "韩": 8, "曹": 7, "薛": 6, "田": 6, "葛": 4, "侯": 4, "姜": 8, "崔": 5,
    "曾": 3, "单": 3, "仇": 2, "诸葛": 1,
}
_SURNAME_LIST, _SURNAME_CUMULATIVE = list(SURNAMES), list(itertools.accumulate(SURNAMES.values()))

# Given names by generation and sex: names follow fashions.
GIVEN_NAMES = {
    ("old", SEX_MALE): _words("建国 国庆 德胜 富贵 长山 玉山 树林 庆祥 守信 传友 兆明 洪亮 学文 振华 "
                              "开山 宝田 永福 秀山 来福 培元 凤岐 广田 成林 立春 志刚 明德 殿臣 家和 "
                              "绍文 金 山 林 海 福 贵 忠"),
    ("old", SEX_FEMALE): _words("桂兰 秀英 玉兰 凤英 淑珍 桂英 秀兰 玉梅 素芳 翠花 兰英 凤兰 秀云 玉珍 春花 "
                                "金兰 秀芝 桂芝 玉芬 淑兰 荣 英 兰 芳 秀 梅 花"),
    ("mid", SEX_MALE): _words("伟 磊 军 勇 强 涛 斌 明 刚 杰 建华 晓东 志强 海波 国栋 永刚 红军 建军 卫东 "
                              "文涛 立新 宏伟 新民 庆华 俊峰 学军 洪涛 振宇 成龙 德华"),
    ("mid", SEX_FEMALE): _words("红梅 丽娟 海燕 静 丽 艳 芳 娟 敏 霞 丽丽 晓燕 春燕 秀梅 玉红 美玲 雪梅 桂香 "
                                "爱华 红霞 文静 小红 慧 晓丽 彩霞 凤霞 翠萍"),
    ("young", SEX_MALE): _words("子涵 梓轩 浩然 宇航 俊杰 一鸣 博文 家豪 子豪 浩宇 天佑 明轩 思源 睿 泽 "
                                "晨 航 鑫 鹏 昊天 锦程 文博 子墨 宇轩 皓轩"),
    ("young", SEX_FEMALE): _words("欣怡 雨桐 一诺 佳琪 思雨 梓涵 诗涵 可馨 雨欣 子萱 若曦 语嫣 欣然 婷 悦 雪 "
                                  "琳 佳怡 梦瑶 紫涵 思琪 晨曦 雅琪"),
}

VILLAGE_PLACE_WORDS = _words("庄 村 沟 岭 湖 洼 屯 楼 埠 疃 峪 河 官庄 店")
VILLAGE_PREFIXES = _words("东 西 南 北 前 后 大 小 上 下")
VILLAGE_NATURE = _words("石 柳 杏 桃 枣 槐 松 杨 高 黄 青 白 马 龙 凤 沂 蒙")
VILLAGE_LAND = _words("山 岭 沟 峪 泉 河 湖 庄 园 坡 庄子 崖")
COMMUNITY_NAMES = _words(
    "东关 西关 南关 北关 新华 振兴 和平 文化 滨河 沂河 银河 府前 解放 人民 花园 金雀 育才 书院 九曲 北园 "
    "南坊 翠湖 明珠 锦绣 阳光 幸福 康乐 沂州 琅琊 兰亭 温泉 开元 春晖 荷花 朝阳 新村 长安 建设 胜利 工业 "
    "华夏 东方 平安 永安 和谐 丰收 站前 中心 光明 东苑 西苑 南苑 北苑 桃园 李园 梨园 凤凰 鑫源"
)

MOBILE_PREFIXES = [*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, *range(180, 190)]

SERIOUS_ILLNESSES = ["02", "02", "08", "08", "09", "10", "01", "03", "07"]


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

    @property
    def age(self) -> int:
        return age_on(self.birth_date, DEMO_DATE)

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
    joined_on: datetime.date = DEMO_DATE

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

    @property
    def households(self) -> int:
        return sum(v.households for v in self.villages)


@dataclass
class CityPlan:
    seed: int
    villages: list[VillagePlan]
    users: list[UserPlan]
    households: list[HouseholdPlan]

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

    def __init__(self, rng: random.Random):
        self.rng = rng
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
        """A birth date of someone aged age_low…age_high on DEMO_DATE."""
        latest = _add_years(DEMO_DATE, -age_low)
        earliest = _add_years(DEMO_DATE, -age_high - 1) + datetime.timedelta(days=1)
        return earliest + datetime.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def birth_after(self, parent: datetime.date, gap_low: int, gap_high: int) -> datetime.date | None:
        """A child's birth date gap_low…gap_high years after the parent's, or None if not born yet."""
        earliest = _add_years(parent, gap_low)
        latest = min(_add_years(parent, gap_high), DEMO_DATE - datetime.timedelta(days=30))
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


# --- people ------------------------------------------------------------------------------------

def _education(rng: random.Random, born: datetime.date) -> str:
    age = age_on(born, DEMO_DATE)
    if age < 6:
        return ""
    if age <= 12:
        return codes.Education.PRIMARY
    if age <= 15:
        return codes.Education.JUNIOR
    if born.year <= 1950:
        table = {"90": 50, "80": 45, "70": 5}
    elif born.year <= 1965:
        table = {"90": 20, "80": 50, "70": 25, "60": 5}
    elif born.year <= 1985:
        table = {"80": 20, "70": 55, "60": 15, "40": 5, "30": 5}
    else:
        table = {"70": 40, "60": 20, "40": 15, "30": 15, "20": 10}
    return _weighted(rng, table)


class _Family:
    """Builds the members of one household, the head first."""

    def __init__(self, draw: _Draw, county: str, urban_rural: str):
        self.draw, self.rng, self.county, self.rural = draw, draw.rng, county, urban_rural == "rural"
        self.ethnicity = _weighted(self.rng, {"01": 994, "03": 5, "11": 1})
        self.members: list[PersonPlan] = []

    def add(self, *, sex: int, born: datetime.date, relation: str, surname: str | None = None,
            marital: str = "") -> PersonPlan:
        rng = self.rng
        taken = {m.name for m in self.members}
        surname = surname or self.draw.surname()
        name = surname + self.draw.given_name(sex, born)
        for _attempt in range(5):
            if name not in taken:
                break
            name = surname + self.draw.given_name(sex, born)
        age = age_on(born, DEMO_DATE)
        person = PersonPlan(
            name=name, sex=sex, birth_date=born, id_number=self.draw.id_number(self.county, born, sex),
            relation=relation, ethnicity=self.ethnicity if rng.random() < 0.97 else "01",
            marital=marital or (codes.Marital.UNMARRIED if age < 22 else codes.Marital.MARRIED),
            education=_education(rng, born),
        )
        if age < 16 or age >= 70:
            person.labour_capacity = codes.LabourCapacity.NONE
        elif age >= 60:
            person.labour_capacity = _weighted(rng, {"02": 60, "04": 40})
        if age >= 50 and rng.random() < 0.4:
            person.health = codes.Health.FAIR
        self._occupation(person)
        phone_chance = 0.0 if age < 18 else 0.8 if age < 60 else 0.45 if age < 76 else 0.15
        if rng.random() < phone_chance:
            person.phone = self.draw.phone()
        self.members.append(person)
        return person

    def _occupation(self, person: PersonPlan) -> None:
        """Schooling and work from age, capacity and disability (again after either changes)."""
        rng, age = self.rng, person.age
        person.in_school = False
        if age < 6:
            person.employment = codes.Employment.PRESCHOOL
        elif age <= 15 or (age <= 22 and rng.random() < (0.85 if age <= 18 else 0.4)):
            if person.disability_grade in (1, 2) and person.disability_category in (5, 6, 7):
                person.employment = codes.Employment.OTHER  # at home, not in school
                person.education = codes.Education.NONE if age > 6 else ""
                return
            person.in_school, person.employment = True, codes.Employment.STUDENT
            if age >= 16:
                person.education = _weighted(rng, {"60": 70, "40": 30}) if age <= 18 else \
                    _weighted(rng, {"30": 60, "20": 40})
        elif person.labour_capacity in (codes.LabourCapacity.FULLY_LOST, codes.LabourCapacity.NONE):
            person.employment = codes.Employment.OTHER
        elif age >= 60:
            person.employment = codes.Employment.FARMING if self.rural else codes.Employment.OTHER
        elif self.rural:
            person.employment = _weighted(rng, {"farming": 60, "employed": 25, "self_employed": 5,
                                                "unemployed": 10})
        else:
            person.employment = _weighted(rng, {"employed": 45, "self_employed": 10, "unemployed": 45})

    # The hardships that bring a household to the bureau.
    def seriously_ill(self, person: PersonPlan) -> None:
        person.serious_illness = self.rng.choice(SERIOUS_ILLNESSES)
        person.health = codes.Health.SERIOUSLY_ILL
        if 16 <= person.age < 60:
            person.labour_capacity = _weighted(self.rng, {"02": 50, "03": 50})
            self._occupation(person)

    def disabled(self, person: PersonPlan, *, severe: bool) -> None:
        rng = self.rng
        if severe:
            category = _weighted(rng, {5: 30, 6: 20, 4: 30, 7: 10, 1: 10})
            grade = rng.choice([1, 2, 3] if category in (5, 6) else [1, 2])
        else:
            category = _weighted(rng, {4: 45, 1: 15, 2: 20, 3: 5, 5: 5, 6: 10})
            grade = rng.choice([2, 3, 3, 4, 4])
        person.disability_category, person.disability_grade = category, grade
        person.mental_illness = category == 6
        if person.mental_illness and grade <= 2:
            person.serious_illness, person.health = codes.SeriousIllness.MENTAL, codes.Health.SERIOUSLY_ILL
        working_age = 16 <= person.age < 60
        if working_age and (grade <= 2 or category in (5, 6) and grade <= 3):
            person.labour_capacity = codes.LabourCapacity.FULLY_LOST
        elif working_age and person.labour_capacity == codes.LabourCapacity.ABLE:
            person.labour_capacity = codes.LabourCapacity.PARTLY_LOST
        if grade <= 2:
            person.self_care = _weighted(rng, {1: 30, 2: 45, 3: 25})
        person.disability_cert_no = f"{person.id_number}{category}{grade}"
        self._occupation(person)
        if person.disability_category and person.phone and grade <= 2 and rng.random() < 0.7:
            person.phone = ""

    def children(self, mother_born: datetime.date, count: int, *, surname: str,
                 son_codes=("22", "23", "24", "25", "26"), daughter_codes=("32", "33", "34", "35", "36"),
                 only=("21", "31"), gap=(21, 38), min_age: int = 0) -> list[PersonPlan]:
        """Children of a mother born on `mother_born`, oldest first, with GB/T 4761 codes by birth order.

        The default gap keeps both parents 18–45 years older than each child: a husband is at most 2
        years younger and 6 years older than his wife (`_spouse_born`).
        """
        births: list[datetime.date] = []
        for _child in range(count):
            born = self.draw.birth_after(mother_born, *gap)
            if born is None or any(abs((born - b).days) < 400 for b in births):
                continue
            if age_on(born, DEMO_DATE) < min_age:
                continue
            births.append(born)
        births.sort()
        sexes = [SEX_MALE if self.rng.random() < 0.52 else SEX_FEMALE for _born in births]
        sons = daughters = 0
        made = []
        for born, sex in zip(births, sexes, strict=True):
            if len(births) == 1:
                relation = only[0] if sex == SEX_MALE else only[1]
            elif sex == SEX_MALE:
                relation, sons = son_codes[min(sons, len(son_codes) - 1)], sons + 1
            else:
                relation, daughters = daughter_codes[min(daughters, len(daughter_codes) - 1)], daughters + 1
            made.append(self.add(sex=sex, born=born, relation=relation, surname=surname,
                                 marital=codes.Marital.UNMARRIED))
        return made


def _spouse_born(draw: _Draw, husband_born: datetime.date) -> datetime.date:
    """A wife mostly 0–5 years younger than her husband, sometimes a little older."""
    years = draw.rng.choice([-2, -1, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6])
    born = _add_years(husband_born, years) + datetime.timedelta(days=draw.rng.randrange(-150, 150))
    return min(born, _add_years(DEMO_DATE, -20))


def _couple(family: _Family, draw: _Draw, husband_born: datetime.date, *, wife_heads: bool = False):
    """A married couple: (husband, wife), the head first in family.members."""
    surname = draw.surname()
    wife_born = _spouse_born(draw, husband_born)
    married = codes.Marital.MARRIED
    if wife_heads:
        wife = family.add(sex=SEX_FEMALE, born=wife_born, relation="02", marital=married)
        husband = family.add(sex=SEX_MALE, born=husband_born, relation="11", surname=surname, marital=married)
    else:
        husband = family.add(sex=SEX_MALE, born=husband_born, relation="02", surname=surname, marital=married)
        wife = family.add(sex=SEX_FEMALE, born=wife_born, relation="12", marital=married)
    return husband, wife, surname


def _surname_of(person: PersonPlan) -> str:
    return "诸葛" if person.name.startswith("诸葛") else person.name[0]


def _structure_elderly_alone(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    # Rural 特困 elderly are more often men who never married (the old 五保户).
    sex = SEX_MALE if rng.random() < (0.6 if kind == "tekun" else 0.4) else SEX_FEMALE
    marital = _weighted(rng, {"10": 45, "30": 50, "40": 5} if kind == "tekun"
                        else {"30": 80, "40": 10, "10": 10})
    person = family.add(sex=sex, born=draw.birth(62, 93), relation="02", marital=marital)
    person.labour_capacity = codes.LabourCapacity.NONE
    if rng.random() < 0.3:
        family.disabled(person, severe=rng.random() < 0.4)
    if rng.random() < 0.15:
        family.seriously_ill(person)
    if kind == "tekun":
        # About a quarter of 特困 persons cannot fully look after themselves (SPEC §6.8: 9,000 of 36,000).
        person.self_care = person.self_care or _weighted(rng, {1: 75, 2: 17, 3: 8})
    family._occupation(person)


def _structure_disabled_alone(family: _Family, draw: _Draw, kind: str) -> None:
    person = family.add(sex=SEX_MALE if draw.rng.random() < 0.6 else SEX_FEMALE, born=draw.birth(18, 59),
                        relation="02", marital=codes.Marital.UNMARRIED)
    family.disabled(person, severe=True)
    person.labour_capacity = codes.LabourCapacity.FULLY_LOST
    person.self_care = person.self_care or _weighted(draw.rng, {1: 40, 2: 40, 3: 20})
    family._occupation(person)


def _structure_elderly_couple(family: _Family, draw: _Draw, kind: str) -> None:
    husband, wife, _surname = _couple(family, draw, draw.birth(62, 88))
    sick = draw.rng.choice([husband, wife])
    if draw.rng.random() < 0.6:
        family.seriously_ill(sick)
    else:
        family.disabled(sick, severe=draw.rng.random() < 0.5)


def _structure_family_ill(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    husband, wife, surname = _couple(family, draw, draw.birth(28, 55), wife_heads=rng.random() < 0.15)
    family.children(wife.birth_date, _weighted(rng, {1: 45, 2: 45, 3: 10}), surname=surname)
    sick = husband if rng.random() < 0.6 else wife
    if rng.random() < 0.65:
        family.seriously_ill(sick)
    else:
        family.disabled(sick, severe=True)
    _maybe_absent_member(family, draw)


def _structure_three_generations(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    husband, wife, surname = _couple(family, draw, draw.birth(30, 52))
    family.children(wife.birth_date, _weighted(rng, {1: 50, 2: 45, 3: 5}), surname=surname)
    # The head's parents: his father 23–38 years older than him, his mother 19–42.
    father_born = (_add_years(husband.birth_date, -rng.randint(23, 37))
                   - datetime.timedelta(days=rng.randrange(365)))
    mother_born = _add_years(father_born, rng.randint(-1, 4))
    with_father = rng.random() < 0.7
    with_mother = not with_father or rng.random() < 0.8
    marital = codes.Marital.MARRIED if with_father and with_mother else codes.Marital.WIDOWED
    elders = []
    if with_father:
        elders.append(family.add(sex=SEX_MALE, born=father_born, relation="51", surname=surname,
                                 marital=marital))
    if with_mother:
        elders.append(family.add(sex=SEX_FEMALE, born=mother_born, relation="52", marital=marital))
    sick = rng.choice(elders)
    if rng.random() < 0.5:
        family.seriously_ill(sick)
    else:
        family.disabled(sick, severe=True)
    if rng.random() < 0.3:
        family.seriously_ill(rng.choice([husband, wife]))
    _maybe_absent_member(family, draw)


def _structure_single_parent(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    mother = rng.random() < 0.75
    marital = _weighted(rng, {"40": 55, "30": 45})
    parent_born = draw.birth(25, 52)
    parent = family.add(sex=SEX_FEMALE if mother else SEX_MALE, born=parent_born, relation="02",
                        marital=marital)
    # Children mostly carry their father's surname: the absent one's when the mother heads the household.
    surname = _surname_of(parent)
    if mother and rng.random() < 0.85:
        surname = draw.surname()
    gap = (20, 40) if mother else (23, 45)
    if not family.children(parent_born, _weighted(rng, {1: 60, 2: 40}), surname=surname, gap=gap):
        family.children(parent_born, 1, surname=surname, gap=(gap[0], gap[0] + 8))
    if rng.random() < 0.4:
        family.seriously_ill(parent)


def _structure_disabled_with_parents(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    father_born = draw.birth(58, 82)
    if rng.random() < 0.75:
        father, mother, surname = _couple(family, draw, father_born)
    else:  # a widowed mother looks after the child alone
        surname = draw.surname()
        mother = family.add(sex=SEX_FEMALE, born=_spouse_born(draw, father_born), relation="02",
                            marital=codes.Marital.WIDOWED)
    made = family.children(mother.birth_date, 1, surname=surname, gap=(21, 36), min_age=18)
    if not made:
        made = family.children(mother.birth_date, 1, surname=surname, gap=(21, 26))
    for child in made:
        child.marital = codes.Marital.UNMARRIED
        family.disabled(child, severe=True)


def _structure_grandparents(family: _Family, draw: _Draw, kind: str) -> None:
    """Grandparents bringing up grandchildren whose parents are gone or away (事实无人抚养)."""
    rng = draw.rng
    grandfather_born = draw.birth(58, 80)
    if rng.random() < 0.75:
        grandfather, grandmother, surname = _couple(family, draw, grandfather_born)
    else:
        surname = draw.surname()
        grandmother = family.add(sex=SEX_FEMALE, born=_spouse_born(draw, grandfather_born), relation="02",
                                 marital=codes.Marital.WIDOWED)
    via_son = rng.random() < 0.75
    child_surname = surname if via_son else draw.surname()
    codes_ = (("41",) * 5, ("42",) * 5, ("41", "42")) if via_son else (("43",) * 5, ("44",) * 5, ("43", "44"))
    made = family.children(grandmother.birth_date, _weighted(rng, {1: 60, 2: 40}), surname=child_surname,
                           son_codes=codes_[0], daughter_codes=codes_[1], only=codes_[2], gap=(45, 66))
    if not made:
        family.children(grandmother.birth_date, 1, surname=child_surname, son_codes=codes_[0],
                        daughter_codes=codes_[1], only=codes_[2], gap=(45, 52))
    if rng.random() < 0.5:
        family.seriously_ill(family.members[0])


def _maybe_absent_member(family: _Family, draw: _Draw) -> None:
    """Now and then an adult child is in prison or missing: a member not counted as living together."""
    adults = [m for m in family.members if m.relation[0] in "23" and m.age >= 18]
    if adults and draw.rng.random() < 0.08:
        member = draw.rng.choice(adults)
        if draw.rng.random() < 0.6:
            member.status, member.exclusion = codes.PersonStatus.IN_PRISON, codes.Exclusion.PRISON
        else:
            member.status, member.exclusion = codes.PersonStatus.MISSING, codes.Exclusion.MISSING
        member.phone, member.in_school, member.employment = "", False, codes.Employment.OTHER


STRUCTURES = {
    "elderly_alone": _structure_elderly_alone,
    "disabled_alone": _structure_disabled_alone,
    "elderly_couple": _structure_elderly_couple,
    "family_ill": _structure_family_ill,
    "three_generations": _structure_three_generations,
    "single_parent": _structure_single_parent,
    "disabled_with_parents": _structure_disabled_with_parents,
    "grandparents": _structure_grandparents,
}


# --- money: income, assets, expenses -----------------------------------------------------------

Income = codes.IncomeCategory
Asset = codes.AssetType
Exempt = codes.AssetExemption


def _day_in_2022(rng: random.Random) -> datetime.date:
    start = datetime.date(2022, 1, 1)
    return start + datetime.timedelta(days=rng.randrange((DEMO_DATE - start).days))


def _income(member: int, category: str, description: str, amount, not_counted: str = "") -> ItemPlan:
    """Income over INCOME_PERIOD; `not_counted` is the reason it is excluded, if it is."""
    return ItemPlan(member, {
        "category": str(category), "description": description, "amount": Decimal(amount),
        "period_start": INCOME_PERIOD[0], "period_end": INCOME_PERIOD[1],
        "excluded": bool(not_counted), "exclusion_reason": str(not_counted),
    })


def _incomes(rng: random.Random, plan: HouseholdPlan, county: str, factor: float) -> list[ItemPlan]:
    """Counted income near `factor` times the 低保 standard, then what is not counted (art. 13)."""
    members = plan.members
    counted = [i for i, m in enumerate(members) if m.counted]
    target = factor * standard(county, plan.urban_rural) * 12 * len(counted)
    earners = [i for i in counted if 18 <= members[i].age < 60 and not members[i].in_school
               and members[i].labour_capacity in ("01", "02")]
    elderly = [i for i in counted if members[i].age >= 60]
    head = counted[0]
    sources: list[tuple[str, int, str, float]] = []  # category, member, description, share
    if plan.urban_rural == "rural":
        farmer = (earners or elderly or [head])[0]
        sources.append((Income.BUSINESS, farmer, "种植收入（小麦、玉米、花生）", rng.uniform(2, 5)))
        if rng.random() < 0.25:
            sources.append((Income.PROPERTY, head, "土地流转租金", rng.uniform(0.5, 1.5)))
        for i in earners:
            if members[i].employment in ("employed", "self_employed") or rng.random() < 0.3:
                sources.append((Income.WAGE, i, "农闲外出务工收入", rng.uniform(2, 6)))
    else:
        for i in earners:
            if members[i].employment == "self_employed":
                sources.append((Income.BUSINESS, i, "个体经营收入", rng.uniform(3, 7)))
            elif members[i].employment != "unemployed" or rng.random() < 0.4:
                sources.append((Income.WAGE, i, "灵活就业收入", rng.uniform(3, 7)))
        if rng.random() < 0.15:
            sources.append((Income.PROPERTY, head, "房屋出租收入", rng.uniform(0.5, 2)))
    if elderly and rng.random() < 0.6:
        sources.append((Income.TRANSFER, elderly[0], "子女赡养费", rng.uniform(1, 3)))
    if not sources or rng.random() < 0.1:
        sources.append((Income.OTHER, head, "临时性零星收入", 1.0))
    total_share = sum(source[3] for source in sources)
    items = []
    for category, member, description, share in sources:
        amount = target * share / total_share
        if amount >= 100:
            item = _income(member, category, description, _money(amount))
            if category == Income.WAGE and rng.random() < 0.3:
                item.values |= {"deduction_kind": str(codes.Deduction.EMPLOYMENT_COST),
                                "deduction_amount": _money(amount * rng.uniform(0.08, 0.2))}
            items.append(item)

    excluded = codes.IncomeExclusion
    for i, m in enumerate(members):
        if m.age >= 60:
            items.append(_income(i, Income.TRANSFER, "城乡居民基本养老保险基础养老金", 150 * 12,
                                 excluded.BASIC_PENSION))
        if m.age >= 80:
            items.append(_income(i, Income.TRANSFER, "高龄津贴", 100 * 12, excluded.ELDERLY_ALLOWANCE))
        if m.disability_grade in (1, 2) and rng.random() < 0.8:
            items.append(_income(i, Income.TRANSFER, "重度残疾人护理补贴", 100 * 12, excluded.OTHER_LOCAL))
        if m.in_school and m.age >= 15 and rng.random() < 0.2:
            items.append(_income(i, Income.TRANSFER, "国家助学金", rng.choice([2000, 2500, 3300]),
                                 excluded.SCHOLARSHIP))
    if elderly and len(elderly) <= 2 and rng.random() < 0.08:
        items.append(_income(elderly[0], Income.TRANSFER, "农村部分计划生育家庭奖励扶助金", 960,
                             excluded.FAMILY_PLANNING))
    return items


SAVINGS = {"tekun": (0, 8000), "dibao": (0, 15000), "edge": (3000, 40000), "monitored": (5000, 60000),
           "applicant": (0, 30000)}


def _asset(member: int, asset_type: str, description: str, value, exempt: str = "", **more) -> ItemPlan:
    """A piece of property; `exempt` is why it does not count, if it does not."""
    return ItemPlan(member, {"asset_type": str(asset_type), "description": description,
                             "value": Decimal(value), "exempt": bool(exempt), "exempt_reason": str(exempt),
                             **more})


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(rng.choice("0123456789" + letters[:6]) for _digit in range(4))
    return f"鲁Q{rng.choice(letters)}{tail}"  # 鲁Q: Linyi's plates


def _assets(rng: random.Random, plan: HouseholdPlan) -> list[ItemPlan]:
    items = []
    rural = plan.urban_rural == "rural"
    low, high = SAVINGS[plan.kind]
    if rng.random() < 0.7:
        savings = _money(rng.uniform(max(low, 200), high), 100)
        items.append(_asset(0, Asset.SAVINGS, "银行活期及定期存款", savings))
    if rural and rng.random() < (0.5 if plan.kind == "tekun" else 0.85):
        mu = rng.choice([0.5, 1, 1.5, 2, 2, 2.5, 3, 3, 4, 5, 6])
        items.append(_asset(0, Asset.FARMLAND, f"家庭承包地{mu:g}亩", _money(mu * 1500, 100),
                            Exempt.PRODUCTION_NECESSITY, area=Decimal(str(round(mu * 666.67, 2)))))
    if rural and rng.random() < 0.2:
        description, value = rng.choice([("山羊3只", 2400), ("生猪2头", 3000), ("鸡鸭20只", 800),
                                         ("黄牛1头", 9000)])
        items.append(_asset(0, Asset.LIVESTOCK, description, value,
                            Exempt.PRODUCTION_NECESSITY if value < 5000 else ""))
    if plan.housing_status in ("03", "04", "05", "06"):
        sound = plan.housing_status in ("03", "04")
        value = rng.uniform(15000, 80000) if sound else rng.uniform(3000, 15000)
        items.append(_asset(0, Asset.HOUSE, "宅基地自建房", _money(value, 1000), Exempt.ONLY_HOME,
                            area=plan.floor_area))
    elif plan.housing_status in ("00", "01", "02"):
        items.append(_asset(0, Asset.HOUSE, "唯一住房", _money(rng.uniform(120000, 450000), 1000),
                            Exempt.ONLY_HOME, area=plan.floor_area))
    physically_disabled = [i for i, m in enumerate(plan.members) if m.disability_category in (4, 7)]
    if physically_disabled and rng.random() < 0.3:
        items.append(_asset(physically_disabled[0], Asset.VEHICLE, "残疾人代步车",
                            _money(rng.uniform(2000, 6000), 100), Exempt.DISABILITY_VEHICLE))
    elif rural and rng.random() < 0.1:
        items.append(_asset(0, Asset.VEHICLE, "电动三轮车", _money(rng.uniform(1500, 4000), 100),
                            Exempt.PRODUCTION_NECESSITY))
    if plan.kind in ("edge", "monitored", "applicant") and rng.random() < 0.08:
        items.append(_asset(0, Asset.VEHICLE, "小型普通客车（二手）", _money(rng.uniform(15000, 60000), 1000),
                            plate_number=_plate(rng)))
    if rng.random() < 0.1:
        items.append(_asset(0, Asset.APPLIANCES, "空调、冰箱", _money(rng.uniform(1500, 5000), 100),
                            Exempt.LIVING_NECESSITY))
    return items


def _hospital(county: str) -> str:
    return "临沂市人民医院" if county in DISTRICTS else f"{COUNTIES[county][1]}人民医院"


def _expense(member: int, expense_type: str, amount: Decimal, on: datetime.date, receipt: str,
             description: str) -> ItemPlan:
    return ItemPlan(member, {"expense_type": str(expense_type), "amount": amount, "incurred_on": on,
                             "receipt_ref": receipt, "description": description})


def _expenses(rng: random.Random, plan: HouseholdPlan, county: str) -> list[ItemPlan]:
    items = []
    expense = codes.ExpenseType
    for i, m in enumerate(plan.members):
        if m.serious_illness and m.counted:
            low, high = (30000, 150000) if plan.kind == "monitored" else (3000, 60000)
            total = rng.uniform(low, high)
            shares = [rng.uniform(0.3, 1) for _part in range(rng.randint(1, 3))]
            for share in shares:
                amount = _money(total * share / sum(shares), 1) + Decimal("0.50") * rng.randint(0, 1)
                items.append(_expense(i, expense.MEDICAL, amount, _day_in_2022(rng),
                                      f"ZY2022{rng.randrange(10**6):06d}",
                                      f"{_hospital(county)}住院医疗费用个人自付部分"))
        elif m.disability_grade in (1, 2) and m.counted and rng.random() < 0.3:
            items.append(_expense(i, expense.DISABILITY_REHAB, _money(rng.uniform(2000, 15000)),
                                  _day_in_2022(rng), f"KF2022{rng.randrange(10**5):05d}",
                                  "残疾人康复训练费用"))
        if m.in_school and m.age >= 15 and plan.kind != "tekun" and rng.random() < 0.3:
            items.append(_expense(i, expense.EDUCATION, _money(rng.uniform(3000, 12000)),
                                  datetime.date(2022, 9, 1) + datetime.timedelta(days=rng.randrange(20)),
                                  f"XF2022{rng.randrange(10**5):05d}", "学费及住宿费"))
    return items


# --- housing -----------------------------------------------------------------------------------

def _housing(rng: random.Random, urban_rural: str, kind: str) -> dict:
    if urban_rural == "rural":
        status = _weighted(rng, {"03": 62, "04": 14 if kind == "tekun" else 6, "06": 8, "05": 3, "07": 10,
                                 "08": 3})
        structure = _weighted(rng, {"00": 60, "01": 25, "03": 10, "04": 5})
        area = rng.uniform(30, 140)
        heating = _weighted(rng, {"2": 45, "4": 20, "3": 10, "1": 5, "5": 8, "6": 2,
                                  "9": 20 if kind == "tekun" else 12})
    else:
        status = _weighted(rng, {"00": 25, "01": 25, "02": 15, "08": 25, "07": 10})
        structure = _weighted(rng, {"01": 40, "02": 60})
        area = rng.uniform(25, 95)
        heating = _weighted(rng, {"0": 40, "1": 25, "3": 20, "4": 10, "9": 5})
    # Coal, wood and gas burn indoors: most such homes have a CO alarm by now, not all (what visits find).
    co_alarm = rng.random() < (0.85 if heating in codes.COMBUSTION_HEATING else 0.05)
    return {"housing_status": status, "house_structure": structure,
            "floor_area": Decimal(str(round(area, 1))).quantize(Decimal("0.01")), "heating": heating,
            "co_alarm": co_alarm}


def _address(rng: random.Random, village: VillagePlan) -> str:
    if village.urban_rural == "rural":
        return f"{village.name}{rng.randint(1, 320)}号"
    return (f"{village.name}{rng.randint(1, 30)}号楼{rng.randint(1, 4)}单元"
            f"{rng.randint(1, 7)}0{rng.randint(1, 4)}室")


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


def plan_users(townships: dict[str, str], villages: list[VillagePlan], rng: random.Random) -> list[UserPlan]:
    """One login for every role and level: the city, each county, each demo township and its first village."""
    draw = _Draw(rng)

    def person_name() -> str:
        sex = SEX_MALE if rng.random() < 0.5 else SEX_FEMALE
        return draw.surname() + draw.given_name(sex, draw.birth(25, 55))

    users = [
        UserPlan("city", Role.CITY_BUREAU, CITY_CODE, person_name(), draw.phone()),
        UserPlan("rescue", Role.RESCUE_STATION, CITY_CODE, person_name(), draw.phone()),
        UserPlan("inspector", Role.INSPECTOR, CITY_CODE, person_name(), draw.phone()),
        UserPlan("institution", Role.INSTITUTION_STAFF, "371302", person_name(), draw.phone()),
        UserPlan("provider", Role.SERVICE_PROVIDER, "371302", person_name(), draw.phone()),
    ]
    for county, (slug, *_rest) in COUNTIES.items():
        users.append(UserPlan(slug, Role.COUNTY_BUREAU, county, person_name(), draw.phone()))
    first_village: dict[str, str] = {}
    for village in sorted(villages, key=lambda v: v.code):
        first_village.setdefault(village.code[:9], village.code)
    taken = {u.username for u in users}
    for township in sorted(first_village):
        username = f"{COUNTIES[township[:6]][0]}-{township_slug(townships[township])}"
        if username in taken:
            username = f"{username}{township[-3:]}"
        taken.add(username)
        users.append(UserPlan(username, Role.TOWNSHIP_OFFICE, township, person_name(), draw.phone()))
        village = first_village[township]
        for suffix, role in (("coord", Role.VILLAGE_COORDINATOR), ("grid", Role.GRID_WORKER)):
            users.append(UserPlan(f"{username}-{suffix}", role, village, person_name(), draw.phone()))
    return users


def plan_layout(*, households: int, seed: int, townships: Sequence[tuple[str, str]]) -> CityLayout:
    """The villages the demo city's households live in, how many in each, and its users. Pure.

    `townships` are (code, name) of Linyi's townships (9-digit codes under the 13 counties).
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
    return CityLayout(seed=seed, villages=villages, users=users)


def plan_households(layout: CityLayout) -> Iterator[HouseholdPlan]:
    """The households of `layout`, village by village in code order, one at a time: a city of a
    million is planned and written in chunks, never held whole. Pure: the same layout gives the
    same households."""
    rng = random.Random(f"safetynet-demo-households-{layout.seed}")
    draw = _Draw(rng)
    for village in layout.villages:
        county = village.code[:6]
        for _household in range(village.households):
            yield _plan_household(rng, draw, county, village)


def plan_city(*, households: int, seed: int, townships: Sequence[tuple[str, str]]) -> CityPlan:
    """The whole demo city as plain data, households included (for a small city: `build_city`
    streams them instead). Pure: the same arguments give the same plan."""
    layout = plan_layout(households=households, seed=seed, townships=townships)
    return CityPlan(seed=seed, villages=layout.villages, users=layout.users,
                    households=list(plan_households(layout)))


def _plan_household(rng: random.Random, draw: _Draw, county: str, village: VillagePlan) -> HouseholdPlan:
    kind = _weighted(rng, KIND_WEIGHTS[village.urban_rural])
    structures, (low, high) = KIND_STRUCTURES[kind]
    structure = _weighted(rng, structures)
    family = _Family(draw, county, village.urban_rural)
    STRUCTURES[structure](family, draw, kind)
    plan = HouseholdPlan(
        kind=kind, structure=structure, village=village.code, urban_rural=village.urban_rural,
        address=_address(rng, village), members=family.members, **_housing(rng, village.urban_rural, kind),
        joined_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(2900)),
    )
    plan.incomes = _incomes(rng, plan, county, rng.uniform(low, high))
    plan.assets = _assets(rng, plan)
    plan.expenses = _expenses(rng, plan, county)
    return plan


# --- writing a plan ----------------------------------------------------------------------------

@dataclass
class BuildResult:
    households: int
    persons: int
    villages: int
    new_villages: int
    users: int
    new_users: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def _ensure_users(plans: list[UserPlan]) -> tuple[dict[str, User], int]:
    """The plan's users, made through core's user services where missing; all get the demo password."""
    existing = users_by_username(p.username for p in plans)
    made = []
    for plan in plans:
        user = existing.get(plan.username)
        if user is not None and (user.role, user.division_id) != (plan.role, plan.division):
            raise ValueError(_("A user %(username)s exists already with another role or area; the demo city "
                               "needs that name for its own login.") % {"username": plan.username})
        if user is None:
            existing[plan.username] = user = user_create(
                username=plan.username, role=plan.role, division_code=plan.division, password=None,
                name=plan.name, phone=plan.phone,
            )
            made.append(user)
    if made:
        user_bulk_set_password(users=made, password=DEMO_PASSWORD, email_domain=DEMO_EMAIL_DOMAIN)
    return existing, len(made)


PERSON_PLAN_FIELDS = [
    "id_number", "name", "sex", "birth_date", "ethnicity", "phone", "marital", "education", "employment",
    "labour_capacity", "health", "disability_category", "disability_grade", "disability_cert_no",
    "serious_illness", "mental_illness", "self_care", "in_school", "status",
]


# The person's fields that hold a code (some set from codes' TextChoices members): written as plain
# strings, as a form or a spreadsheet gives them.
CODE_FIELDS = {"ethnicity", "marital", "education", "employment", "labour_capacity", "health",
               "serious_illness", "status"}


def _person_data(member: PersonPlan, plan: HouseholdPlan, village) -> dict:
    values = {name: getattr(member, name) for name in PERSON_PLAN_FIELDS}
    for name in CODE_FIELDS:
        values[name] = str(values[name])
    return values | {
        "hukou_division": village, "residence_division": village, "address": plan.address,
        "urban_rural": plan.urban_rural,
    }


def _household_data(plan: HouseholdPlan, village, workers: dict) -> dict:
    return {"village": village, "address": plan.address, "urban_rural": plan.urban_rural, "phone": plan.phone,
            "housing_status": plan.housing_status, "house_structure": plan.house_structure,
            "floor_area": plan.floor_area, "heating": plan.heating, "co_alarm": plan.co_alarm,
            "grid_worker": workers.get(Role.GRID_WORKER),
            "coordinator": workers.get(Role.VILLAGE_COORDINATOR)}


def _joined_on(plan: HouseholdPlan, member: PersonPlan) -> datetime.date:
    return max(plan.joined_on, member.birth_date)


def _write_through_services(
    plans: list[HouseholdPlan], *, actor: User, villages: dict, workers: dict,
) -> list[str]:
    """One household at a time through the registry services: every check a clerk's entry gets."""
    warnings = []
    for plan in plans:
        village = villages[plan.village]
        people = []
        for member in plan.members:
            data = _person_data(member, plan, village)
            person, person_warnings = services.person_create(actor=actor, data=data)
            warnings += person_warnings
            people.append(person)
        household = services.household_create(
            actor=actor, data=_household_data(plan, village, workers.get(plan.village, {})), head=people[0],
            head_relation=plan.members[0].relation, joined_on=_joined_on(plan, plan.members[0]),
        )
        for person, member in zip(people[1:], plan.members[1:], strict=True):
            services.member_add(actor=actor, household=household, person=person, relation=member.relation,
                                exclusion=member.exclusion, joined_on=_joined_on(plan, member))
        for create, items in ((services.income_item_create, plan.incomes),
                              (services.asset_item_create, plan.assets),
                              (services.expense_create, plan.expenses)):
            for item in items:
                create(actor=actor, household=household, data=item.values | {"person": people[item.member]})
    return warnings


def household_record(plan: HouseholdPlan, workers: dict, key: str) -> bulk.HouseholdRecord:
    """A planned household as the bulk services take it (divisions by code)."""
    members = [
        _person_data(member, plan, plan.village) | {
            "relation": member.relation, "co_living": not member.exclusion,
            "exclusion": str(member.exclusion), "joined_on": _joined_on(plan, member),
        }
        for member in plan.members
    ]
    return bulk.HouseholdRecord(
        key=key,
        household=_household_data(plan, plan.village, workers.get(plan.village, {})),
        members=members,
        income=[item.values | {"member_index": item.member} for item in plan.incomes],
        assets=[item.values | {"member_index": item.member} for item in plan.assets],
        expenses=[item.values | {"member_index": item.member} for item in plan.expenses],
    )


def build_city(
    *, households: int, seed: int, batch: int = 2000, through_services: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Write the demo city for (households, seed).

    Precondition: the registry holds none of the plan's people (the command checks it is empty).
    Villages and users already present are kept, so a registry emptied and built again with the
    same seed comes out the same. Households are planned and written `batch` at a time through
    registry.bulk.household_bulk_create, each batch in its own transaction; `through_services`
    writes each household through the single-record services instead, as a clerk's entry would
    be (the reference the bulk path is tested against, far slower). `progress(done, total)` is
    called after each batch.
    """
    started = time.monotonic()
    townships = list(
        divisions_under(CITY_CODE, level=DivisionLevel.TOWNSHIP).values_list("code", "name")
    )
    layout = plan_layout(households=households, seed=seed, townships=townships)
    with transaction.atomic():
        rows = [(v.code, v.name, v.urban_rural) for v in layout.villages]
        new_villages = village_bulk_create(villages=rows)
        users, new_users = _ensure_users(layout.users)
    actor = users["city"]
    workers: dict[str, dict] = {}
    for user_plan in layout.users:
        if user_plan.role in (Role.GRID_WORKER, Role.VILLAGE_COORDINATOR):
            workers.setdefault(user_plan.division, {})[user_plan.role] = users[user_plan.username]
    warnings: list[str] = []
    done = persons = 0
    if through_services:
        villages = divisions_by_code(v.code for v in layout.villages)
        plans = plan_households(layout)
        while chunk := list(itertools.islice(plans, batch)):
            with transaction.atomic():
                warnings += _write_through_services(chunk, actor=actor, villages=villages, workers=workers)
            persons += sum(len(plan.members) for plan in chunk)
            done += len(chunk)
            if progress:
                progress(done, layout.households)
    else:
        staff = {village: {role: u.pk for role, u in roles.items()} for village, roles in workers.items()}
        with batch_work(DEMO_CACHE_MB), _planned_ahead(layout, staff, batch) as chunks:
            for records, people in chunks:
                result = bulk.household_bulk_create(actor=actor, records=records, batch_size=batch)
                if result.rejected:
                    key, errors = result.rejected[0]
                    raise ValueError(_("The demo city planned a household the registry rejects (no. %(key)s: "
                                       "%(errors)s).") % {"key": key, "errors": errors})
                warnings += [warning for _key, warning in result.warnings]
                persons += people
                done += len(records)
                if progress:
                    progress(done, layout.households)
    return BuildResult(
        households=done, persons=persons, villages=len(layout.villages),
        new_villages=new_villages, users=len(layout.users), new_users=new_users,
        seconds=time.monotonic() - started, warnings=warnings,
    )


def _planned_chunks(layout: CityLayout, workers: dict, batch: int) -> Iterator[tuple[list, int]]:
    """The city's households as chunks of (records for the bulk service, how many people)."""
    plans = plan_households(layout)
    done = 0
    while chunk := list(itertools.islice(plans, batch)):
        records = [household_record(plan, workers, str(done + i + 1)) for i, plan in enumerate(chunk)]
        done += len(chunk)
        yield records, sum(len(plan.members) for plan in chunk)


@contextlib.contextmanager
def _planned_ahead(layout: CityLayout, workers: dict, batch: int):
    """`_planned_chunks`, planned by a second process a chunk ahead of the writer.

    Planning is pure Python and touches no database: on a machine with two cores it costs the
    build no wall time. The process is forked, so it starts at once with the layout in hand; it
    never touches the parent's database connections and leaves without closing them (os._exit).
    Chunks arrive in the plan's order: the city is the same as planned in line. Where fork is not
    available, the writer plans in line.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield _planned_chunks(layout, workers, batch)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    planner = context.Process(target=_plan_into, args=(sender, layout, workers, batch), daemon=True)
    planner.start()
    sender.close()

    def chunks():
        while (item := receiver.recv()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    try:
        yield chunks()
    finally:
        receiver.close()
        if planner.is_alive():
            planner.terminate()
        planner.join()


def _plan_into(sender, layout: CityLayout, workers: dict, batch: int) -> None:
    """The planning process: chunks down the pipe, then None (or the error that stopped it)."""
    try:
        for chunk in _planned_chunks(layout, workers, batch):
            sender.send(chunk)
        sender.send(None)
    except BrokenPipeError:  # the writer stopped
        pass
    except BaseException as error:  # noqa: BLE001 - handed to the writer, which raises it
        with contextlib.suppress(Exception):
            sender.send(RuntimeError(f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
        os._exit(0)  # not sys.exit: the parent's connections must not be closed from here
