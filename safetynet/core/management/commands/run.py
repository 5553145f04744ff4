"""`safetynet run`: the web server, the task worker and the scheduler of recurring jobs together,
as `make demo` starts them.

All run as child processes of this one, which only watches them: Ctrl-C (SIGINT) or SIGTERM
stops them all; if one dies, the others are stopped and the command exits non-zero.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from safetynet.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from safetynet.core.management.commands.serve import (
    add_server_arguments,
    check_server_arguments,
    cookie_notice,
    default_port,
    restore_in_progress,
)
from safetynet.core.models import Division, Role, User
from safetynet.core.serverlock import Busy, server_running

# The order the logins are listed in: the city, the counties, each township with its village
# staff, then the roles outside the registry.
ROLE_ORDER = [Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.VILLAGE_COORDINATOR,
              Role.GRID_WORKER, Role.RESCUE_STATION, Role.INSPECTOR, Role.INSTITUTION_STAFF,
              Role.SERVICE_PROVIDER, Role.OPERATOR, Role.AUDITOR, Role.FINANCE_OFFICER, Role.CAREGIVER]
LOCAL_ROLES = {Role.TOWNSHIP_OFFICE, Role.VILLAGE_COORDINATOR, Role.GRID_WORKER}
# Township and village logins are many; by default those of two counties are listed in full.
SHOWN_COUNTIES = ("371302", "371321")
STOP_TIMEOUT = 10.0


def demo_logins(*, everything: bool = False) -> tuple[list[tuple[str, str, str]], int]:
    """(username, role, area) of the demo users, from the database; and how many were left out."""
    users = list(User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN, is_active=True)
                 .select_related("division"))
    codes = {u.division_id[:n] for u in users for n in (6, 9, 12) if len(u.division_id) >= n}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    rows, hidden = [], 0
    order = {role: i for i, role in enumerate(ROLE_ORDER)}

    def place(user: User) -> tuple:
        if user.role in LOCAL_ROLES:
            return (order[Role.TOWNSHIP_OFFICE], user.division_id[:9], order[user.role], user.username)
        return (order.get(user.role, 99), user.division_id, 0, user.username)

    for user in sorted(users, key=place):
        code = user.division_id
        if len(code) > 6 and not everything and not code.startswith(SHOWN_COUNTIES):
            hidden += 1
            continue
        area = " ".join(names.get(code[:n], "") for n in (6, 9, 12) if len(code) >= n) or user.division.name
        rows.append((user.username, str(Role(user.role).label), area))
    return rows, hidden


def _columns(text: str) -> int:
    """Width in terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _columns(text))


def _die_with_parent() -> None:
    """In the child: get SIGTERM if `safetynet run` itself is killed (Linux), so nothing lingers."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host if host not in ("0.0.0.0", "::", "") else "127.0.0.1", port),  # noqa: S104
                                      timeout=0.5):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property, so that it is translated when shown
        return _("Start the web server, the background task worker and the scheduler together; "
                 "Ctrl-C stops them.")

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument("--all-logins", action="store_true",
                            help=_("list every demo login, not a selection"))

    def handle(self, *args, host: str, port: int | None, workers: int | None, certfile: str, keyfile: str,
               all_logins: bool, plain_http: bool = False, **options):
        workers = check_server_arguments(workers, certfile, keyfile)
        web = ["--workers", str(workers)]
        if certfile:
            web += ["--certfile", os.path.abspath(certfile), "--keyfile", os.path.abspath(keyfile)]
        try:
            with server_running():
                self._run(host, port, web, all_logins, plain_http or settings.PLAIN_HTTP,
                          "https" if certfile else "http")
        except Busy:
            raise CommandError(restore_in_progress()) from None

    def _run(self, host: str, port: int | None, web: list[str], all_logins: bool, plain_http: bool,
             scheme: str) -> None:
        port = default_port() if port is None else port
        if _listening(host, port):
            raise CommandError(_("Something is already listening on %(host)s:%(port)s. Stop it or choose "
                                 "another port with --port or PORT.") % {"host": host, "port": port})
        stopping: list[int] = []

        def on_signal(signum, frame):
            stopping.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        cli = [sys.executable, "-m", "safetynet.cli"]
        environment = {**os.environ, "SAFETYNET_PLAIN_HTTP": "1"} if plain_http else None
        children: dict[str, subprocess.Popen] = {}
        names = {"web": _("web server"), "worker": _("task worker"), "scheduler": _("scheduler")}
        failed = None
        too_slow = False
        try:
            # Each child in its own session: a Ctrl-C at the terminal reaches only this process,
            # which then stops the children in order.
            children["web"] = subprocess.Popen(
                [*cli, "serve", "--host", host, "--port", str(port), *web, "--quiet"],
                start_new_session=True, preexec_fn=_die_with_parent, env=environment,
            )
            children["worker"] = subprocess.Popen(
                [*cli, "worker"], start_new_session=True, preexec_fn=_die_with_parent, env=environment,
            )
            # The recurring jobs (core.jobs): no cron, no other service.
            children["scheduler"] = subprocess.Popen(
                [*cli, "scheduler"], start_new_session=True, preexec_fn=_die_with_parent, env=environment,
            )
            announced = False
            deadline = time.monotonic() + 30
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        failed = name
                        break
                if failed:
                    break
                if not announced and _listening(host, port):
                    announced = True
                    self._announce(host, port, children, names, all_logins, plain_http, scheme)
                elif not announced and time.monotonic() > deadline:
                    failed, too_slow = "web", True
                    break
                time.sleep(0.2)
        finally:
            self._stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if too_slow:
            raise CommandError(_("The web server did not start listening on %(host)s:%(port)s within 30 "
                                 "seconds, so everything was stopped.") % {"host": host, "port": port})
        if failed:
            code = children[failed].returncode
            raise CommandError(_("The %(name)s stopped (exit status %(code)s), so everything was stopped.")
                               % {"name": names[failed], "code": code})
        self.stdout.write(_("Stopped the web server, the task worker and the scheduler."))

    def _announce(self, host, port, children, names, all_logins, plain_http, scheme) -> None:
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        out = self.stdout
        out.write("")
        out.write(_("safetynet is running at %(scheme)s://%(host)s:%(port)s/")
                  % {"scheme": scheme, "host": shown_host, "port": port})
        out.write(", ".join(_("%(name)s: pid %(pid)s") % {"name": names[n], "pid": c.pid}
                            for n, c in children.items()))
        out.write(cookie_notice(plain_http))
        try:
            rows, hidden = demo_logins(everything=all_logins)
        except DatabaseError:  # not migrated yet: the site itself will say so
            rows, hidden = [], 0
        if rows:
            out.write("")
            out.write(_("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD})
            width_user = max(_columns(r[0]) for r in rows)
            width_role = max(_columns(r[1]) for r in rows)
            for username, role, area in rows:
                out.write(f"  {_pad(username, width_user)}  {_pad(role, width_role)}  {area}")
            if hidden:
                out.write(_("  … and %(count)s more township and village logins (safetynet run --all-logins "
                            "lists them).") % {"count": hidden})
        out.write("")
        out.write(_("Press Ctrl-C to stop."))
        out.flush()

    def _stop(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
