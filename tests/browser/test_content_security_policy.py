"""Under the Content-Security-Policy every page still works in a real browser: logging in, the
search that updates in place (htmx), revealing a number in place, the export link that keeps the
filters typed since the page loaded — and the browser reports no blocked script, style or request."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Lanshan-2022-winter"  # noqa: S105 — a test account
BORN = datetime.date(1962, 3, 8)


def watch_for_blocked(page) -> list[str]:
    """Messages of everything the policy blocked on this page (Chromium reports each on the console)."""
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: blocked.append(str(error)))
    return blocked


def test_the_pages_work_under_the_policy(page, live_server, make_household, lanshan_village):
    officer = user(Role.COUNTY_BUREAU, "371302", username="lanshan.officer", password=PASSWORD)
    wanted = make_household(lanshan_village, officer, members=[("赵四海", 1, "02", BORN)])
    make_household(lanshan_village, officer, members=[("钱五", 2, "02", BORN)])
    blocked = watch_for_blocked(page)

    response = page.goto("/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("input[name=username]").fill("lanshan.officer")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.goto("/registry/")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    page.locator("#id_q").fill("赵四海")  # htmx: the results change in place
    expect(page.locator("#results tbody tr")).to_have_count(1)
    export = page.locator("a[data-current-query]")
    export.click()  # the link takes the query the search pushed into the address bar
    expect(page).to_have_url(re.compile(r"/registry/households/export/\?(.*&)?q=%E8%B5%B5%E5%9B%9B%E6%B5%B7"))

    page.goto(f"/registry/households/{wanted.pk}/")
    head = wanted.head
    page.locator(f"#ids-{head.pk}").get_by_role("button").click()  # htmx POST with the CSRF header
    expect(page.locator(f"#ids-{head.pk}")).to_contain_text(head.id_number)

    assert blocked == []
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None  # no personal data kept
