# ruff: noqa: S608  (the statement is made from the rules, checked codes, numbers and dates; never from input)
"""The rules over the whole registry at once, set-based: one SQL statement computes every household's
facts (as programmes.facts defines them for one household) and evaluates each rule's conditions and
amount compiled from the same definitions (programmes.rules). No row is read into Python but the
answers. Exact on SQLite as on PostgreSQL: money in integer fen, standards in ten-thousandths.

The standards that apply to each county and residence are looked up first with the selector the
explanation uses (a few dozen values); the statement receives them as a table.
"""

import datetime
from decimal import Decimal

from django.db import connection

from safetynet.core.selectors import divisions_under
from safetynet.core.types import DivisionLevel, UrbanRural
from safetynet.programmes.facts import (
    FINANCIAL_ASSETS,
    NORMAL_STATUS,
    PERIOD_DAYS,
    RECENT_DAYS,
    VEHICLE,
    WORKING_AGE,
)
from safetynet.programmes.rules import COVERED_BY, RULES
from safetynet.programmes.selectors import receiving_from, standard_at
from safetynet.programmes.standards import KINDS
from safetynet.registry.codes import WORK_DISABILITY

# The dialects whose dates are dates (not text) and which have LEAST and GREATEST. DuckDB (the
# engine, programmes.engine) speaks PostgreSQL's here, with integer division switched on.
TYPED_DATES = {"postgresql", "duckdb"}
# Each fact's column and its scale (the power of ten its integer is in).
SCALES = {"members": 0, "income_month": 2, "per_capita_income": 2, "standard": 4, "edge_multiple": 4,
          "financial_assets": 2, "asset_months": 4, "vehicles": 0, "addons": 2, "disposable_income": 4,
          "rigid_expense_ratio": 4, "rigid_expenses": 2, "recent_rigid_expenses": 2, "temp_cap_months": 4}
PERSON_SCALES = {"age": 0, "work_disability": 0, "own_income_month": 2, "own_financial_assets": 2,
                 "own_vehicles": 0, "able_supporters": 0, "standard": 4, "asset_months": 4, "tekun_ratio": 4,
                 "care": 4}
_STANDARD_COLUMNS = {
    "standard": "dibao", "edge_multiple": "edge_multiple", "asset_months": "asset_financial_months",
    "elderly": "addon_elderly", "minor": "addon_minor", "severe": "addon_severe_disability",
    "illness": "addon_serious_illness", "tekun_ratio": "tekun_basic_ratio",
    "disposable_income": "disposable_income", "rigid_expense_ratio": "rigid_expense_ratio",
    "temp_cap_months": "temp_cap_months", "care_full": "tekun_care_full",
    "care_partial": "tekun_care_partial", "care_self": "tekun_care_self",
}


def _half_up(numerator: str, denominator: str) -> str:
    """Integer division rounded half away from zero, as Decimal's ROUND_HALF_UP does. Both sides must
    be integers (PostgreSQL's SUM of BIGINT is NUMERIC: the sums are cast back)."""
    n, d = numerator, denominator
    return (f"(CASE WHEN ({n}) >= 0 THEN (2 * ({n}) + ({d})) / (2 * ({d})) "
            f"ELSE -((-2 * ({n}) + ({d})) / (2 * ({d}))) END)")


def _years_before(on: datetime.date, years: int) -> datetime.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - years, day=28)


def _standards_table(county_codes: list[str], on: datetime.date, overrides: dict | None = None) -> str:
    """VALUES of (county, residence, each standard × 10 000 or NULL) as the explanation finds them;
    `overrides` {(kind, county, residence): Decimal} puts other values in their place (a what-if)."""
    rows = []
    for county in county_codes:
        for residence in UrbanRural.values:
            cells = [f"'{county}'", f"'{residence}'"]
            for kind in _STANDARD_COLUMNS.values():
                key = (kind, county, residence if KINDS[kind].by_urban_rural else "")
                if overrides and key in overrides:
                    value = overrides[key]
                else:
                    found = standard_at(kind=kind, county=county, on=on, urban_rural=key[2])
                    value = found.value if found else None
                # BIGINT: PostgreSQL would read a bare number as INTEGER, too small for their products.
                cells.append(f"CAST({int(value.scaleb(4)) if value is not None else 'NULL'} AS BIGINT)")
            rows.append("(" + ", ".join(cells) + ")")
    return ", ".join(rows)


