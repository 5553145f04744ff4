"""SQLite as configured in settings: WAL, a busy timeout and IMMEDIATE transactions, so a background
job holding a write transaction makes staff wait a moment instead of failing with "database is locked".

The suite's own test database may be in memory (or PostgreSQL), so each check runs tests/sqlite_probe.py
in fresh processes that load safetynet.settings with no DATABASE_URL and their data folder in tmp_path:
the configuration `make demo` runs with, on a real file.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).with_name("sqlite_probe.py")


def environment(data_dir: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SAFETYNET_MEDIA_ROOT"}}
    return {**env, "SAFETYNET_DATA_DIR": str(data_dir), **extra}


def start(data_dir: Path, *args: str, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, PROBE, *args], cwd=ROOT, env=environment(data_dir, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def outcome(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def two_writers(data_dir: Path, **extra) -> tuple[dict, dict]:
    # The database exists, in WAL mode, before either writer starts: two processes creating the
    # same new file at once race for its first lock, which is not the scenario measured here.
    db = sqlite3.connect(data_dir / "safetynet.sqlite3")
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, who TEXT)")
        db.commit()
    finally:
        db.close()
    slow = start(data_dir, "slow-writer", str(data_dir), **extra)
    quick = start(data_dir, "quick-writer", str(data_dir), **extra)
    return outcome(slow), outcome(quick)


def rows(data_dir: Path) -> list[str]:
    db = sqlite3.connect(data_dir / "safetynet.sqlite3")
    try:
        return sorted(who for (who,) in db.execute("SELECT who FROM visits"))
    finally:
        db.close()


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_immediate_transactions(tmp_path):
    values = outcome(start(tmp_path, "pragmas"))

    assert values["vendor"] == "sqlite"
    assert Path(values["name"]) == tmp_path / "safetynet.sqlite3"
    assert values["journal_mode"] == "wal"
    assert values["busy_timeout"] >= 5000
    assert values["synchronous"] == 1  # NORMAL: safe with WAL, no fsync on every commit
    assert values["foreign_keys"] == 1
    assert values["second_writer_blocked"], "BEGIN did not take the write lock: not IMMEDIATE"


def test_a_writer_holding_a_transaction_makes_the_next_writer_wait_not_fail(tmp_path):
    slow, quick = two_writers(tmp_path)

    assert slow == {"ok": True}
    assert quick["ok"], quick
    assert quick["waited"] >= 0.7, "the second writer should have waited for the first to commit"
    assert rows(tmp_path) == ["background job", "staff member"]


def test_control_the_same_writers_fail_with_deferred_transactions(tmp_path):
    # Shows the scenario above is the one IMMEDIATE guards against, not one that always passes.
    slow, quick = two_writers(tmp_path, TEST_TRANSACTION_MODE="DEFERRED")

    assert quick["ok"], quick
    assert not slow["ok"] and "locked" in slow["error"]
    assert rows(tmp_path) == ["staff member"]
