"""`safetynet serve`: only the web server (waitress serving Django's WSGI application; WhiteNoise
serves static files)."""

import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property, so that it is translated when shown
        return _("Run only the web server. Use `safetynet run` to start the task worker with it.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
        parser.add_argument("--port", type=int, default=None, help=_("port (default: $PORT, else 8000)"))
        parser.add_argument("--threads", type=int, default=8, help=_("worker threads (default 8)"))
        parser.add_argument("--quiet", action="store_true", help=_("do not print the address"))
        add_plain_http_argument(parser)

    def handle(self, *args, host: str, port: int | None, threads: int, quiet: bool, plain_http: bool = False,
               **options):
        if plain_http:  # before the first request: the cookie settings are read per response
            settings.PLAIN_HTTP = True
            settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
        try:
            with server_running():
                self._serve(host, port, threads, quiet)
        except Busy:
            raise CommandError(restore_in_progress()) from None

    def _serve(self, host: str, port: int | None, threads: int, quiet: bool) -> None:
        from waitress.server import create_server

        from safetynet.core.wsgi import loaded_application

        application = loaded_application()
        port = default_port() if port is None else port
        try:
            server = create_server(application, host=host, port=port, threads=threads, ident="safetynet")
        except OSError as error:
            raise CommandError(_("Cannot listen on %(host)s:%(port)s: %(error)s")
                               % {"host": host, "port": port, "error": error}) from None

        # waitress stops cleanly on SystemExit: turn SIGTERM (from `safetynet run`, systemd, docker)
        # into one, as Ctrl-C already is.
        def stop(signum, frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        if not quiet:
            self.stdout.write(_("Web server listening on http://%(host)s:%(port)s/ — Ctrl-C stops it.")
                              % {"host": host, "port": port})
            self.stdout.write(cookie_notice(settings.PLAIN_HTTP))
        server.run()
