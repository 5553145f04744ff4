# ruff: noqa: S608  (the statement is made from the rules, numbers and dates; never from input)
"""The demo city's enrolments (SPEC §6.8): about 115,000 of a full city's 220,000 households receive
低保. Most households the rules find eligible receive it; some eligible ones receive nothing yet (what
政策找人 is for), and a few receive it from an old decision though they no longer qualify — so that
an eligibility run over the demo city finds all three. Most members who qualify for 特困 receive it,
one enrolment each.

Set-based: the rules' own statements (programmes.batch) run in the engine (programmes.engine: the
city's rows out as Arrow, DuckDB over them), who is chosen by a hash of the household's (or the
person's) number and the city's seed, so a city built again is the same city; the chosen rows go
into the database by executemany, a few hundred thousand at a million households.
"""

import datetime

from django.db import connection
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext
from safetynet.programmes.batch import eligibility_sql

DEMO_CITY = "3713"  # 临沂
ENROLLED_PERCENT = 88  # of the households that qualify: the rest receive nothing yet
NO_LONGER_PERCENT = 4  # of those that do not: still paid from an old decision
# Decisions taken over the five years before the city's day, spread by the household's number.
DECISION_AGES_DAYS = (45, 200, 420, 800, 1300, 1700)
TEKUN_ENROLLED_PERCENT = 93  # of the members who qualify for 特困
OLD_DECISION_AMOUNT = 150  # yuan a month, what an old decision left a household that no longer qualifies
ROWS_PER_INSERT = 20_000


def build_enrolments(context: DemoContext) -> str | None:
    from safetynet.programmes.engine import extract, open_engine

    on = context.clock.as_of
    seed = int(context.seed)
    ages = " ".join(f"WHEN {i} THEN DATE '{(on - datetime.timedelta(days=days)).isoformat()}'"
                    for i, days in enumerate(DECISION_AGES_DAYS))
    # Chosen by each household's (person's) place in the city, counted from one, not by its number: the
    # same city is chosen whatever numbers the database handed out (a test database's sequences run
    # on from earlier tests).
    since = f"CASE (e.place % {len(DECISION_AGES_DAYS)}) {ages} END"
    pick = f"((e.place * 7919 + {seed} * 104729) % 100)"
    person_pick = f"((e.person_place * 7919 + {seed} * 104729) % 100)"
    households = eligibility_sql(area=DEMO_CITY, on=on, vendor="duckdb")
    persons = eligibility_sql(area=DEMO_CITY, on=on, vendor="duckdb", persons_of="tekun")
    places = "DENSE_RANK() OVER (ORDER BY household_id) AS place"
    households = f"SELECT *, {places} FROM ({households}) h"
    persons = f"SELECT *, {places}, DENSE_RANK() OVER (ORDER BY person_id) AS person_place FROM ({persons}) p"
    with open_engine(extract(DEMO_CITY, through_django=connection.in_atomic_block)) as engine:
        # 特困 first, decided per person: most members who qualify receive it.
        engine.execute(
            f"CREATE TEMP TABLE tekun AS SELECT e.household_id, e.person_id, 'tekun' AS programme, "
            f"e.amount, {since} AS since FROM ({persons}) e "
            f"WHERE e.q = 1 AND {person_pick} < {TEKUN_ENROLLED_PERCENT}")
        # 低保 for the household, unless each of its members is supported as 特困 already (the two
        # are not given together: 特困 is the higher).
        rows = engine.execute(
            f"SELECT household_id, person_id, programme, amount, since FROM tekun UNION ALL "
            f"SELECT e.household_id, NULL, 'dibao', CASE WHEN e.q_dibao = 1 THEN e.amount_dibao "
            f"ELSE {OLD_DECISION_AMOUNT} END, {since} FROM ({households}) e "
            f"WHERE ((e.q_dibao = 1 AND {pick} < {ENROLLED_PERCENT}) "
            f"OR (e.q_dibao = 0 AND {pick} < {NO_LONGER_PERCENT})) "
            f"AND e.members > (SELECT COUNT(*) FROM tekun t WHERE t.household_id = e.household_id)"
        ).fetchall()
    with connection.cursor() as cursor:
        for chunk in range(0, len(rows), ROWS_PER_INSERT):
            cursor.executemany(
                "INSERT INTO programmes_enrolment (household_id, person_id, programme, amount, since, until, "
                "decision, end_reason, decided_by_id, version, county_id) "
                "VALUES (%s, %s, %s, %s, %s, NULL, '', '', NULL, 1, "
                "(SELECT SUBSTR(h.village_id, 1, 6) FROM registry_household h WHERE h.id = %s))",
                [(h, p, code, int(amount), day, h) for h, p, code, amount, day in
                              rows[chunk:chunk + ROWS_PER_INSERT]])
    tekun = sum(1 for row in rows if row[2] == "tekun")
    return _("%(count)s households receive the minimum living allowance; %(persons)s persons receive "
             "extreme poverty assistance.") % {"count": len(rows) - tekun, "persons": tekun}
