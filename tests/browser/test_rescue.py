"""Street rescue in a real browser on the ASGI server (issue 16, "Done when"): at night a duty
officer logs a hotline call and sends the nearest team; the team's phone shows the order within a
second and the team page redraws with the incident; a second officer's duty board shows the team out
without a reload; the team records a refusal with a coat and food and a revisit; a member of the
public reports through the public page."""

import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Role
from safetynet.rescue import services
from safetynet.rescue.models import StreetContact, StreetIncident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
LANSHAN = "371302"


def test_a_dispatch_reaches_the_team_and_the_other_board_at_once(asgi_server, logged_in_page):
    officer = user(Role.RESCUE_STATION, LANSHAN, username="duty_officer")
    colleague = user(Role.COUNTY_BUREAU, LANSHAN, username="county_officer")
    member = user(Role.RESCUE_STATION, LANSHAN, username="team_member")
    near = services.team_create(actor=officer, county=LANSHAN, name="沂河一队", vehicle="鲁Q·12345",
                                base=(Decimal("35.07"), Decimal("118.34")), members=[member])
    services.team_create(actor=officer, county=LANSHAN, name="北城二队",
                         base=(Decimal("35.30"), Decimal("118.60")))

    phone = logged_in_page(member, base_url=asgi_server.url)
    phone.set_viewport_size({"width": 390, "height": 800})
    phone.goto("/rescue/team/")
    expect(phone.locator("#no-incident")).to_be_visible()
    expect(phone.locator("#live")).to_have_attribute("data-state", "open")
    board = logged_in_page(colleague, base_url=asgi_server.url)
    board.goto("/rescue/")
    expect(board.locator("#live")).to_have_attribute("data-state", "open")

    duty = logged_in_page(officer, base_url=asgi_server.url)
    duty.goto("/rescue/")
    form = duty.locator("#call-form")
    form.get_by_label("地点").fill("沂河大桥下西侧")
    form.get_by_label("纬度").fill("35.071")
    form.get_by_label("经度").fill("118.341")
    form.get_by_label("来电人所见情况").fill("男，约60岁，红色外套，躺在纸板上")
    form.get_by_label("来电人电话").fill("13800000000")
    form.get_by_role("button", name="登记").click()
    expect(duty.locator("#incident-state")).to_have_text("已接报")
    # The other officer's board shows the new call without a reload.
    expect(board.locator("#open-incidents")).to_contain_text("沂河大桥下西侧")

    options = duty.locator("#dispatch-form select[name=team] option").all_inner_texts()
    assert options[0].startswith("沂河一队"), options  # the nearest team first
    started = time.monotonic()
    duty.locator("#dispatch-form").get_by_role("button", name="派出").click()
    notice = phone.locator(".live__notice", has_text="沂河大桥下西侧")
    expect(notice).to_be_visible(timeout=3000)
    arrived = time.monotonic() - started
    assert arrived < 1.5, f"the team's phone heard after {arrived:.2f} s"
    expect(phone.locator("#current-incident")).to_contain_text("沂河大桥下西侧")
    expect(board.locator("#open-incidents")).to_contain_text("已派队")
    expect(board.locator(f"#teams tr[data-team='{near.pk}']")).to_have_attribute("data-state", "dispatched")

    # The team opens the incident from the notice and records a refusal with supplies.
    notice.locator("a").click()
    phone.locator("#arrive-form button").click()
    expect(phone.locator("#incident-state")).to_have_text("救助队伍到场")
    contact = phone.locator("#contact-form")
    contact.get_by_label("拒绝入站：发放物资").check()
    contact.locator("#id_description").fill("男，约60岁，红色外套")
    contact.get_by_label("已发救助联系卡").check()
    contact.locator("#id_give_coat").fill("1")
    contact.locator("#id_give_food").fill("2")
    contact.get_by_role("button", name="保存接触情况").click()
    expect(phone.locator("#contacts")).to_contain_text("棉衣 × 1")
    expect(phone.locator("#incident-state")).to_have_text("已办结")
    saved = StreetContact.objects.get()
    assert saved.outcome == "refused" and saved.revisit_due_at is not None
    expect(board.locator("#closed-incidents")).to_contain_text("沂河大桥下西侧")
    expect(board.locator("#open-incidents")).to_contain_text("没有未办结的求助")


def test_the_public_reports_without_a_login(live_server, page):
    page.goto(live_server.url + "/public/rescue/")
    page.get_by_role("button", name="发送报告").click()
    expect(page.locator("#report-form")).to_contain_text("请说明当事人在哪里")
    page.locator("#id_description").fill("桥洞里有位老人，衣着单薄")
    page.locator("#id_division").select_option(LANSHAN)
    page.locator("#id_place").fill("沂河大桥桥洞")
    page.get_by_role("button", name="发送报告").click()
    reference = StreetIncident.objects.get().reference
    expect(page.locator("#report-reference")).to_contain_text(reference)
