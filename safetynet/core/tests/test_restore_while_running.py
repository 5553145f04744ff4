"""`safetynet restore` refuses to replace the data under a running `safetynet run`, and works once it
has stopped; a server does not start while a restore holds the data folder."""

import signal
import subprocess

import pytest
from django.core.management import CommandError, call_command

from safetynet.core.serverlock import nothing_running, server_running
from safetynet.core.tests.test_run_command import CLI, Running, environment  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def cli(env, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *arguments], env=env, capture_output=True, text=True, timeout=120)


def test_restore_is_refused_while_run_serves_and_goes_ahead_after(environment, tmp_path):  # noqa: F811
    archive = tmp_path / "before.tar.gz"
    assert cli(environment, "backup", "--output", str(archive)).returncode == 0
    running = Running(environment)
    try:
        running.wait_until_ready()
        refused = cli(environment, "restore", str(archive), "--yes")
        assert refused.returncode != 0
        assert "safetynet 正在运行" in refused.stderr and "Nothing was changed" in refused.stderr
        assert running.get("/healthz")[0] == 200  # the running site was left alone
        # Verifying an archive changes nothing, so it is allowed while the site runs.
        assert cli(environment, "restore", str(archive), "--check").returncode == 0

        running.process.send_signal(signal.SIGINT)
        assert running.process.wait(timeout=15) == 0
    finally:
        running.stop()
    restored = cli(environment, "restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr


def test_the_restore_command_is_refused_while_a_server_holds_the_lock(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with server_running(), pytest.raises(CommandError, match="safetynet is running"):
        call_command("restore", tmp_path / "any.tar.gz", yes=True, verbosity=0)


def test_a_server_does_not_start_during_a_restore(environment):  # noqa: F811
    from pathlib import Path

    from django.test import override_settings

    with override_settings(DATA_DIR=Path(environment["SAFETYNET_DATA_DIR"])), nothing_running():
        serve = cli(environment, "serve", "--port", "1")
        worker = cli(environment, "worker")
    assert serve.returncode != 0 and "恢复" in serve.stderr
    assert worker.returncode != 0 and "恢复" in worker.stderr
