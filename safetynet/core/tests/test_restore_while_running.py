"""`safetynet restore` refuses to replace the data under a running `safetynet run`, and works once it
has stopped; a server does not start while a restore holds the data folder. And a plain-HTTP demo
run lets people log in only when it says it is one (`--plain-http`)."""

import http.cookiejar
import re
import signal
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from safetynet.core.demo import DEMO_PASSWORD
from safetynet.core.serverlock import nothing_running, server_running
from safetynet.core.tests.test_run_command import CLI, Running, environment, free_port  # noqa: F401 — fixture

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


class RunningWith(Running):
    """`safetynet run` with extra options."""

    def __init__(self, env: dict, *options: str):
        self.port = free_port()
        self.process = subprocess.Popen([*CLI, "run", "--port", str(self.port), *options], env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()


def log_in_like_a_browser(port: int) -> int:
    """Log in as the demo city user over plain HTTP with a cookie jar that, like a browser on another
    address than localhost, never sends a Secure cookie over plain HTTP; the status of the login."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    base = f"http://127.0.0.1:{port}"
    form = opener.open(f"{base}/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "city",
                                   "password": DEMO_PASSWORD}).encode()
    try:
        return opener.open(urllib.request.Request(f"{base}/login/", data=data), timeout=10).status  # noqa: S310
    except urllib.error.HTTPError as answer:
        return answer.code


@pytest.mark.parametrize(("options", "status"), [((), 403), (("--plain-http",), 302)])
def test_a_plain_http_demo_must_say_so_to_let_people_log_in(environment, options, status):  # noqa: F811
    running = RunningWith(environment, *options)
    try:
        running.wait_until_ready()
        # Without --plain-http the cookies are Secure: a browser does not send them back over plain
        # HTTP, so the login is refused (CSRF); with it, the demo login works and says it is a demo.
        assert log_in_like_a_browser(running.port) == status
        assert ("--plain-http" in running.output) == (not options)
    finally:
        running.stop()
