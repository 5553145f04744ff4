# ruff: noqa: S608  (the statement is made from dates, numbers and fixed words; never from input)
"""The demo city's supporters (法定赡养、抚养、扶养义务人): who owes support to the members who cannot
work — the elderly, the severely disabled, minors — and lives elsewhere, so that 特困 is found where
SPEC §6.8 puts it (≈ 36,000 persons against ≈ 200,000 on 低保), not for every elder of a poor family.

- a member living alone: most have no supporter (those are the city's 特困 persons); some have one
  who cannot support (a child of 60 or more on 低保); the rest a working child;
- a member of a larger household: most have a supporter able to support, a child (a parent for a
  minor).

Set-based: one INSERT … SELECT, who by a hash of the person's number and the city's seed, so a city
built again is the same city.
"""


from django.db import connection
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext
from safetynet.registry.codes import WORK_DISABILITY
from safetynet.registry.demo.plans import _add_years

ALONE_WITHOUT_SUPPORTER = 62  # percent of members living alone who have no supporter
ALONE_UNABLE_SUPPORTER = 8  # percent more whose supporter cannot support
WITH_FAMILY_SUPPORTED = 96  # percent of the others who have a supporter able to support
GIVEN_NAMES = ("建国", "秀英", "志强", "丽华", "海燕", "国栋", "春梅", "立新")


def build_supporters(context: DemoContext) -> str | None:
    on = context.clock.as_of
    vendor = connection.vendor

    def day(value: str) -> str:
        return f"CAST({value} AS DATE)" if vendor == "postgresql" else value

    pick = f"((p.id * 7919 + {int(context.seed)} * 104729) % 100)"
    disabled = " OR ".join(f"(p.disability_category = {category} AND p.disability_grade IN "
                           f"({', '.join(map(str, grades))}))"
                           for category, grades in WORK_DISABILITY.items())
    elderly, adult = _add_years(on, -60).isoformat(), _add_years(on, -18).isoformat()
    names = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(GIVEN_NAMES))
    # A working child born 1965–1989, a parent of a minor born 1980–1994, an unable child born 1950–1959.
    able_born = (f"CASE WHEN p.birth_date > '{adult}' THEN '19' || CAST(80 + {pick} % 15 AS VARCHAR(2)) "
                 f"ELSE '19' || CAST(65 + {pick} % 25 AS VARCHAR(2)) END || '-0' || CAST(1 + {pick} % 9 AS "
                 "VARCHAR(1)) || '-15'")
    unable_born = f"'195' || CAST({pick} % 10 AS VARCHAR(1)) || '-06-01'"
    alone = ("(SELECT COUNT(*) FROM registry_membership o WHERE o.household_id = m.household_id "
             "AND o.left_on IS NULL) = 1")
    unable = f"{alone} AND {pick} >= {ALONE_WITHOUT_SUPPORTER} " \
             f"AND {pick} < {ALONE_WITHOUT_SUPPORTER + ALONE_UNABLE_SUPPORTER}"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_supporter (household_id, person_id, name, relation, birth_date, "
            "income_year, disability_category, disability_grade, assistance, incapacity, version) "
            f"SELECT m.household_id, p.id, "
            f"SUBSTR(p.name, 1, 1) || CASE {pick} % {len(GIVEN_NAMES)} {names} END, "
            f"CASE WHEN p.birth_date > '{adult}' THEN 'parent' ELSE 'child' END, "
            f"{day(f'CASE WHEN {unable} THEN {unable_born} ELSE {able_born} END')}, "
            f"CASE WHEN {unable} THEN 9600 ELSE 36000 + 500 * {pick} END, NULL, NULL, "
            f"CASE WHEN {unable} THEN 'dibao' ELSE '' END, '', 1 "
            "FROM registry_membership m JOIN registry_person p ON p.id = m.person_id "
            f"WHERE m.left_on IS NULL AND p.status = '01' AND (p.birth_date <= '{elderly}' "
            f"OR p.birth_date > '{adult}' OR {disabled}) "
            f"AND CASE WHEN {alone} THEN {pick} >= {ALONE_WITHOUT_SUPPORTER} "
            f"ELSE {pick} < {WITH_FAMILY_SUPPORTED} END")
        made = cursor.rowcount
    return _("%(count)s supporters recorded.") % {"count": made}
