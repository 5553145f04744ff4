# ruff: noqa: S608  (the statements are made from the schema's table names and a checked code, never from input)
"""What the batch engine (programmes.engine) reads out of the system of record, and the reading of
SQLite's file in a process of its own. Django-free: run as
`python -m safetynet.programmes.extraction DATABASE AREA FOLDER`, it writes each table as an Arrow
file into FOLDER.

Why another process for SQLite: ADBC's driver carries its own copy of SQLite. Two copies of SQLite in
one process do not see each other's locks on the same file (POSIX locks belong to the process), so
one closing the file releases the other's locks — the way to corrupt a database that SQLite's own
documentation warns of ("How to corrupt an SQLite database file", 2.2). In a process of its own the
copy is as safe as any other reader.

Each table can be read in parts, by ranges of its own primary key, so that several processes (or,
for PostgreSQL, several connections) read one table at once: `parts` below cuts them.
"""

import json
import sys
from pathlib import Path

# What the statement reads of each table. Each column as it leaves the system of record — money in
# whole fen, flags as 0 and 1, an empty value where there is none (ADBC's SQLite driver types a
# column by its first rows: a column that starts with NULLs would be mistyped) — and as DuckDB gives
# it back to the statement, under the table's own name.
MONEY = "CAST(ROUND({0} * 100) AS BIGINT)"
TABLES = {
    "registry_household": (
        {"id": "id", "village_id": "village_id", "urban_rural": "urban_rural"},
        "id, village_id, urban_rural"),
    "registry_membership": (
        {"household_id": "household_id", "person_id": "person_id", "joined_on": "CAST(joined_on AS TEXT)",
         "left_on": "COALESCE(CAST(left_on AS TEXT), '')",
         "co_living": "CASE WHEN co_living THEN 1 ELSE 0 END", "exclusion": "exclusion"},
        "household_id, person_id, CAST(joined_on AS DATE) AS joined_on, "
        "CAST(NULLIF(left_on, '') AS DATE) AS left_on, co_living = 1 AS co_living, exclusion"),
    "registry_person": (
        {"id": "id", "birth_date": "CAST(birth_date AS TEXT)",
         "disability_category": "COALESCE(disability_category, 0)",
         "disability_grade": "COALESCE(disability_grade, 0)", "serious_illness": "serious_illness",
         "status": "status", "self_care": "COALESCE(self_care, 0)"},
        "id, CAST(birth_date AS DATE) AS birth_date, NULLIF(disability_category, 0) AS disability_category, "
        "NULLIF(disability_grade, 0) AS disability_grade, serious_illness, status, "
        "NULLIF(self_care, 0) AS self_care"),
    "registry_incomeitem": (
        {"household_id": "household_id", "person_id": "COALESCE(person_id, 0)",
         "amount": MONEY.format("amount"), "deduction_amount": MONEY.format("deduction_amount"),
         "period_start": "CAST(period_start AS TEXT)", "period_end": "CAST(period_end AS TEXT)",
         "excluded": "CASE WHEN excluded THEN 1 ELSE 0 END"},
        "household_id, NULLIF(person_id, 0) AS person_id, amount * 0.01 AS amount, "
        "deduction_amount * 0.01 AS deduction_amount, CAST(period_start AS DATE) AS period_start, "
        "CAST(period_end AS DATE) AS period_end, excluded = 1 AS excluded"),
    "registry_assetitem": (
        {"household_id": "household_id", "person_id": "COALESCE(person_id, 0)", "asset_type": "asset_type",
         "value": MONEY.format("value"), "exempt": "CASE WHEN exempt THEN 1 ELSE 0 END"},
        "household_id, NULLIF(person_id, 0) AS person_id, asset_type, value * 0.01 AS value, "
        "exempt = 1 AS exempt"),
    "registry_rigidexpense": (
        {"household_id": "household_id", "person_id": "COALESCE(person_id, 0)",
         "amount": MONEY.format("amount"), "incurred_on": "CAST(incurred_on AS TEXT)"},
        "household_id, NULLIF(person_id, 0) AS person_id, amount * 0.01 AS amount, "
        "CAST(incurred_on AS DATE) AS incurred_on"),
    "registry_supporter": (
        {"household_id": "household_id", "person_id": "person_id", "birth_date": "CAST(birth_date AS TEXT)",
         "income_year": MONEY.format("income_year"),
         "disability_category": "COALESCE(disability_category, 0)",
         "disability_grade": "COALESCE(disability_grade, 0)", "assistance": "assistance",
         "incapacity": "incapacity"},
        "household_id, person_id, CAST(birth_date AS DATE) AS birth_date, income_year * 0.01 AS income_year, "
        "NULLIF(disability_category, 0) AS disability_category, "
        "NULLIF(disability_grade, 0) AS disability_grade, assistance, incapacity"),
    "programmes_enrolment": (
        {"household_id": "household_id", "person_id": "COALESCE(person_id, 0)", "programme": "programme",
         "since": "CAST(since AS TEXT)", "until": "COALESCE(CAST(until AS TEXT), '')"},
        "household_id, NULLIF(person_id, 0) AS person_id, programme, CAST(since AS DATE) AS since, "
        "CAST(NULLIF(until, '') AS DATE) AS until"),
}


