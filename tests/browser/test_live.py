"""Live notices (core.live) in a real browser on the real ASGI server: a notice appears on another
user's open page within a second, and a page whose stream dropped catches up when it returns."""

import itertools
import time

import pytest
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.core.workflows.services import case_open

_numbers = itertools.count(1)
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _report(grid_worker, division, title):
    return case_open(actor=grid_worker, workflow_code="registry.problem", division_code=division, title=title,
                     subject_kind="test.thing", subject_id=next(_numbers))


def test_a_notice_reaches_an_open_desk_within_a_second_and_survives_a_dropped_stream(
        asgi_server, logged_in_page):
    lanshan = village(LANSHAN_TOWNSHIP + "201")
    officer = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, username="township_officer")
    grid_worker = user(Role.GRID_WORKER, lanshan.code, username="grid_worker")
    page = logged_in_page(officer, base_url=asgi_server.url)
    page.goto("/desk/")
    expect(page.locator("#live")).to_have_attribute("data-state", "open")

    started = time.monotonic()
    _report(grid_worker, lanshan.code, "电线老化，插座发热")
    notice = page.locator(".live__notice", has_text="电线老化，插座发热")
    expect(notice).to_be_visible(timeout=3000)
    arrived = time.monotonic() - started
    assert arrived < 1.0, f"the notice took {arrived:.2f} s"
    assert "您的工作台有新事项" in notice.inner_text()
    expect(page.locator("#inbox-unread")).to_contain_text("1")
    # The desk redrew itself with the new case, without a reload.
    expect(page.locator("#main")).to_contain_text("电线老化，插座发热")

    asgi_server.stop()  # the stream drops; a notice comes while the page has none
    _report(grid_worker, lanshan.code, "煤炉无烟囱")
    expect(page.locator("#live")).to_have_attribute("data-state", "lost")
    asgi_server.start()
    expect(page.locator(".live__notice", has_text="煤炉无烟囱")).to_be_visible(timeout=15_000)
    expect(page.locator("#inbox-unread")).to_contain_text("2")
    # Caught up once: the first notice is not sent again.
    assert page.locator(".live__notice", has_text="电线老化，插座发热").count() == 1
