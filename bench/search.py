"""Search p95 over HTTP as a logged-in county user, on SQLite (and PostgreSQL with BENCH_PG=1).

The household list page `/registry/?q=…` (first page with its count), for a mix of queries drawn
from the database: whole ID numbers, their last 4–6 digits, names, pinyin initials, full pinyin
and phone numbers. Floor: the same lookups as one hand-written SQL query each, straight on the
database: what registry.search.parse looks for, as a UNION of index ranges (one per condition:
pinyin or initials, name or given name, ID ending or phone, address), scoped to the county, then
the first page of households with head, village, township, member count and the total — measured
in the same run, on the same queries. `counts_agree_pct` says how often the page's count and the
floor's agree (below 100: the floor no longer does what the search does).

A second line times the city bureau's search for the city's most common surnames, in characters and
in pinyin (王, wang …): the broadest searches there are, each matching a fifth of the households.

Environment: BENCH_HOUSEHOLDS (20000), BENCH_REQUESTS (400), BENCH_WARMUP (40), BENCH_SECONDS
(time budget per measured loop, 90), BENCH_PG=1 or BENCH_PG_URL for the PostgreSQL line.
"""

# ruff: noqa: S608  (SQL is built from table and column names of the schema, never from input)

import contextlib
import functools
import random
import re
import sqlite3
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

TARGET_MS = 150
CITY_TARGET_MS = 300
CITY_USER = "city"
PAGE_SIZE = 25
KINDS = ["id", "id_tail", "name", "initials", "pinyin", "phone"]
FLOOR_SQL = """
WITH hits AS ({hits}
), total AS (SELECT count(*) AS n FROM hits)
SELECT h.id, hp.name, hp.id_number, v.name, t.name, h.address, h.heating, h.co_alarm, h.status,
       (SELECT count(*) FROM registry_membership c WHERE c.household_id = h.id AND c.left_on IS NULL),
       total.n
FROM hits JOIN registry_household h ON h.id = hits.id
  LEFT JOIN registry_person hp ON hp.id = h.head_id
  JOIN core_division v ON v.code = h.village_id
  LEFT JOIN core_division t ON t.code = v.parent_id
  CROSS JOIN total
WHERE h.village_id >= :lo AND h.village_id < :hi
ORDER BY h.id DESC
LIMIT {page_size}
"""
# The households of the people one condition finds (one index each: the conditions are UNIONed).
PEOPLE_SQL = """
  SELECT DISTINCT m.household_id AS id
  FROM registry_person p JOIN registry_membership m ON m.person_id = p.id AND m.left_on IS NULL
  WHERE {condition} AND p.area_id >= :lo AND p.area_id < :hi"""
# Households whose address contains the text, by the indexes of migration 0003.
ADDRESS_SQL = {
    "sqlite": """
  UNION SELECT h.id FROM registry_household h
  WHERE h.id IN (SELECT rowid FROM registry_household_address WHERE registry_household_address MATCH :phrase)
    AND h.village_id >= :lo AND h.village_id < :hi""",
    "pg": """
  UNION SELECT h.id FROM registry_household h
  WHERE UPPER(h.address::text) LIKE UPPER(:contains) AND h.village_id >= :lo AND h.village_id < :hi""",
}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
COUNT_RE = re.compile(r'<p class="muted">\D*?(\d[\d,]*)')  # the results fragment's first line


def upper_bound(key: str) -> str:
    """The first string after every string starting with `key` (code-point order)."""
    return key[:-1] + chr(ord(key[-1]) + 1)


@functools.cache
def has_given_name_column() -> bool:
    from safetynet.registry.models import Person

    return any(f.column == "name_given" for f in Person._meta.fields)


