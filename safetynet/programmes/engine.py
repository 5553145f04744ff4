# ruff: noqa: S608  (the statements are made from the schema's table names and checked codes, never from input)
"""The rules over an area in DuckDB, the batch engine of ARCHITECTURE.md: the rows the statement
reads move out of the system of record as Arrow — through ADBC from PostgreSQL or from SQLite's
file — and the very statement the database runs (programmes.batch, in DuckDB's dialect) runs over
them in process, on every core. Nothing is written to the system of record.

DuckDB cannot read SQLite or PostgreSQL itself without extensions it would download; ADBC needs
none. A database ADBC cannot open (SQLite in memory, as the tests have it) is read through Django's
own connection instead: slower, the same rows.
"""

import os
import urllib.parse

import pyarrow as pa
from django.db import connection

from safetynet.programmes.batch import eligibility_sql

# What the statement reads of each table. Each column as it leaves the system of record — money in
# whole fen, flags as 0 and 1, an empty value where there is none (ADBC's SQLite driver types a
# column by its first rows: a column that starts with NULLs would be mistyped) — and as DuckDB gives
# it back to the statement, under the table's own name.
_MONEY = "CAST(ROUND({0} * 100) AS BIGINT)"
_TABLES = {
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
         "amount": _MONEY.format("amount"), "deduction_amount": _MONEY.format("deduction_amount"),
         "period_start": "CAST(period_start AS TEXT)", "period_end": "CAST(period_end AS TEXT)",
         "excluded": "CASE WHEN excluded THEN 1 ELSE 0 END"},
        "household_id, NULLIF(person_id, 0) AS person_id, amount * 0.01 AS amount, "
        "deduction_amount * 0.01 AS deduction_amount, CAST(period_start AS DATE) AS period_start, "
        "CAST(period_end AS DATE) AS period_end, excluded = 1 AS excluded"),
    "registry_assetitem": (
        {"household_id": "household_id", "person_id": "COALESCE(person_id, 0)", "asset_type": "asset_type",
         "value": _MONEY.format("value"), "exempt": "CASE WHEN exempt THEN 1 ELSE 0 END"},
        "household_id, NULLIF(person_id, 0) AS person_id, asset_type, value * 0.01 AS value, "
        "exempt = 1 AS exempt"),
    "registry_rigidexpense": (
        {"household_id": "household_id", "person_id": "COALESCE(person_id, 0)",
         "amount": _MONEY.format("amount"), "incurred_on": "CAST(incurred_on AS TEXT)"},
        "household_id, NULLIF(person_id, 0) AS person_id, amount * 0.01 AS amount, "
        "CAST(incurred_on AS DATE) AS incurred_on"),
    "registry_supporter": (
        {"household_id": "household_id", "person_id": "person_id", "birth_date": "CAST(birth_date AS TEXT)",
         "income_year": _MONEY.format("income_year"),
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


def _extraction(table: str, area: str) -> str:
    """The rows of `table` that belong to the area's households (all of them for the whole city)."""
    columns, _view = _TABLES[table]
    select = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
    households = f"SELECT id FROM registry_household WHERE village_id LIKE '{area}%'"
    if table == "registry_household":
        where = f"village_id LIKE '{area}%'"
    elif table == "registry_person":
        where = (f"id IN (SELECT m.person_id FROM registry_membership m WHERE m.household_id IN "
                 f"({households}))")
    else:
        where = f"household_id IN ({households})"
    return f"SELECT {select} FROM {table} WHERE {where}"


def _adbc_connection():
    """An ADBC connection to the database Django uses, or None where ADBC cannot reach it."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        import adbc_driver_postgresql.dbapi

        user = urllib.parse.quote(settings.get("USER") or "")
        password = urllib.parse.quote(settings.get("PASSWORD") or "")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings.get("HOST") or "localhost"
        port = f":{settings['PORT']}" if settings.get("PORT") else ""
        return adbc_driver_postgresql.dbapi.connect(f"postgresql://{credentials}{host}{port}/{settings['NAME']}")
    name = str(settings.get("NAME") or "")
    if connection.vendor == "sqlite" and name and "memory" not in name and os.path.exists(name):
        import adbc_driver_sqlite.dbapi

        return adbc_driver_sqlite.dbapi.connect(name)
    return None


def extract(area: str, *, through_django: bool = False) -> dict[str, pa.Table]:
    """Each table the statement reads, as Arrow, for the area's households. `through_django` reads
    through Django's connection even where ADBC could: rows of a transaction not yet committed (a
    test's) are seen only there."""
    if not area.isascii() or not area.isdigit():
        raise ValueError("area is a division code")
    tables = {}
    source = None if through_django else _adbc_connection()
    if source is not None:
        with source, source.cursor() as cursor:
            for table in _TABLES:
                cursor.execute(_extraction(table, area))
                tables[table] = cursor.fetch_arrow_table()
        return tables
    with connection.cursor() as cursor:
        for table, (columns, _view) in _TABLES.items():
            cursor.execute(_extraction(table, area))
            rows = cursor.fetchall()
            tables[table] = pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
    return tables


def eligibility_in_duckdb(*, area: str, on, tables: dict[str, pa.Table] | None = None,
                          threads: int | None = None, through_django: bool = False
                          ) -> tuple[list[str], list[tuple]]:
    """(column names, rows) as programmes.batch.eligibility_rows gives them, computed in DuckDB over
    the area's rows (`tables`, from `extract`, or extracted here)."""
    import duckdb

    tables = tables if tables is not None else extract(area, through_django=through_django)
    sql = eligibility_sql(area=area, on=on, vendor="duckdb")
    with duckdb.connect(config={"threads": threads or os.cpu_count() or 1}) as engine:
        engine.execute("SET integer_division = true")  # the statement divides integers as SQL does
        for table, (_columns, view) in _TABLES.items():
            engine.register(f"{table}_rows", tables[table])
            engine.execute(f"CREATE VIEW {table} AS SELECT {view} FROM {table}_rows")
        result = engine.execute(sql)
        return [column[0] for column in result.description], result.fetchall()