def _yuan(expression, column, vendor) -> str:
    """An amount in whole yuan: half up to the fen, then to the yuan (rules.whole_yuan)."""
    amount, scale = expression.to_sql(column, vendor)
    if scale < 2:
        fen = f"({amount} * {10 ** (2 - scale)})"
    else:
        fen = amount if scale == 2 else _half_up(amount, str(10 ** (scale - 2)))
    return _half_up(fen, "100")


def eligibility_sql(*, area: str, on: datetime.date, vendor: str, overrides: dict | None = None,
                    standards_on: datetime.date | None = None, persons_of: str | None = None) -> str:
    """The statement: one row per household of `area` (a division code prefix), its facts as of
    `on`, with the standards in force on `standards_on` (by default the same day). With `persons_of`
    (a rule decided per person), one row per member instead: household_id, village_id, person_id,
    q (1 if the member qualifies) and amount."""
    if not area.isascii() or not area.isdigit():
        raise ValueError("area is a division code")
    if len(area) >= 6:
        counties = [area[:6]]
    else:
        counties = [d.code for d in divisions_under(area, level=DivisionLevel.COUNTY)]
    if vendor in TYPED_DATES:
        days = "({a} - {b})"
        least, greatest = "LEAST", "GREATEST"
    else:
        days = "CAST(julianday({a}) - julianday({b}) AS INTEGER)"
        least, greatest = "MIN", "MAX"
    # Dates and the area are written into the statement (checked above, made from date objects): each
    # appears several times, and an expression repeated by _half_up would repeat its parameters too.
    def day(value: datetime.date) -> str:
        return f"DATE '{value.isoformat()}'" if vendor in TYPED_DATES else f"'{value.isoformat()}'"

    # Receiving a programme on the day — or decided, from next month (selectors.receiving_from) —
    # and not ended.
    current = f"e.since <= {day(receiving_from(on))} AND (e.until IS NULL OR e.until > {day(on)})"
    start = on - datetime.timedelta(days=PERIOD_DAYS - 1)
    overlap = days.format(a=f"{least}(i.period_end, {day(on)})",
                          b=f"{greatest}(i.period_start, {day(start)})") + " + 1"
    length = days.format(a="i.period_end", b="i.period_start") + " + 1"
    net_fen = "CAST(ROUND((i.amount - i.deduction_amount) * 100) AS BIGINT)"
    financial = ", ".join(f"'{code}'" for code in sorted(FINANCIAL_ASSETS))
    names = ", ".join(_STANDARD_COLUMNS)
    rate = ("COALESCE(CASE WHEN {flag} THEN s.{name} END, -1)")
    best_rate = f"{greatest}(" + ", ".join([
        rate.format(flag=f"p.birth_date <= {day(_years_before(on, 60))}", name="elderly"),
        rate.format(flag=f"p.birth_date > {day(_years_before(on, 18))}", name="minor"),
        rate.format(flag="p.disability_grade IN (1, 2)", name="severe"),
        rate.format(flag="p.serious_illness <> ''", name="illness")]) + ")"
    standards = _standards_table(counties, standards_on or on, overrides)
    recent = on - datetime.timedelta(days=RECENT_DAYS - 1)
    if vendor == "postgresql":
        year, month_day = "CAST(EXTRACT(YEAR FROM {0}) AS INTEGER)", "TO_CHAR({0}, 'MM-DD')"
    elif vendor == "duckdb":
        year, month_day = "CAST(EXTRACT(YEAR FROM {0}) AS INTEGER)", "strftime({0}, '%m-%d')"
    else:
        year, month_day = "CAST(strftime('%Y', {0}) AS INTEGER)", "strftime('%m-%d', {0})"
    age = (f"({on.year} - {year.format('p_birth')} - CASE WHEN {month_day.format('p_birth')} > "
           f"'{on:%m-%d}' THEN 1 ELSE 0 END)").replace("p_birth", "x.birth_date")
    def disabled_sql(alias: str) -> str:  # parenthesised: it is combined with AND below
        return "(" + " OR ".join(
            f"({alias}.disability_category = {category} AND {alias}.disability_grade IN "
            f"({', '.join(map(str, grades))}))" for category, grades in sorted(WORK_DISABILITY.items())) + ")"

    disabled = disabled_sql("x")
    poor = "(CAST(ROUND(su.income_year * 100) AS BIGINT) * 100 < s.disposable_income)"
    unable = (f"(su.assistance = 'tekun' OR (su.assistance = 'dibao' AND su.birth_date <= "
              f"{day(_years_before(on, 60))}) OR (su.birth_date <= {day(_years_before(on, 70))} AND {poor}) "
              f"OR ((su.disability_grade IN (1, 2) OR (su.disability_grade = 3 AND su.disability_category "
              f"IN (5, 6))) AND {poor}) OR su.incapacity <> '')")

    def person_column(name):
        return f"pf.{name}", PERSON_SCALES[name]

    person_rules = []
    for rule in RULES.values():
        if rule.per_person:
            conditions = " AND ".join(c.expression.to_sql(person_column, vendor)[0] for c in rule.conditions)
            amount = _yuan(rule.amount, person_column, vendor) if rule.amount is not None else "NULL"
            # Per member: qualifies, the amount, receives it (e: EXISTS on the table, which SQLite finds
            # by the enrolment index; a join to a CTE would scan it for every member). Per household:
            # one qualifies; the amount added up, unknown if one member's is; how many qualify
            # without receiving it, and how many receive it rightly (kept).
            person_rules.append(
                f"pq_{rule.programme} AS (SELECT pf.household_id, pf.person_id, "
                f"CASE WHEN {conditions} THEN 1 ELSE 0 END AS q, "
                f"CASE WHEN {conditions} THEN {amount} END AS amount, "
                f"CASE WHEN EXISTS (SELECT 1 FROM programmes_enrolment e "
                f"WHERE e.household_id = pf.household_id AND e.programme = '{rule.programme}' "
                f"AND e.person_id = pf.person_id AND {current}) "
                f"THEN 1 ELSE 0 END AS e FROM pf),\n"
                f"pr_{rule.programme} AS (SELECT household_id, MAX(q) AS q, "
                f"CASE WHEN SUM(CASE WHEN q = 1 AND amount IS NULL THEN 1 ELSE 0 END) > 0 THEN NULL "
                f"ELSE SUM(amount) END AS amount, "
                f"SUM(CASE WHEN q = 1 AND e = 0 THEN 1 ELSE 0 END) AS missing, "
                f"COUNT(DISTINCT CASE WHEN q = 1 AND e = 1 THEN person_id END) AS kept "
                f"FROM pq_{rule.programme} GROUP BY household_id),")
    person_rules = "\n".join(person_rules)
    facts = f"""
WITH s({'county, residence, ' + names}) AS (VALUES {standards}),
h AS (SELECT id, village_id, urban_rural FROM registry_household WHERE village_id LIKE '{area}%'),
counted AS (
  SELECT m.household_id, m.person_id, {best_rate} AS rate, s.standard
  FROM registry_membership m JOIN h ON h.id = m.household_id JOIN registry_person p ON p.id = m.person_id
  JOIN s ON s.county = SUBSTR(h.village_id, 1, 6) AND s.residence = h.urban_rural
  WHERE m.joined_on <= {day(on)} AND (m.left_on IS NULL OR m.left_on > {day(on)}) AND m.co_living
    AND m.exclusion = ''),
members AS (
  SELECT household_id, COUNT(*) AS n,
         CAST(SUM(CASE WHEN rate >= 0 AND standard IS NOT NULL THEN {_half_up('rate * standard', '1000000')}
                  ELSE 0 END) AS BIGINT) AS addons
  FROM counted GROUP BY household_id),
income AS (
  SELECT i.household_id, CAST(SUM({_half_up(f'{net_fen} * ({overlap})', length)}) AS BIGINT) AS total
  FROM registry_incomeitem i JOIN h ON h.id = i.household_id
  WHERE NOT i.excluded AND ({overlap}) > 0 AND ({length}) > 0
    AND (i.person_id IS NULL OR EXISTS (SELECT 1 FROM counted c WHERE c.household_id = i.household_id
                                         AND c.person_id = i.person_id))
  GROUP BY i.household_id),
assets AS (
  SELECT a.household_id,
         CAST(SUM(CASE WHEN a.asset_type IN ({financial}) THEN CAST(ROUND(a.value * 100) AS BIGINT)
                  ELSE 0 END) AS BIGINT) AS financial,
         CAST(SUM(CASE WHEN a.asset_type = '{VEHICLE}' THEN 1 ELSE 0 END) AS BIGINT) AS vehicles
  FROM registry_assetitem a JOIN h ON h.id = a.household_id
  WHERE NOT a.exempt AND (a.person_id IS NULL OR EXISTS (SELECT 1 FROM counted c
                          WHERE c.household_id = a.household_id AND c.person_id = a.person_id))
  GROUP BY a.household_id),
expenses AS (
  SELECT e.household_id, CAST(SUM(CAST(ROUND(e.amount * 100) AS BIGINT)) AS BIGINT) AS total,
         CAST(SUM(CASE WHEN e.incurred_on >= {day(recent)} THEN CAST(ROUND(e.amount * 100) AS BIGINT)
                  ELSE 0 END) AS BIGINT) AS recent
  FROM registry_rigidexpense e JOIN h ON h.id = e.household_id
  WHERE e.incurred_on >= {day(start)} AND e.incurred_on <= {day(on)}
    AND (e.person_id IS NULL OR EXISTS (SELECT 1 FROM counted c WHERE c.household_id = e.household_id
                                         AND c.person_id = e.person_id))
  GROUP BY e.household_id),
persons AS (
  SELECT m.household_id, m.person_id, p.birth_date, p.disability_category, p.disability_grade, p.self_care
  FROM registry_membership m JOIN h ON h.id = m.household_id JOIN registry_person p ON p.id = m.person_id
  WHERE m.joined_on <= {day(on)} AND (m.left_on IS NULL OR m.left_on > {day(on)}) AND m.exclusion = ''
    AND p.status = '{NORMAL_STATUS}'),
sole AS (SELECT household_id FROM persons GROUP BY household_id HAVING COUNT(*) = 1),
own_income AS (
  SELECT x.household_id, x.person_id,
         CAST(SUM({_half_up(f'{net_fen} * ({overlap})', length)}) AS BIGINT) AS total
  FROM persons x JOIN registry_incomeitem i ON i.household_id = x.household_id
  WHERE (i.person_id = x.person_id
         OR (i.person_id IS NULL AND x.household_id IN (SELECT household_id FROM sole)))
    AND NOT i.excluded AND ({overlap}) > 0 AND ({length}) > 0
  GROUP BY x.household_id, x.person_id),
own_assets AS (
  SELECT x.household_id, x.person_id,
         CAST(SUM(CASE WHEN a.asset_type IN ({financial}) THEN CAST(ROUND(a.value * 100) AS BIGINT)
                  ELSE 0 END) AS BIGINT) AS financial,
         CAST(SUM(CASE WHEN a.asset_type = '{VEHICLE}' THEN 1 ELSE 0 END) AS BIGINT) AS vehicles
  FROM persons x JOIN registry_assetitem a ON a.household_id = x.household_id
  WHERE (a.person_id = x.person_id
         OR (a.person_id IS NULL AND x.household_id IN (SELECT household_id FROM sole)))
    AND NOT a.exempt
  GROUP BY x.household_id, x.person_id),
able AS (
  SELECT su.household_id, su.person_id, SUM(CASE WHEN {unable} THEN 0 ELSE 1 END) AS n
  FROM registry_supporter su JOIN h ON h.id = su.household_id
  LEFT JOIN s ON s.county = SUBSTR(h.village_id, 1, 6) AND s.residence = h.urban_rural
  GROUP BY su.household_id, su.person_id),
kin AS (
  SELECT x.household_id, x.person_id, COUNT(*) AS n
  FROM persons x JOIN counted c ON c.household_id = x.household_id AND c.person_id <> x.person_id
  JOIN registry_person k ON k.id = c.person_id
  WHERE k.status = '{NORMAL_STATUS}' AND k.birth_date <= {day(_years_before(on, WORKING_AGE[0]))}
    AND k.birth_date > {day(_years_before(on, WORKING_AGE[1]))} AND NOT ({disabled_sql("k")}
    AND k.disability_grade IS NOT NULL)
  GROUP BY x.household_id, x.person_id),
pf AS (
  SELECT x.household_id, x.person_id, {age} AS age,
         CASE WHEN {disabled} THEN 1 ELSE 0 END AS work_disability,
         {_half_up(f'{greatest}(COALESCE(oi.total, 0), 0)', '12')} AS own_income_month,
         COALESCE(oa.financial, 0) AS own_financial_assets, COALESCE(oa.vehicles, 0) AS own_vehicles,
         COALESCE(ab.n, 0) + COALESCE(kin.n, 0) AS able_supporters, s.standard, s.asset_months,
         s.tekun_ratio,
         CASE WHEN x.self_care = 3 THEN s.care_full WHEN x.self_care = 2 THEN s.care_partial
              ELSE s.care_self END AS care
  FROM persons x JOIN h ON h.id = x.household_id
  LEFT JOIN s ON s.county = SUBSTR(h.village_id, 1, 6) AND s.residence = h.urban_rural
  LEFT JOIN own_income oi ON oi.household_id = x.household_id AND oi.person_id = x.person_id
  LEFT JOIN own_assets oa ON oa.household_id = x.household_id AND oa.person_id = x.person_id
  LEFT JOIN able ab ON ab.household_id = x.household_id AND ab.person_id = x.person_id
  LEFT JOIN kin ON kin.household_id = x.household_id AND kin.person_id = x.person_id),
{person_rules}
{{enrolment_ctes}}
f AS (
  SELECT h.id AS household_id, h.village_id, COALESCE(members.n, 0) AS members,
         {_half_up(f'{greatest}(COALESCE(income.total, 0), 0)', '12')} AS income_month,
         s.standard, s.edge_multiple, s.asset_months,
         COALESCE(assets.financial, 0) AS financial_assets, COALESCE(assets.vehicles, 0) AS vehicles,
         COALESCE(members.addons, 0) AS addons, s.disposable_income, s.rigid_expense_ratio,
         COALESCE(expenses.total, 0) AS rigid_expenses,
         COALESCE(expenses.recent, 0) AS recent_rigid_expenses,
         s.temp_cap_months
  FROM h LEFT JOIN members ON members.household_id = h.id LEFT JOIN income ON income.household_id = h.id
  LEFT JOIN assets ON assets.household_id = h.id LEFT JOIN expenses ON expenses.household_id = h.id
  LEFT JOIN s ON s.county = SUBSTR(h.village_id, 1, 6) AND s.residence = h.urban_rural),
g AS (
  SELECT f.*, CASE WHEN members > 0 THEN {_half_up('income_month', 'members')} END AS per_capita_income
  FROM f)
"""
    def column(name):
        return f"g.{name}", SCALES[name]

    outputs, joins = [], []
    for rule in RULES.values():
        code = rule.programme
        if rule.per_person:
            joins.append(f"LEFT JOIN pr_{code} ON pr_{code}.household_id = g.household_id")
            outputs.append(f"COALESCE(pr_{code}.q, 0) AS q_{code}")
        else:
            conditions = " AND ".join(c.expression.to_sql(column, vendor)[0] for c in rule.conditions)
            outputs.append(f"CASE WHEN {conditions} THEN 1 ELSE 0 END AS q_{code}")
        # Receiving it on the day (see the CTEs enrolled and covered below); decided per member,
        # only when each member who qualifies receives it.
        enrolled = f"COALESCE(enrolled.{code}, 0) = 1"
        if rule.per_person:
            enrolled = f"COALESCE(pr_{code}.missing, 0) = 0 AND {enrolled}"
        if code in COVERED_BY:
            enrolled += " OR (g.members > 0 AND COALESCE(covered.n, 0) >= g.members)"
        outputs.append(f"CASE WHEN {enrolled} THEN 1 ELSE 0 END AS enrolled_{code}")
        # Receives it without qualifying — for a rule decided per member, when more persons receive
        # it in the household than members who qualify do (a member who no longer qualifies, or
        # one who died or left and is still paid), even if another member qualifies.
        if rule.per_person:
            stale = f"COALESCE(enrolled.n_{code}, 0) > COALESCE(pr_{code}.kept, 0)"
        else:
            # A condition that cannot be decided (a standard not in force) is not met, as in q_.
            stale = f"COALESCE(enrolled.{code}, 0) = 1 AND (CASE WHEN {conditions} THEN 1 ELSE 0 END) = 0"
        outputs.append(f"CASE WHEN {stale} THEN 1 ELSE 0 END AS no_longer_{code}")
        if rule.amount is not None:
            if rule.per_person:
                outputs.append(f"pr_{code}.amount AS amount_{code}")
            else:
                outputs.append(f"CASE WHEN {conditions} THEN {_yuan(rule.amount, column, vendor)} END "
                               f"AS amount_{code}")
    # Receiving it (see `current` above); for 低保, also each member counted receiving 特困 instead
    # (never given together).
    flags = ", ".join(f"MAX(CASE WHEN e.programme = '{code}' THEN 1 ELSE 0 END) AS {code}" for code in RULES)
    flags += "".join(f", COUNT(DISTINCT CASE WHEN e.programme = '{code}' THEN e.person_id END) AS n_{code}"
                     for code, rule in RULES.items() if rule.per_person)
    facts = facts.replace("{enrolment_ctes}", f"""enrolled AS (
  SELECT e.household_id, {flags} FROM programmes_enrolment e JOIN h ON h.id = e.household_id
  WHERE {current} GROUP BY e.household_id),
covered AS (
  SELECT e.household_id, COUNT(DISTINCT e.person_id) AS n FROM programmes_enrolment e
  JOIN counted c ON c.household_id = e.household_id AND c.person_id = e.person_id
  WHERE e.programme IN ({', '.join(f"'{other}'" for other in sorted(set(COVERED_BY.values())))}) AND {current}
  GROUP BY e.household_id),""")
    joins += ["LEFT JOIN enrolled ON enrolled.household_id = g.household_id",
              "LEFT JOIN covered ON covered.household_id = g.household_id"]
    if persons_of is not None:
        if persons_of not in RULES or not RULES[persons_of].per_person:
            raise ValueError("persons_of names a rule decided per person")
        return (facts + f"SELECT p.household_id, g.village_id, p.person_id, p.q, p.amount "
                f"FROM pq_{persons_of} p JOIN g ON g.household_id = p.household_id "
                "ORDER BY p.household_id, p.person_id")
    return (facts + f"SELECT g.household_id, g.village_id, g.members, {', '.join(outputs)} "
            f"FROM g {' '.join(joins)} ORDER BY g.household_id")


