"""Eligibility over the whole city (issue 10): the five programmes' rules over every household.

- in the database: the rules' one statement (programmes.batch) run by SQLite itself;
- the engine: the rows moved out as Arrow through ADBC, the same statement in DuckDB
  (programmes.engine), end to end;
- floor, in the same run: the same extraction and one hand-written DuckDB query computing the 低保
  result on those rows (members counted, income over the period, per-capita income against the
  standard, the asset test) — what the issue asks the engine to be measured against;
- a what-if for a city-wide change of the urban standard (both sides in one statement).

On PostgreSQL too with BENCH_PG=1 (or BENCH_PG_URL): the engine and its floor, run in a second
process whose Django uses that database.

The explanation of one household is on the household page, measured by bench/household_page.py.

Environment: BENCH_HOUSEHOLDS (20000), BENCH_PG / BENCH_PG_URL.
"""

# ruff: noqa: S608  (SQL is built from table names of the schema and dates, never from input)

import datetime
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

CITY = "3713"
TARGET_S = 10.0  # at a million households (issue 10), end to end
TARGET_RATIO = 5.0  # against the floor


def dibao_by_hand(engine, on: datetime.date) -> int:
    """The floor's query: 低保 for every household, written directly for DuckDB. Standards are the
    demo's 2022 values (SPEC §6.8). Returns how many households qualify."""
    start = on - datetime.timedelta(days=364)
    d, s = f"DATE '{on}'", f"DATE '{start}'"
    return engine.execute(f"""
WITH counted AS (
  SELECT household_id, COUNT(*) AS n FROM registry_membership
  WHERE joined_on <= {d} AND (left_on IS NULL OR left_on > {d}) AND co_living AND exclusion = ''
  GROUP BY household_id),
income AS (
  SELECT household_id, SUM((amount - deduction_amount) * (LEAST(period_end, {d}) - GREATEST(period_start, {s})
         + 1) / (period_end - period_start + 1)) AS total
  FROM registry_incomeitem WHERE NOT excluded AND LEAST(period_end, {d}) >= GREATEST(period_start, {s})
  GROUP BY household_id),
assets AS (
  SELECT household_id,
         SUM(CASE WHEN asset_type IN ('101', '102', '103', '104', '105', '106') THEN value ELSE 0 END)
           AS financial,
         SUM(CASE WHEN asset_type = '304' THEN 1 ELSE 0 END) AS vehicles
  FROM registry_assetitem WHERE NOT exempt GROUP BY household_id),
f AS (
  SELECT h.id, c.n, GREATEST(COALESCE(i.total, 0), 0) / 12.0 / c.n AS per_capita,
         CASE WHEN h.urban_rural = 'rural' THEN 545 WHEN SUBSTR(h.village_id, 1, 6) IN
              ('371302', '371311', '371312', '371371') THEN 730 ELSE 700 END AS standard,
         COALESCE(a.financial, 0) AS financial, COALESCE(a.vehicles, 0) AS vehicles
  FROM registry_household h JOIN counted c ON c.household_id = h.id
  LEFT JOIN income i ON i.household_id = h.id LEFT JOIN assets a ON a.household_id = h.id)
SELECT COUNT(*) FILTER (WHERE per_capita < standard AND financial <= 24 * standard * n AND vehicles = 0)
FROM f""").fetchone()[0]


def measure_engine(on: datetime.date, label: str) -> None:
    """The engine end to end, and its floor, on the database Django uses."""
    from safetynet.programmes import engine

    engine.eligibility_in_duckdb(area="371302", on=on)  # the database's cache warm, as a server's
    started = time.perf_counter()
    tables = engine.extract(CITY)
    extract_s = time.perf_counter() - started
    _columns, rows = engine.eligibility_in_duckdb(area=CITY, on=on, tables=tables)
    engine_s = time.perf_counter() - started

    started = time.perf_counter()
    tables = engine.extract(CITY)
    with engine.open_engine(tables) as db:  # the tables as DuckDB views, nothing computed
        by_hand = dibao_by_hand(db, on)
    floor_s = time.perf_counter() - started
    rows_out = sum(t.num_rows for t in tables.values())
    b.line(**{f"eligibility_engine_{label}_s": round(engine_s, 2)}, extract_s=round(extract_s, 2),
           rows_extracted=rows_out, households=len(rows), dibao_qualifying=sum(1 for row in rows if row[3]),
           floor_s=round(floor_s, 2), floor_dibao_qualifying=by_hand, ratio=b.ratio(engine_s, floor_s),
           target_at_1m=f"<{TARGET_S}s,<{TARGET_RATIO}x")


def main() -> None:
    b.require("django", "duckdb", "pyarrow", "adbc_driver_sqlite")
    n = b.households()
    on = datetime.date.fromisoformat(b.AS_OF)
    if len(sys.argv) == 3 and sys.argv[1] == "--postgresql":  # the second process: Django on PostgreSQL
        os.environ["DATABASE_URL"] = sys.argv[2]
        os.environ["DJANGO_SETTINGS_MODULE"] = "safetynet.settings"
        import django

        django.setup()
        measure_engine(on, "pg")
        return

    data_dir = b.sqlite_db(n)
    b.setup_django(data_dir)
    from safetynet.programmes.batch import eligibility_rows, what_if_rows

    eligibility_rows(area="371302", on=on)  # warm the page cache as a running server would have it
    started = time.perf_counter()
    _columns, rows = eligibility_rows(area=CITY, on=on)
    b.line(eligibility_in_sqlite_s=round(time.perf_counter() - started, 2), households=len(rows),
           dibao_qualifying=sum(1 for row in rows if row[3]))
    measure_engine(on, "sqlite")

    from safetynet.core.selectors import divisions_under

    counties = [d.code for d in divisions_under(CITY, level="county")]
    overrides = {("dibao", county, "urban"): Decimal(800) for county in counties}
    started = time.perf_counter()
    townships = what_if_rows(area=CITY, on=on, starting=on + datetime.timedelta(days=31),
                             overrides=overrides)
    b.line(what_if_city_in_sqlite_s=round(time.perf_counter() - started, 2), townships=len(townships),
           newly_households=sum(t[1] for t in townships), households=n)
    from safetynet.programmes.engine import what_if_in_duckdb

    started = time.perf_counter()
    in_engine = what_if_in_duckdb(area=CITY, on=on, starting=on + datetime.timedelta(days=31),
                                  overrides=overrides)
    b.line(what_if_city_engine_s=round(time.perf_counter() - started, 2), townships=len(in_engine),
           same_answer=in_engine == townships, households=n)

    if b.pg_url(n):
        url = b.pg_db(n)
        subprocess.run([sys.executable, __file__, "--postgresql", url], check=True,
                       env={**os.environ, "SAFETYNET_LOG_LEVEL": "ERROR"})


if __name__ == "__main__":
    main()