def check_area(area: str) -> None:
    if not area.isascii() or not area.isdigit():
        raise ValueError("area is a division code")


def extraction(table: str, area: str, ids: tuple[int, int] | None = None) -> str:
    """The rows of `table` that belong to the area's households (all of them for the whole city).
    With `ids`, one part of them: persons whose key is in that range; for every other table, the rows
    of the households whose key is — each part reads its own households' rows by the index, and a
    person of two households is read once."""
    check_area(area)
    columns, _view = TABLES[table]
    select = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
    within = "" if ids is None else f" AND id BETWEEN {int(ids[0])} AND {int(ids[1])}"
    households = f"SELECT id FROM registry_household WHERE village_id LIKE '{area}%'"
    if table == "registry_household":
        where = f"village_id LIKE '{area}%'{within}"
    elif table == "registry_person":
        where = (f"EXISTS (SELECT 1 FROM registry_membership m JOIN registry_household h "
                 f"ON h.id = m.household_id WHERE m.person_id = registry_person.id "
                 f"AND h.village_id LIKE '{area}%'){within}")
    else:
        where = f"household_id IN ({households}{within})"
    return f"SELECT {select} FROM {table} WHERE {where}"


# The keys a part's range is taken from: persons by their own, every other table by its household's.
KEY_RANGES = ("SELECT 'registry_person', MIN(id), MAX(id) FROM registry_person UNION ALL "
              "SELECT 'registry_household', MIN(id), MAX(id) FROM registry_household")


def parts(key_ranges: list[tuple], count: int) -> list[dict[str, tuple[int, int]]]:
    """Cut the keys (`key_ranges`: rows of KEY_RANGES, table, lowest and highest key) into `count`
    ranges of equal width: one {table: (first, last)} per part, every table of TABLES in each (all
    but persons by the household range). Keys are dense enough in a registry that equal widths hold
    about equal rows."""
    bounds = {table: (low, high) for table, low, high in key_ranges}
    cut: list[dict[str, tuple[int, int]]] = [{} for _ in range(count)]
    for table in TABLES:
        low, high = bounds["registry_person" if table == "registry_person" else "registry_household"]
        if low is None:  # nothing registered: one part reads the table, to give its columns
            cut[0][table] = (0, 0)
            continue
        width = (int(high) - int(low)) // count + 1
        for index in range(count):
            first = int(low) + index * width
            if first <= int(high):
                cut[index][table] = (first, min(first + width - 1, int(high)))
    return cut


def write_sqlite_tables(database: str, area: str, folder: Path,
                        ranges: dict[str, tuple[int, int]] | None = None) -> None:
    """Each table's rows out of SQLite's file through ADBC, as Arrow files in `folder`: every table
    whole, or with `ranges` the tables it names, each within its range of keys."""
    import adbc_driver_sqlite.dbapi
    import pyarrow.feather as feather

    with adbc_driver_sqlite.dbapi.connect(database, autocommit=True) as source, \
            source.cursor() as cursor:
        for table in TABLES if ranges is None else ranges:
            cursor.execute(extraction(table, area, None if ranges is None else ranges[table]))
            feather.write_feather(cursor.fetch_arrow_table(), folder / f"{table}.arrow",
                                  compression="uncompressed")


if __name__ == "__main__":
    write_sqlite_tables(sys.argv[1], sys.argv[2], Path(sys.argv[3]),
                        json.loads(sys.argv[4]) if len(sys.argv) > 4 else None)
