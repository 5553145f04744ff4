"""Demo city build time and database size on SQLite, at BENCH_HOUSEHOLDS (target: 1 M in < 600 s).

Builds into a fresh data dir: `safetynet migrate`, then `safetynet demo-city --households N --seed 1
--as-of 2023-06-30`
(the figure is the second command's wall time, process start included). Floor (BENCH_DEMO_FLOOR=0
skips it): the same rows — every row the build added, history included — inserted by plain
executemany into a copy of the freshly migrated database, one transaction per 20 000 rows, foreign
keys checked; the rows are read beforehand, so the floor is the database's share alone.

The built database then becomes the cached one the other benchmarks use (var/bench/sqlite-N), so a
1 M run builds the city once.
"""

import contextlib
import os
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

TARGET_S = 600
TARGET_HOUSEHOLDS = 1_000_000


def main() -> None:
    b.require("django", "pypinyin")
    n = b.households()
    b.sweep_leftovers()
    work = b.BENCH_DIR / f"demo-city-{n}-{os.getpid()}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        b.note(f"building a demo city of {n} households into {work} (log {work}/build.log)")
        built = b.build_demo(work, n, log=work / "build.log")
        db_path = work / b.DB_FILE
        size_mb = b.db_size_mb(db_path)
        added = b.new_rows(work / "empty.sqlite3", db_path)
        with contextlib.closing(sqlite3.connect(db_path)) as db:
            people = db.execute("SELECT count(*) FROM registry_person").fetchone()[0]
            homes = db.execute("SELECT count(*) FROM registry_household").fetchone()[0]
        if homes != n:
            b.die(f"asked for {n} households, the database holds {homes}")
        floor_s = None
        if b.env_int("BENCH_DEMO_FLOOR", 1):
            floor_db = work / "floor.sqlite3"
            shutil.copy2(work / "empty.sqlite3", floor_db)
            b.note("floor: the same rows by executemany")
            _rows, floor_s = b.floor_insert(before=work / "empty.sqlite3", after=db_path, target=floor_db)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{floor_db}{suffix}").unlink(missing_ok=True)
        seconds = built["build_s"]
        b.line(**{
            "demo_city_s": seconds, "target": f"<{TARGET_S}_at_1M",
            "projected_1M_s": seconds * TARGET_HOUSEHOLDS / n,
            "floor_s": floor_s, "ratio": b.ratio(seconds, floor_s),
            "households_per_s": n / seconds, "db_mb": size_mb, "households": n, "people": people,
            "rows": sum(added.values()), "migrate_s": built["migrate_s"],
            "meets_target": ("yes" if seconds < TARGET_S else "no") if n >= TARGET_HOUSEHOLDS
            else "not_at_scale",
        })
        b.note("rows added: " + ", ".join(f"{t} {c}" for t, c in sorted(added.items(), key=lambda x: -x[1])))
        (work / "empty.sqlite3").unlink(missing_ok=True)
        if b.adopt_as_cache(work, n, built):
            b.note(f"kept as the cached database {b.cache_dir(n)}")
    finally:
        if work.exists():
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
