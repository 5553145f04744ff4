"""`safetynet run` as an operator starts it: a real process with its web server and task worker."""

import contextlib
import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from safetynet.core.management.commands.run import DEMO_PASSWORD

CLI = [sys.executable, "-m", "safetynet.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child not yet reaped by anyone is a zombie: dead all the same.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """A fresh data directory with a migrated SQLite database and a tiny demo city."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"SAFETYNET_DATA_DIR": str(tmp_path_factory.mktemp("run-data")), "PYTHONUNBUFFERED": "1"}
    subprocess.run([*CLI, "migrate", "--no-input"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(
        [*CLI, "demo-city", "--households", "10", "--seed", "1"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env


class Running:
    """`safetynet run` started in the background, its output collected line by line."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [*CLI, "run", "--port", str(self.port)],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_ready(self, timeout: float = 30) -> dict[str, int]:
        """Wait for /healthz and the announcement; return the children's pids by name."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output
            if "Ctrl-C" in self.output and self.get("/healthz")[0] == 200:
                # The command speaks the site's language (Chinese): look for the lines as it prints them.
                with translation.override(settings.LANGUAGE_CODE):
                    line = gettext("%(name)s: pid %(pid)s")
                    printed = {
                        key: line % {"name": gettext(key), "pid": ""}
                        for key in ("web server", "task worker", "scheduler")
                    }
                found = {
                    key: re.search(re.escape(text) + r"(\d+)", self.output) for key, text in printed.items()
                }
                return {key: int(match.group(1)) for key, match in found.items() if match}
            time.sleep(0.2)
        raise AssertionError(f"not ready in {timeout} s:\n{self.output}")

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.getheader("Location") or response.read().decode()
        except OSError:
            return 0, ""
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_run_serves_the_site_and_ctrl_c_stops_server_and_worker(environment):
    running = Running(environment)
    try:
        pids = running.wait_until_ready()
        assert set(pids) == {"web server", "task worker", "scheduler"}
        assert all(alive(pid) for pid in pids.values())
        # The scheduler runs what is due at once: the nightly purge of expired logins, due last night.
        assert wait_for_run(environment, "core.clear_sessions") == "done"
        status, location = running.get("/")
        assert status == 302 and location.startswith("/login/")
        assert running.get("/healthz") == (200, '{"status": "ok", "database": "sqlite"}')
        assert f"http://127.0.0.1:{running.port}/" in running.output
        assert DEMO_PASSWORD in running.output and re.search(r"^\s+city\s", running.output, re.M)

        running.process.send_signal(signal.SIGINT)
        assert running.process.wait(timeout=15) == 0
        assert not any(alive(pid) for pid in pids.values())
        assert running.get("/healthz")[0] == 0
    finally:
        running.stop()


def wait_for_run(env: dict, job: str, timeout: float = 20) -> str | None:
    """The outcome of the job's latest run as the scheduler recorded it, once it is over."""
    database = os.path.join(env["SAFETYNET_DATA_DIR"], "safetynet.sqlite3")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:
            row = db.execute("SELECT outcome FROM core_recurringjobrun WHERE job = ? ORDER BY due_at DESC",
                             (job,)).fetchone()
        if row and row[0] != "running":
            return row[0]
        time.sleep(0.3)
    return None


def test_when_the_worker_dies_the_web_server_is_stopped_and_run_fails(environment):
    running = Running(environment)
    try:
        pids = running.wait_until_ready()
        os.kill(pids["task worker"], signal.SIGKILL)
        assert running.process.wait(timeout=15) != 0
        assert not alive(pids["web server"])
        assert running.get("/healthz")[0] == 0
    finally:
        running.stop()
