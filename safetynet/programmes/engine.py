# ruff: noqa: S608  (the statements are made from the schema's table names and checked codes, never from input)
"""The rules over an area in DuckDB, the batch engine of ARCHITECTURE.md: the rows the statement
reads move out of the system of record as Arrow — through ADBC from PostgreSQL or from SQLite's
file — and the very statement the database runs (programmes.batch, in DuckDB's dialect) runs over
them in process, on every core. Nothing is written to the system of record.

DuckDB cannot read SQLite or PostgreSQL itself without extensions it would download; ADBC needs
none. What is read, and how SQLite's file is read safely, is in programmes.extraction. A database
ADBC cannot open (SQLite in memory, as the tests have it) is read through Django's own connection
instead: slower, the same rows.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pyarrow as pa
from django.db import connection

from safetynet.programmes.batch import eligibility_sql, what_if_sql
from safetynet.programmes.extraction import KEY_RANGES, TABLES, check_area, extraction, parts

EXTRACTION_TIMEOUT_S = 1800
# Parts read at once, at most: each is a process (SQLite) or a connection (PostgreSQL).
MAX_WORKERS = 4

def _postgresql_connection():
    """An ADBC connection to the PostgreSQL database Django uses."""
    import adbc_driver_postgresql.dbapi

    settings = connection.settings_dict
    user = urllib.parse.quote(settings.get("USER") or "")
    password = urllib.parse.quote(settings.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return adbc_driver_postgresql.dbapi.connect(f"postgresql://{credentials}{host}{port}/{settings['NAME']}")


def _sqlite_file() -> str | None:
    """The SQLite database's file, or None for a database in memory (the tests')."""
    name = str(connection.settings_dict.get("NAME") or "")
    return name if name and "memory" not in name and os.path.exists(name) else None


def extract(area: str, *, through_django: bool = False, workers: int | None = None) -> dict[str, pa.Table]:
    """Each table the statement reads, as Arrow, for the area's households: from PostgreSQL through
    ADBC, on `workers` connections at once (by default one per core); from SQLite's file through
    ADBC in as many processes of their own (programmes.extraction says why); through Django's
    connection for a database in memory, or when `through_django` (rows of a transaction not yet
    committed — a test's — are seen only there).

    The parts are read side by side, each table cut by ranges of its keys. They are not one snapshot:
    what is edited while a run reads (a second or two at a million households) may be seen in one
    table and not yet in another, as with any reading of a live registry."""
    check_area(area)
    workers = workers or min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    if not through_django and connection.vendor == "postgresql":
        with _postgresql_connection() as source, source.cursor() as cursor:
            cursor.execute(KEY_RANGES)
            cut = parts(cursor.fetchall(), workers)
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            read = list(pool.map(lambda ranges: _read_postgresql(area, ranges), cut))
        return _joined(read)
    if not through_django and connection.vendor == "sqlite" and (database := _sqlite_file()):
        with connection.cursor() as cursor:
            cursor.execute(KEY_RANGES)
            cut = parts(cursor.fetchall(), workers)
        return _joined(_read_sqlite(database, area, cut))
    tables = {}
    with connection.cursor() as cursor:
        for table, (columns, _view) in TABLES.items():
            cursor.execute(extraction(table, area))
            rows = cursor.fetchall()
            tables[table] = pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
    return tables


def _read_postgresql(area: str, ranges: dict[str, tuple[int, int]]) -> dict[str, pa.Table]:
    """One part's tables, on a connection of its own (ADBC leaves Python's lock while it reads)."""
    with _postgresql_connection() as source, source.cursor() as cursor:
        tables = {}
        for table, ids in ranges.items():
            cursor.execute(extraction(table, area, ids))
            tables[table] = cursor.fetch_arrow_table()
        return tables


def _read_sqlite(database: str, area: str, cut: list[dict]) -> list[dict[str, pa.Table]]:
    """Each part's tables, read by a process of its own, all at once."""
    import pyarrow.feather as feather

    with tempfile.TemporaryDirectory(prefix="safetynet-engine-") as folder:
        running = []
        deadline = time.monotonic() + EXTRACTION_TIMEOUT_S
        try:
            for index, ranges in enumerate(cut):
                into = Path(folder) / str(index)
                into.mkdir()
                running.append((into, ranges, subprocess.Popen(
                    [sys.executable, "-m", "safetynet.programmes.extraction", database, area, str(into),
                     json.dumps(ranges)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
            for _into, _ranges, process in running:
                _out, errors = process.communicate(timeout=max(deadline - time.monotonic(), 1))
                if process.returncode:
                    raise subprocess.CalledProcessError(process.returncode, process.args, stderr=errors)
        finally:  # none is left reading into a folder that goes
            for _into, _ranges, process in running:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        # Read whole into memory: the folder goes when this block ends.
        return [{table: feather.read_table(into / f"{table}.arrow", memory_map=False) for table in ranges}
                for into, ranges, _process in running]


def _joined(read: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """The parts of each table as one table. A part with no rows may carry other column types (ADBC
    types SQLite's columns by their rows): it is left out when another part has rows."""
    tables = {}
    for table in TABLES:
        pieces = [part[table] for part in read if table in part]
        kept = [piece for piece in pieces if piece.num_rows] or pieces[:1]
        tables[table] = pa.concat_tables(kept, promote_options="permissive") if len(kept) > 1 else kept[0]
    return tables


def open_engine(tables: dict[str, pa.Table], threads: int | None = None):
    """A DuckDB connection in which each table reads as the statement expects it."""
    import duckdb

    engine = duckdb.connect(config={"threads": threads or os.cpu_count() or 1})
    engine.execute("SET integer_division = true")  # the statement divides integers as SQL does
    for table, (_columns, view) in TABLES.items():
        engine.register(f"{table}_rows", tables[table])
        engine.execute(f"CREATE VIEW {table} AS SELECT {view} FROM {table}_rows")
    return engine


def eligibility_in_duckdb(*, area: str, on, tables: dict[str, pa.Table] | None = None,
                          threads: int | None = None, through_django: bool = False
                          ) -> tuple[list[str], list[tuple]]:
    """(column names, rows) as programmes.batch.eligibility_rows gives them, computed in DuckDB over
    the area's rows (`tables`, from `extract`, or extracted here)."""
    tables = tables if tables is not None else extract(area, through_django=through_django)
    with open_engine(tables, threads) as engine:
        result = engine.execute(eligibility_sql(area=area, on=on, vendor="duckdb"))
        return [column[0] for column in result.description], result.fetchall()


def eligibility_results(*, area: str, on, through_django: bool = False) -> tuple[int, list[tuple]]:
    """(households of the area, results): per programme, each household that qualifies or receives
    it, as (household_id, village_id, programme, qualifies, enrolled, no_longer, amount) — what a run
    keeps."""
    from safetynet.programmes.rules import RULES

    with open_engine(extract(area, through_django=through_django)) as engine:
        engine.execute(f"CREATE TEMP TABLE answers AS {eligibility_sql(area=area, on=on, vendor='duckdb')}")
        households = engine.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        parts = [
            f"SELECT household_id, village_id, '{code}', q_{code} = 1, enrolled_{code} = 1, "
            f"no_longer_{code} = 1, {f'amount_{code}' if rule.amount is not None else 'NULL'} FROM answers "
            f"WHERE q_{code} = 1 OR enrolled_{code} = 1 OR no_longer_{code} = 1"
            for code, rule in RULES.items()]
        return households, engine.execute(" UNION ALL ".join(parts)).fetchall()


def what_if_in_duckdb(*, area: str, on, starting, overrides: dict,
                      through_django: bool = False) -> list[tuple]:
    """programmes.batch.what_if_rows, computed in DuckDB over the area's rows moved out as Arrow."""
    with open_engine(extract(area, through_django=through_django)) as engine:
        rows = engine.execute(what_if_sql(area=area, on=on, starting=starting, overrides=overrides,
                                          vendor="duckdb")).fetchall()
    return [(row[0], *(int(v or 0) for v in row[1:])) for row in rows]
