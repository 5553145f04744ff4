"""Run by tests/test_sqlite_settings.py in a fresh process: safetynet.settings as `make demo` loads it.

    python tests/sqlite_probe.py pragmas
    python tests/sqlite_probe.py slow-writer FOLDER
    python tests/sqlite_probe.py quick-writer FOLDER

The two writers meet through files in FOLDER: the quick one says it is up, the slow one then
starts its transaction and says so, and the quick one writes at once.

Prints one JSON line. TEST_TRANSACTION_MODE=DEFERRED overrides the setting (the control experiment).
"""

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "safetynet.settings"

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if os.environ.get("TEST_TRANSACTION_MODE") == "DEFERRED":
    settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = "DEFERRED"
django.setup()

from django.db import connection, transaction  # noqa: E402


def pragmas() -> dict:
    values = {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])}
    with connection.cursor() as cursor:
        for pragma in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys"):
            cursor.execute(f"PRAGMA {pragma}")
            values[pragma] = cursor.fetchone()[0]
    # A transaction that has written nothing yet already holds the write lock if it began IMMEDIATE.
    with transaction.atomic():
        connection.cursor().execute("SELECT 1")
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            values["second_writer_blocked"] = False
        except sqlite3.OperationalError as error:
            values["second_writer_blocked"] = "locked" in str(error)
        finally:
            other.close()
    return values


# Both writers read before they write, as services do (check, then save). With DEFERRED transactions
# the slow writer's snapshot goes stale when the quick one commits and its write fails at once
# (SQLITE_BUSY_SNAPSHOT: no busy timeout helps); with IMMEDIATE the quick one waits its turn.

def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting for {path.name}")
        time.sleep(0.005)


def slow_writer(folder: Path) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, who TEXT)")
    wait_for(folder / "quick-writer-is-up")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM visits")
            (folder / "slow-writer-holds-a-transaction").touch()
            time.sleep(1.0)
            cursor.execute("INSERT INTO visits (who) VALUES ('background job')")
    except Exception as error:  # noqa: BLE001 — the outcome is what the test reads
        return {"ok": False, "error": str(error)}
    return {"ok": True}


def quick_writer(folder: Path) -> dict:
    connection.ensure_connection()
    (folder / "quick-writer-is-up").touch()
    wait_for(folder / "slow-writer-holds-a-transaction")
    started = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM visits")
            cursor.execute("INSERT INTO visits (who) VALUES ('staff member')")
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": str(error)}
    return {"ok": True, "waited": time.monotonic() - started}


if __name__ == "__main__":
    action = sys.argv[1]
    if action == "pragmas":
        print(json.dumps(pragmas()))
    elif action == "slow-writer":
        print(json.dumps(slow_writer(Path(sys.argv[2]))))
    elif action == "quick-writer":
        print(json.dumps(quick_writer(Path(sys.argv[2]))))
    else:
        sys.exit(f"unknown action {action!r}")
