"""Fixtures for the browser tests (`make test-browser`): Playwright driving Debian's Chromium.

- `browser`: one headless Chromium for the session. If it cannot start the tests fail: they never
  skip, or a machine without a browser would look green.
- `page`: a fresh browser context (Chinese locale, the live server as base URL) for one anonymous user.
- `logged_in_page(user)`: a fresh context already logged in as `user`; call it once per user.

Tests using these also need `live_server`, hence `@pytest.mark.django_db(transaction=True,
serialized_rollback=True)` (the division tree comes back after each test) and `@pytest.mark.browser`.
On failure a screenshot is saved to test-results/.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("SAFETYNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the browser tests use a database file, as the system does, not Django's shared
    in-memory test database. The pages save the session on every request while the service worker
    and live stream ask at the same time; in shared-cache memory a second writer is refused at once
    ("table is locked", and Django reports the session as deleted), where a file in WAL mode makes it
    wait its turn on the busy timeout."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "browser.sqlite3")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM calls
    # from a thread with a running loop unless told that this is deliberate. Set only while the
    # browser exists, so the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        try:
            instance = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000,
            )
        except Exception as error:  # noqa: BLE001 — whatever stops the browser fails the tests
            pytest.fail(
                f"Chromium could not start from {CHROMIUM}: {error}\n"
                f"Install it (Debian: apt-get install chromium) or set SAFETYNET_CHROMIUM. "
                f"Browser tests fail rather than skip when there is no browser.",
                pytrace=False,
            )
        yield instance
        instance.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser, live_server, request):
    """new_context(**options) → a BrowserContext on the live server; closed (with a screenshot of
    each page if the test failed) when the test ends."""
    contexts = []

    def make(**options):
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "base_url": live_server.url,
                   "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for number, context in enumerate(contexts):
        if failed:
            RESULTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
            for page_number, page in enumerate(context.pages):
                page.screenshot(path=RESULTS / f"{name}-{number}-{page_number}.png", full_page=True)
        context.close()


@pytest.fixture
def page(new_context):
    """An anonymous visitor's page."""
    return new_context().new_page()


@pytest.fixture
def logged_in_page(new_context, live_server):
    """logged_in_page(user, **context_options) → a Page whose session is logged in as `user`.

    The session is made server-side (no login form, no lockout counting), so tests about other
    pages do not depend on the login page.
    """

    def make(user, **options):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        context = new_context(**options)
        context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }])
        return context.new_page()

    return make


@pytest.fixture
def shot():
    """shot(page, name) saves a full-page screenshot to $SAFETYNET_SHOTS/name.png when that variable
    names a directory (for a person to look at the pages); otherwise it does nothing."""
    folder = os.environ.get("SAFETYNET_SHOTS")

    def take(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)

    return take


class AsgiServer:
    """The real ASGI application (as `safetynet serve` runs it) under uvicorn on a thread of this
    process, on the test database: for what a WSGI live server cannot do (the live stream).
    `stop()` and `start()` again on the same address drop every open stream, as a restart does."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://localhost:{self.port}"  # the host the live server's cookies are for
        self.server = self.thread = None

    def start(self):
        import threading
        import time

        import uvicorn

        from safetynet.core.asgi import loaded_asgi_application

        config = uvicorn.Config(loaded_asgi_application(), host="127.0.0.1", port=self.port, lifespan="off",
                                log_level="warning", ws="none", timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the ASGI server did not start"
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def asgi_server(live_server):
    server = AsgiServer()
    server.start()
    yield server
    server.stop()
