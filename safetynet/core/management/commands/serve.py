"""`safetynet serve`: only the web server — uvicorn serving Django's ASGI application with one
worker process per core (WhiteNoise serves static files), over HTTPS when given a certificate.

uvicorn rather than granian: both serve the same ASGI application at the same speed here (the cost
is Django's); uvicorn is the most widely run, is pure Python where its compiled parts are missing,
and its supervisor restarts a worker that dies."""

import os
import socket

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from safetynet.core import hooks
from safetynet.core.serverlock import Busy, lock_path, server_running


def default_port() -> int:
    try:
        return int(os.environ.get("PORT", "8000"))
    except ValueError:
        raise CommandError(_("PORT must be a number, not %(value)r.")
                           % {"value": os.environ["PORT"]}) from None


def add_plain_http_argument(parser) -> None:
    parser.add_argument("--plain-http", action="store_true",
                        help=_("a demo over plain HTTP: login cookies are not marked Secure "
                               "(never for real data; same as SAFETYNET_PLAIN_HTTP=1)"))


def cookie_notice(plain_http: bool) -> str:
    if plain_http:
        return _("Plain HTTP (demo): login cookies are not marked Secure. Do not use this for real data; "
                 "in service, put safetynet behind HTTPS.")
    return _("Login cookies are sent over HTTPS only. For a demo over plain HTTP on this computer, "
             "start with --plain-http.")


def restore_in_progress() -> str:
    return _("A restore is running on this data folder (%(lock)s). Start safetynet again when it has "
             "finished.") % {"lock": lock_path()}


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def add_server_arguments(parser) -> None:
    """The options `serve` and `run` share."""
    parser.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
    parser.add_argument("--port", type=int, default=None, help=_("port (default: $PORT, else 8000)"))
    parser.add_argument("--workers", type=int, default=None,
                        help=_("web server processes (default: one per core)"))
    parser.add_argument("--certfile", default="", help=_("serve HTTPS with this certificate (PEM)"))
    parser.add_argument("--keyfile", default="", help=_("the certificate's private key (PEM)"))
    add_plain_http_argument(parser)


def check_server_arguments(workers: int | None, certfile: str, keyfile: str) -> int:
    """The number of worker processes; a clear refusal for options that cannot work."""
    if workers is not None and not 1 <= workers <= 64:
        raise CommandError(_("--workers must be between 1 and 64."))
    if bool(certfile) != bool(keyfile):
        raise CommandError(_("HTTPS needs both --certfile and --keyfile."))
    for path in (certfile, keyfile):
        if path and not os.path.isfile(path):
            raise CommandError(_("No such file: %(path)s") % {"path": path})
    return workers or usable_cores()


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property, so that it is translated when shown
        return _("Run only the web server. Use `safetynet run` to start the task worker with it.")

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument("--quiet", action="store_true", help=_("do not print the address"))
        parser.add_argument("--public-only", action="store_true",
                            help=_("answer only the public pages, for the server that faces the internet "
                                   "(same as SAFETYNET_PUBLIC_ONLY=1)"))

    def handle(self, *args, host: str, port: int | None, workers: int | None, certfile: str, keyfile: str,
               quiet: bool, plain_http: bool = False, public_only: bool = False, **options):
        workers = check_server_arguments(workers, certfile, keyfile)
        if public_only:
            os.environ["SAFETYNET_PUBLIC_ONLY"] = "1"
            settings.PUBLIC_ONLY = True
        if plain_http:
            # The worker processes are started afresh and read their settings from the environment.
            os.environ["SAFETYNET_PLAIN_HTTP"] = "1"
            settings.PLAIN_HTTP = True
        try:
            with server_running():
                self._serve(host, port, workers, certfile, keyfile, quiet)
        except Busy:
            raise CommandError(restore_in_progress()) from None

    def _serve(self, host: str, port: int | None, workers: int, certfile: str, keyfile: str,
               quiet: bool) -> None:
        import uvicorn

        port = default_port() if port is None else port
        scheme = "https" if certfile else "http"
        config = {
            "host": host, "port": port, "workers": workers, "log_level": "warning", "access_log": False,
            "lifespan": "on", "ws": "none", "server_header": False,
            # Streams end at shutdown (core.asgi); anything else still running gets this long.
            "timeout_graceful_shutdown": 5,
            # The address a request came from, behind SAFETYNET_PROXY_COUNT proxies, is read by
            # core.middleware.client_ip from X-Forwarded-For itself.
            "proxy_headers": False,
        }
        if certfile:
            config.update(ssl_certfile=certfile, ssl_keyfile=keyfile)
        try:
            with socket.create_server((host, port), reuse_port=False):
                pass
        except OSError as error:
            raise CommandError(_("Cannot listen on %(host)s:%(port)s: %(error)s")
                               % {"host": host, "port": port, "error": error}) from None
        if not quiet:
            self.stdout.write(_("Web server listening on %(scheme)s://%(host)s:%(port)s/ with %(workers)s "
                                "processes — Ctrl-C stops it.")
                              % {"scheme": scheme, "host": host, "port": port, "workers": workers})
            self.stdout.write(cookie_notice(settings.PLAIN_HTTP))
            if settings.PUBLIC_ONLY:
                paths = ", ".join(hooks.public_paths()) or _("(none registered yet)")
                self.stdout.write(_("Public pages only: %(paths)s, static files and /healthz. The login page "
                                    "and every staff page answer \"not found\" here.") % {"paths": paths})
        # With one worker uvicorn serves in this process; with more, this process supervises
        # them (a worker that dies is replaced) and each imports the application itself.
        uvicorn.run("safetynet.asgi:application", **config)