def eligibility_rows(*, area: str, on: datetime.date) -> tuple[list[str], list[tuple]]:
    """(column names, rows): each household of the area with, per programme, whether it qualifies
    and (where the rule has one) the monthly amount in whole yuan."""
    sql = eligibility_sql(area=area, on=on, vendor=connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [c[0] for c in cursor.description], cursor.fetchall()


def what_if_sql(*, area: str, on: datetime.date, starting: datetime.date, overrides: dict,
                vendor: str) -> str:
    """Per township of the area: the households as the registry has them on `on` (today), under the
    standards that will be in force on `starting` and under the same with `overrides`, household by
    household in one statement — households and persons newly eligible for 低保, no longer eligible,
    the change in the monthly amount (yuan), and how many would qualify."""
    now = eligibility_sql(area=area, on=on, vendor=vendor, standards_on=starting)
    then = eligibility_sql(area=area, on=on, vendor=vendor, standards_on=starting, overrides=overrides)
    return f"""
SELECT SUBSTR(a.village_id, 1, 9) AS township,
       SUM(CASE WHEN b.q_dibao = 1 AND a.q_dibao = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN b.q_dibao = 1 AND a.q_dibao = 0 THEN b.members ELSE 0 END),
       SUM(CASE WHEN a.q_dibao = 1 AND b.q_dibao = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.q_dibao = 1 AND b.q_dibao = 0 THEN a.members ELSE 0 END),
       SUM(COALESCE(b.amount_dibao, 0) - COALESCE(a.amount_dibao, 0)),
       SUM(b.q_dibao)
FROM ({now}) a JOIN ({then}) b ON b.household_id = a.household_id
GROUP BY SUBSTR(a.village_id, 1, 9) ORDER BY 1"""


def what_if_rows(*, area: str, on: datetime.date, starting: datetime.date, overrides: dict) -> list[tuple]:
    """`what_if_sql` run by the database itself. Nothing is written."""
    with connection.cursor() as cursor:
        cursor.execute(what_if_sql(area=area, on=on, starting=starting, overrides=overrides,
                                   vendor=connection.vendor))
        return [(row[0], *(int(v or 0) for v in row[1:])) for row in cursor.fetchall()]


def as_yuan(value) -> Decimal | None:
    return None if value is None else Decimal(int(value))
