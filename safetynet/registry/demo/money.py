"""Planning a household's money and home: income (counted and not), assets, rigid expenses, housing."""

import datetime
import random
from decimal import Decimal

from safetynet.core.demo import HISTORY_START
from safetynet.registry import codes
from safetynet.registry.demo.city import COUNTIES, DISTRICTS
from safetynet.registry.demo.plans import HouseholdPlan, ItemPlan, VillagePlan, _money, _weighted, standard

# --- money: income, assets, expenses -----------------------------------------------------------

Income = codes.IncomeCategory
Asset = codes.AssetType
Exempt = codes.AssetExemption


# Money is dated by the household's registration (plan.joined_on, drawn by the demo clock): what a
# clerk entered that day, never later, and never before the demo's history starts.

def income_period(registered: datetime.date) -> tuple[datetime.date, datetime.date]:
    """What the investigation at registration asks about: the 12 whole months before the month of
    registration, not reaching back before the demo's history (a household registered in January
    2022 declares the days of 2022 up to its registration)."""
    first_of_month = registered.replace(day=1)
    end = first_of_month - datetime.timedelta(days=1)
    start = max(first_of_month.replace(year=first_of_month.year - 1), HISTORY_START)
    if end < start:
        return HISTORY_START, registered
    return start, end


def _year_share(start: datetime.date, end: datetime.date) -> float:
    """The period's part of a year: income planned by the year is scaled by it."""
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1:
        return ((end.year - start.year) * 12 + end.month - start.month + 1) / 12
    return ((end - start).days + 1) / 365


def _day_before(rng: random.Random, registered: datetime.date, days: int = 365) -> datetime.date:
    """A day in the `days` days up to registration (within the demo's history)."""
    start = max(HISTORY_START, registered - datetime.timedelta(days=days))
    return start + datetime.timedelta(days=rng.randrange((registered - start).days + 1))


def _term_start(registered: datetime.date) -> datetime.date:
    """The start of the school term (1 March, 1 September) last begun by registration."""
    starts = [datetime.date(year, month, 1) for year in (registered.year - 1, registered.year)
              for month in (3, 9)]
    return max([s for s in starts if HISTORY_START <= s <= registered], default=HISTORY_START)


def _income(member: int, category: str, description: str, amount, period: tuple,
            not_counted: str = "") -> ItemPlan:
    """Income over `period`; `not_counted` is the reason it is excluded, if it is."""
    return ItemPlan(member, {
        "category": str(category), "description": description, "amount": Decimal(amount),
        "period_start": period[0], "period_end": period[1],
        "excluded": bool(not_counted), "exclusion_reason": str(not_counted),
    })


def _incomes(rng: random.Random, plan: HouseholdPlan, county: str, factor: float) -> list[ItemPlan]:
    """Counted income near `factor` times the 低保 standard, then what is not counted (art. 13), over
    the income period of the household's registration (amounts by the year, scaled to it)."""
    period = income_period(plan.joined_on)
    part = _year_share(*period)

    def yearly(amount: float, step: int = 10) -> Decimal:
        return _money(amount * part, step)

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
            item = _income(member, category, description, yearly(amount), period)
            if category == Income.WAGE and rng.random() < 0.3:
                item.values |= {"deduction_kind": str(codes.Deduction.EMPLOYMENT_COST),
                                "deduction_amount": yearly(amount * rng.uniform(0.08, 0.2))}
            items.append(item)

    excluded = codes.IncomeExclusion
    for i, m in enumerate(members):
        if m.age >= 60:
            items.append(_income(i, Income.TRANSFER, "城乡居民基本养老保险基础养老金", yearly(150 * 12, 1),
                                 period, excluded.BASIC_PENSION))
        if m.age >= 80:
            items.append(_income(i, Income.TRANSFER, "高龄津贴", yearly(100 * 12, 1), period,
                                 excluded.ELDERLY_ALLOWANCE))
        if m.disability_grade in (1, 2) and rng.random() < 0.8:
            items.append(_income(i, Income.TRANSFER, "重度残疾人护理补贴", yearly(100 * 12, 1), period,
                                 excluded.OTHER_LOCAL))
        if m.in_school and m.age >= 15 and rng.random() < 0.2:
            items.append(_income(i, Income.TRANSFER, "国家助学金", yearly(rng.choice([2000, 2500, 3300]), 1),
                                 period, excluded.SCHOLARSHIP))
    if elderly and len(elderly) <= 2 and rng.random() < 0.08:
        items.append(_income(elderly[0], Income.TRANSFER, "农村部分计划生育家庭奖励扶助金", yearly(960, 1),
                             period, excluded.FAMILY_PLANNING))
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
    """Rigid expenses of the year up to registration, each with its receipt."""
    items = []
    registered = plan.joined_on
    expense = codes.ExpenseType
    for i, m in enumerate(plan.members):
        if m.serious_illness and m.counted:
            low, high = (30000, 150000) if plan.kind == "monitored" else (3000, 60000)
            total = rng.uniform(low, high)
            shares = [rng.uniform(0.3, 1) for _part in range(rng.randint(1, 3))]
            for share in shares:
                amount = _money(total * share / sum(shares), 1) + Decimal("0.50") * rng.randint(0, 1)
                day = _day_before(rng, registered)
                receipt = f"ZY{day.year}{rng.randrange(10**6):06d}"
                items.append(_expense(i, expense.MEDICAL, amount, day, receipt,
                                      f"{_hospital(county)}住院医疗费用个人自付部分"))
        elif m.disability_grade in (1, 2) and m.counted and rng.random() < 0.3:
            day = _day_before(rng, registered)
            items.append(_expense(i, expense.DISABILITY_REHAB, _money(rng.uniform(2000, 15000)),
                                  day, f"KF{day.year}{rng.randrange(10**5):05d}", "残疾人康复训练费用"))
        if m.in_school and m.age >= 15 and plan.kind != "tekun" and rng.random() < 0.3:
            term = _term_start(registered)
            day = term + datetime.timedelta(days=rng.randrange(min(20, (registered - term).days) + 1))
            items.append(_expense(i, expense.EDUCATION, _money(rng.uniform(3000, 12000)), day,
                                  f"XF{day.year}{rng.randrange(10**5):05d}", "学费及住宿费"))
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