def floor_query(text: str, engine: str) -> tuple[str, dict]:
    """The lookup the search does for `text` (the rules of registry.search.parse, for a county user,
    who sees whole numbers), as one SQL statement: a UNION of index ranges, one per condition."""
    from safetynet.registry import search

    surnames = getattr(search, "COMMON_SURNAMES", ())
    given_max = getattr(search, "GIVEN_NAME_MAX", 3)
    initials_max = getattr(search, "INITIALS_MAX", 12)
    address_min = getattr(search, "ADDRESS_MIN", 3)
    params: dict = {}

    def prefix(column: str, value: str) -> str:
        name = f"k{len(params)}"
        params[name], params[name + "_hi"] = value, upper_bound(value)
        return f"(p.{column} >= :{name} AND p.{column} < :{name}_hi)"

    conditions, address = [], ""
    upper = text.upper()
    if re.fullmatch(r"\d{17}[\dX]", upper):
        params["id"] = upper
        conditions.append("p.id_number = :id")
    elif re.fullmatch(r"\d{3,16}[\dX]", upper):
        conditions.append(prefix("id_reversed", upper[::-1]))
        if re.fullmatch(r"\d[\d-]{5,18}\d", upper):
            conditions.append(prefix("phone", upper))
    elif re.fullmatch(r"[a-z]+", text.lower()):
        conditions.append(prefix("name_pinyin", text.lower()))
        if len(text) <= initials_max:
            conditions.append(prefix("name_initials", text.lower()))
    elif HAN.fullmatch(text):
        conditions.append(prefix("name", text))
        if has_given_name_column():
            conditions.append(prefix("name_given", text))
        elif len(text) <= given_max and surnames:  # the rule before the given name had its column
            names = [f"g{i}" for i in range(len(surnames))]
            params |= {name: surname + text for name, surname in zip(names, surnames, strict=True)}
            conditions.append(f"p.name IN ({', '.join(':' + n for n in names)})")  # an index probe each
        if len(text) >= address_min:
            params["phrase"], params["contains"] = f'"{text}"', f"%{text}%"
            address = ADDRESS_SQL[engine]
    else:
        b.die(f"the bench has no floor for the query {text!r}")
    hits = "\n  UNION".join(PEOPLE_SQL.format(condition=c) for c in conditions) + address
    sql = FLOOR_SQL.format(hits=hits, page_size=PAGE_SIZE)
    return sql, params


