"""Household page p95 over HTTP as a logged-in county user, for random households of the county.

Floor: the page's data as hand-written SQL, straight on the database file: the household with its
head, village and responsible staff; its members with their people and divisions; income, assets,
rigid expenses, documents; the last 200 changes of its timeline with their actors; the village's
path — eight queries per household, measured in the same run.

Environment: BENCH_HOUSEHOLDS (20000), BENCH_REQUESTS (400), BENCH_WARMUP (40), BENCH_SECONDS (90),
BENCH_PG=1 or BENCH_PG_URL for the PostgreSQL line.
"""

# ruff: noqa: S608  (SQL is built from table and column names of the schema, never from input)

import contextlib
import random
import re
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

TARGET_MS = 150  # not named by the issue; the search target, for scale
TIMELINE_LIMIT = 200
FLOOR_SQL = [
    """SELECT h.*, hp.name, hp.id_number, v.name, v.parent_id, gw.username, gw.first_name, gw.last_name,
              co.username, co.first_name, co.last_name
       FROM registry_household h
         LEFT JOIN registry_person hp ON hp.id = h.head_id
         JOIN core_division v ON v.code = h.village_id
         LEFT JOIN core_user gw ON gw.id = h.grid_worker_id
         LEFT JOIN core_user co ON co.id = h.coordinator_id
       WHERE h.id = :id AND h.village_id >= :lo AND h.village_id < :hi""",
    """SELECT m.*, p.*, hd.name, rd.name
       FROM registry_membership m JOIN registry_person p ON p.id = m.person_id
         LEFT JOIN core_division hd ON hd.code = p.hukou_division_id
         LEFT JOIN core_division rd ON rd.code = p.residence_division_id
       WHERE m.household_id = :id ORDER BY m.left_on, m.relation, p.birth_date""",
    """SELECT i.*, p.name FROM registry_incomeitem i LEFT JOIN registry_person p ON p.id = i.person_id
       WHERE i.household_id = :id ORDER BY i.period_end DESC""",
    """SELECT a.*, p.name FROM registry_assetitem a LEFT JOIN registry_person p ON p.id = a.person_id
       WHERE a.household_id = :id ORDER BY a.asset_type""",
    """SELECT e.*, p.name FROM registry_rigidexpense e LEFT JOIN registry_person p ON p.id = e.person_id
       WHERE e.household_id = :id ORDER BY e.incurred_on DESC""",
    """SELECT d.*, p.name, u.username FROM registry_document d
         LEFT JOIN registry_person p ON p.id = d.person_id JOIN core_user u ON u.id = d.uploaded_by_id
       WHERE d.household_id = :id ORDER BY d.uploaded_at DESC""",
    f"""SELECT c.*, u.username, u.first_name, u.last_name FROM core_changerecord c
          LEFT JOIN core_user u ON u.id = c.actor_id
        WHERE c.subject_type = 'household' AND c.subject_id = :id
        ORDER BY c.at DESC, c.id DESC LIMIT {TIMELINE_LIMIT}""",
    """SELECT code, name FROM core_division WHERE code IN (:county, :township, :village)""",
]


def sample_households(db, *, total: int, placeholder: str, seed: int = 2) -> list[dict]:
    lo, hi = b.COUNTY_CODE, str(int(b.COUNTY_CODE) + 1)
    cur = db.cursor()
    p = placeholder
    cur.execute(f"SELECT h.id, h.village_id FROM registry_household h WHERE h.village_id >= {p} "
                f"AND h.village_id < {p}", (lo, hi))
    rows = cur.fetchall()
    if not rows:
        b.die("no household in the county 371302: is the demo city built?")
    rng = random.Random(seed)
    return [{"id": pk, "village": village} for pk, village in
            (rng.choice(rows) for _ in range(total))]


def measure_http(base: str, households: list[dict], *, warmup: int, seconds: float):
    client = b.Client(base)
    client.login(b.COUNTY_USER, b.DEMO_PASSWORD)

    def run(household):
        status, page = client.get(f"/registry/households/{household['id']}/")
        if status != 200:
            b.die(f"GET /registry/households/{household['id']}/ answered {status} "
                  f"(server log: {b.BENCH_DIR}/household-server*.log)")

    timings = b.timed_loop(households, run, warmup=warmup, seconds=seconds)
    client.close()
    return [t for _h, t in timings]


def measure_floor(execute, households: list[dict], *, warmup: int, seconds: float):
    lo, hi = b.COUNTY_CODE, str(int(b.COUNTY_CODE) + 1)

    def run(household):
        village = household["village"]
        params = {"id": household["id"], "lo": lo, "hi": hi, "county": village[:6],
                  "township": village[:9], "village": village}
        for sql in FLOOR_SQL:
            execute(sql, params)

    return [t for _h, t in b.timed_loop(households, run, warmup=warmup, seconds=seconds)]


def sqlite_executor(path: Path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA cache_size=-65536")
    db.execute("PRAGMA query_only=1")
    return db, lambda sql, params: db.execute(sql, params).fetchall()


def pg_executor(url: str):
    conn = b.pg_connect(url, autocommit=True, prepare_threshold=None)  # plans with the values, as Django
    return conn, lambda sql, params: conn.execute(re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql), params).fetchall()


def report(engine: str, n: int, ms: list[float], floor_ms: list[float], **extra) -> None:
    if not ms:
        b.die("no request was measured")
    p95, floor_p95 = b.percentile(ms, 95), b.percentile(floor_ms, 95)
    b.line(**{
        f"household_page_p95_{engine}_ms": p95, "target": f"<{TARGET_MS}", "floor_p95_ms": floor_p95,
        "ratio": b.ratio(p95, floor_p95), "p50_ms": b.percentile(ms, 50), "p99_ms": b.percentile(ms, 99),
        "floor_p50_ms": b.percentile(floor_ms, 50), "n": len(ms), "households": n, **extra,
    })


def main() -> None:
    b.require("django")
    n = b.households()
    requests = b.env_int("BENCH_REQUESTS", 400)
    warmup = b.env_int("BENCH_WARMUP", 40)
    seconds = b.env_float("BENCH_SECONDS", 90)
    data_dir = b.sqlite_db(n)

    with contextlib.closing(sqlite3.connect(data_dir / b.DB_FILE)) as db:
        households = sample_households(db, total=warmup + requests, placeholder="?")
    with b.server(env=b.app_env(data_dir=data_dir), log=b.BENCH_DIR / "household-server.log") as base:
        ms = measure_http(base, households, warmup=warmup, seconds=seconds)
    conn, execute = sqlite_executor(data_dir / b.DB_FILE)
    with contextlib.closing(conn):
        floor_ms = measure_floor(execute, households, warmup=warmup, seconds=seconds)
    report("sqlite", n, ms, floor_ms)

    if b.pg_url(n):
        url = b.pg_db(n)
        conn, execute = pg_executor(url)
        with conn:
            households = sample_households(conn, total=warmup + requests, placeholder="%s")
        with b.server(env=b.app_env(database_url=url), log=b.BENCH_DIR / "household-server-pg.log") as base:
            ms = measure_http(base, households, warmup=warmup, seconds=seconds)
        conn, execute = pg_executor(url)
        with conn:
            floor_ms = measure_floor(execute, households, warmup=warmup, seconds=seconds)
        report("pg", n, ms, floor_ms, postgresql=b.pg_server_version(url))


if __name__ == "__main__":
    main()
