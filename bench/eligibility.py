"""Eligibility over the whole city (issue 10), on SQLite: the 低保 and 低保边缘 rules over every
household in one statement (programmes.batch), and a what-if for a city-wide change of the urban
standard (both sides in one statement). Floor, in the same run: the bare read of the rows the
statement reads (households, members with their people, income items, assets), each table scanned
once, with nothing computed.

The explanation of one household is on the household page, measured by bench/household_page.py.

Environment: BENCH_HOUSEHOLDS (20000).
"""

# ruff: noqa: S608  (SQL is built from table names of the schema, never from input)

import datetime
import sqlite3
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

CITY = "3713"
TARGET_S = 10.0  # at a million households (issue 10)
FLOOR_TABLES = ["registry_household", "registry_membership", "registry_person", "registry_incomeitem",
                "registry_assetitem"]


def floor(path: Path) -> float:
    with sqlite3.connect(path) as db:
        started = time.perf_counter()
        for table in FLOOR_TABLES:
            for _row in db.execute(f"SELECT * FROM {table}"):
                pass
        return time.perf_counter() - started


def main() -> None:
    b.require("django")
    n = b.households()
    data_dir = b.sqlite_db(n)
    b.setup_django(data_dir)
    from safetynet.programmes.batch import eligibility_rows, what_if_rows

    on = datetime.date.fromisoformat(b.AS_OF)
    eligibility_rows(area="371302", on=on)  # warm the page cache as a running server would have it
    started = time.perf_counter()
    _columns, rows = eligibility_rows(area=CITY, on=on)
    batch_s = time.perf_counter() - started
    floor_s = floor(data_dir / b.DB_FILE)
    qualifying = sum(1 for row in rows if row[3])
    b.line(eligibility_city_s=round(batch_s, 2), households=len(rows), dibao_qualifying=qualifying,
           floor_read_s=round(floor_s, 2), ratio=b.ratio(batch_s, floor_s), target_at_1m=f"<{TARGET_S}s")

    from safetynet.core.selectors import divisions_under

    counties = [d.code for d in divisions_under(CITY, level="county")]
    overrides = {("dibao", county, "urban"): Decimal(800) for county in counties}
    started = time.perf_counter()
    townships = what_if_rows(area=CITY, on=on, starting=on + datetime.timedelta(days=31),
                             overrides=overrides)
    b.line(what_if_city_s=round(time.perf_counter() - started, 2), townships=len(townships),
           newly_households=sum(t[1] for t in townships), households=n)


if __name__ == "__main__":
    main()