def sample_queries(db, *, total: int, placeholder: str, seed: int = 1) -> list[dict]:
    """`total` queries, kinds in rotation, from people of the county drawn at random."""
    from safetynet.registry.search import person_search_keys

    rng = random.Random(seed)
    lo, hi = b.COUNTY_CODE, str(int(b.COUNTY_CODE) + 1)
    p = placeholder
    cur = db.cursor()
    cur.execute(f"SELECT id FROM registry_person WHERE area_id >= {p} AND area_id < {p}", (lo, hi))
    ids = [row[0] for row in cur.fetchall()]
    if not ids:
        b.die("no person in the county 371302: is the demo city built?")
    chosen = rng.sample(ids, min(len(ids), total * 2))
    people = []
    for start in range(0, len(chosen), 500):
        batch = chosen[start:start + 500]
        cur.execute(
            "SELECT p.id, p.id_number, p.name, p.phone, m.household_id FROM registry_person p "
            "LEFT JOIN registry_membership m ON m.person_id = p.id AND m.left_on IS NULL "
            f"WHERE p.id IN ({', '.join([p] * len(batch))})", batch)
        people += cur.fetchall()
    rng.shuffle(people)
    with_phone = [row for row in people if row[3]]
    queries = []
    for i in range(total):
        kind = KINDS[i % len(KINDS)]
        pool = with_phone if kind == "phone" and with_phone else people
        _pk, id_number, name, phone, household = pool[(i // len(KINDS)) % len(pool)]
        keys = person_search_keys(name=name, id_number=id_number)
        text = {"id": id_number, "id_tail": id_number[-rng.choice((4, 5, 6)):], "name": name,
                "initials": keys["name_initials"], "pinyin": keys["name_pinyin"], "phone": phone}[kind]
        if not text:  # a name without pinyin, a person without a phone: search the name
            kind, text = "name", name
        queries.append({"kind": kind, "q": text, "household": household})
    return queries


# --- ours: the page over HTTP ----------------------------------------------------------------------

def measure_http(base: str, queries: list[dict], *, warmup: int, seconds: float) -> dict:
    """Each query twice: as the search box sends it (htmx: the results fragment, with the count),
    then as a whole page (a link to a search opened in a new tab)."""
    client = b.Client(base)
    client.login(b.COUNTY_USER, b.DEMO_PASSWORD)
    counts: dict[int, int | None] = {}
    misses: list[str] = []

    def fetch(query, headers):
        path = "/registry/?" + urllib.parse.urlencode({"q": query["q"]})
        status, page = client.get(path, headers)
        if status != 200:
            b.die(f"GET {path} answered {status} (server log: {b.BENCH_DIR}/search-server*.log)")
        return page

    def search_box(query):
        page = fetch(query, {"HX-Request": "true", "HX-Target": "results",
                             "HX-Current-URL": f"{base}/registry/"})
        found = COUNT_RE.search(page)
        counts[id(query)] = int(found.group(1).replace(",", "")) if found else None
        if query["kind"] == "id" and query["household"] and \
                f"/registry/households/{query['household']}/" not in page:
            misses.append(query["q"])

    timings = b.timed_loop(queries, search_box, warmup=warmup, seconds=seconds)
    page_timings = b.timed_loop(queries, lambda query: fetch(query, None), warmup=warmup, seconds=seconds)
    client.close()
    return {"timings": timings, "page_timings": page_timings, "counts": counts, "misses": misses}


def common_surnames(db, *, count: int = 10) -> list[dict]:
    """The city's `count` most common surnames, as characters and as pinyin."""
    from safetynet.registry.search import name_syllables

    rows = db.execute("SELECT substr(name, 1, 1), count(*) FROM registry_person GROUP BY 1 "
                      "ORDER BY 2 DESC LIMIT ?", (count,)).fetchall()
    queries = []
    for surname, _n in rows:
        pinyin = name_syllables(surname)[0]
        queries += [{"kind": "surname", "q": surname}, {"kind": "surname_pinyin", "q": pinyin}]
    return queries


def measure_city(base: str, queries: list[dict], *, warmup: int, seconds: float) -> list[float]:
    """The city bureau's search box (the results fragment, with its count) for each query."""
    client = b.Client(base)
    client.login(CITY_USER, b.DEMO_PASSWORD)

    def search_box(query):
        path = "/registry/?" + urllib.parse.urlencode({"q": query["q"]})
        status, _page = client.get(path, {"HX-Request": "true", "HX-Target": "results",
                                          "HX-Current-URL": f"{base}/registry/"})
        if status != 200:
            b.die(f"GET {path} as {CITY_USER} answered {status}")

    timings = b.timed_loop(queries, search_box, warmup=warmup, seconds=seconds)
    client.close()
    return [t for _q, t in timings]


def report_city(engine: str, n: int, ms: list[float]) -> None:
    p95 = b.percentile(ms, 95)
    b.line(**{f"city_common_surname_search_p95_{engine}_ms": p95, "target": f"<{CITY_TARGET_MS}",
              "p50_ms": b.percentile(ms, 50), "n": len(ms), "households": n,
              "meets_target": "yes" if p95 < CITY_TARGET_MS else "no"})


# --- the floor: one SQL query per lookup -----------------------------------------------------------

def measure_floor(execute, queries: list[dict], *, engine: str, warmup: int, seconds: float) -> dict:
    lo, hi = b.COUNTY_CODE, str(int(b.COUNTY_CODE) + 1)
    counts: dict[int, int] = {}
    for query in queries:  # built beforehand: the floor's time is the database's
        query[engine] = floor_query(query["q"], engine)

    def run(query):
        sql, params = query[engine]
        rows = execute(sql, params | {"lo": lo, "hi": hi})
        counts[id(query)] = rows[0][-1] if rows else 0

    timings = b.timed_loop(queries, run, warmup=warmup, seconds=seconds)
    return {"timings": timings, "counts": counts}


def sqlite_executor(path: Path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA cache_size=-65536")
    db.execute("PRAGMA query_only=1")

    def execute(sql, params):
        return db.execute(sql, params).fetchall()

    return db, execute


def pg_executor(url: str):
    conn = b.pg_connect(url, autocommit=True, prepare_threshold=None)  # plans with the values, as Django

    def execute(sql, params):
        return conn.execute(re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql), params).fetchall()

    return conn, execute


def report(engine: str, n: int, ours: dict, floor: dict, **extra) -> None:
    ms = [t for _q, t in ours["timings"]]
    page_ms = [t for _q, t in ours["page_timings"]]
    floor_ms = [t for _q, t in floor["timings"]]
    if not ms:
        b.die("no request was measured")
    compared = [id(q) for q, _t in ours["timings"]]
    agree = sum(1 for k in compared if ours["counts"].get(k) == floor["counts"].get(k))
    p95, floor_p95 = b.percentile(ms, 95), b.percentile(floor_ms, 95) if floor_ms else None
    b.line(**{
        f"search_p95_{engine}_ms": p95, "target": f"<{TARGET_MS}", "floor_p95_ms": floor_p95,
        "ratio": b.ratio(p95, floor_p95), "p50_ms": b.percentile(ms, 50), "p99_ms": b.percentile(ms, 99),
        "floor_p50_ms": b.percentile(floor_ms, 50) if floor_ms else None,
        "full_page_p95_ms": b.percentile(page_ms, 95) if page_ms else None,
        "n": len(ms), "households": n, "counts_agree_pct": round(100 * agree / len(compared)),
        "id_misses": len(ours["misses"]), "meets_target": "yes" if p95 < TARGET_MS else "no", **extra,
    })
    by_kind = {}
    for (query, t) in ours["timings"]:
        by_kind.setdefault(query["kind"], []).append(t)
    floor_by_kind = {}
    for (query, t) in floor["timings"]:
        floor_by_kind.setdefault(query["kind"], []).append(t)
    b.note(f"{engine} p95 by kind (ours / floor, ms): " + ", ".join(
        f"{kind} {b.percentile(v, 95):.1f} / {b.percentile(floor_by_kind.get(kind, [0]), 95):.1f}"
        for kind, v in by_kind.items()))
    disagree = [(q["kind"], q["q"], ours["counts"].get(id(q)), floor["counts"].get(id(q)))
                for q, _t in ours["timings"] if ours["counts"].get(id(q)) != floor["counts"].get(id(q))]
    if disagree:
        b.note(f"{engine}: {len(disagree)} queries where the page's count differs from the floor's "
               f"(kind, query, page, floor), e.g. " + "; ".join(map(str, disagree[:6])))
    if ours["misses"]:
        b.note(f"{engine}: {len(ours['misses'])} whole-ID searches did not show the person's household, "
               f"e.g. {ours['misses'][:3]}")


def main() -> None:
    b.require("django", "pypinyin")
    n = b.households()
    requests = b.env_int("BENCH_REQUESTS", 400)
    warmup = b.env_int("BENCH_WARMUP", 40)
    seconds = b.env_float("BENCH_SECONDS", 90)
    data_dir = b.sqlite_db(n)
    b.setup_django(data_dir)  # for registry.search (its search keys and rules); no query goes through it

    db = sqlite3.connect(data_dir / b.DB_FILE)
    queries = sample_queries(db, total=warmup + requests, placeholder="?")
    surnames = common_surnames(db)
    db.close()
    with b.server(env=b.app_env(data_dir=data_dir), log=b.BENCH_DIR / "search-server.log") as base:
        ours = measure_http(base, queries, warmup=warmup, seconds=seconds)
        city_ms = measure_city(base, surnames * 5, warmup=len(surnames), seconds=seconds)
    conn, execute = sqlite_executor(data_dir / b.DB_FILE)
    with contextlib.closing(conn):
        floor = measure_floor(execute, queries, engine="sqlite", warmup=warmup, seconds=seconds)
    report("sqlite", n, ours, floor)
    report_city("sqlite", n, city_ms)

    if url := b.pg_url(n):
        url = b.pg_db(n)
        conn, execute = pg_executor(url)
        with conn:
            queries = sample_queries(conn, total=warmup + requests, placeholder="%s")
        with b.server(env=b.app_env(database_url=url), log=b.BENCH_DIR / "search-server-pg.log") as base:
            ours = measure_http(base, queries, warmup=warmup, seconds=seconds)
        conn, execute = pg_executor(url)
        with conn:
            floor = measure_floor(execute, queries, engine="pg", warmup=warmup, seconds=seconds)
        report("pg", n, ours, floor, postgresql=b.pg_server_version(url))


if __name__ == "__main__":
    main()
