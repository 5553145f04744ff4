"""The rescue station in a real browser (issue 17, "Done when"): the keeper issues coats and the
stock falls below its minimum, which the page and the work desk say; a day of the roster without a
leader on duty is flagged on the desk; a double booking is refused with the reason beside the field;
the leader signs the handover of the shift."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import user
from safetynet.core.models import Division, Role
from safetynet.institutions.services import institution_create
from safetynet.rescue.models import DutyShift
from safetynet.rescue.station import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
LANSHAN = "371302"


def test_low_coats_and_a_leader_gap_reach_the_desk_and_the_leader_signs(live_server, logged_in_page):
    county = user(Role.COUNTY_BUREAU, LANSHAN, username="county_leader")
    keeper = user(Role.RESCUE_STATION, LANSHAN, username="station_duty")
    station = institution_create(
        actor=county,
        division=Division.objects.get(code="371302001"),
        data={"name": "兰山区救助管理站", "kind": "rescue_station", "address": "沂河路1号"},
    )
    services.stock_receive(actor=keeper, station_id=station.pk, item="coat", quantity=12, cost="2160")
    services.stock_minimum_set(actor=keeper, station_id=station.pk, item="coat", minimum=10)
    begun = timezone.now() - datetime.timedelta(hours=2)
    services.shift_book(
        actor=keeper,
        station_id=station.pk,
        post="leader",
        user_id=county.pk,
        starts_at=begun - datetime.timedelta(hours=20),
        ends_at=begun,
    )
    services.shift_book(
        actor=keeper,
        station_id=station.pk,
        post="officer",
        user_id=keeper.pk,
        starts_at=begun,
        ends_at=begun + datetime.timedelta(hours=12),
    )

    page = logged_in_page(keeper, base_url=live_server.url)
    page.goto(f"/rescue/stations/{station.pk}/")
    form = page.locator("#issue-form")
    form.get_by_label("物品").select_option("coat")
    form.get_by_label("数量").fill("3")
    form.get_by_label("领用人").fill("站内受助人员")
    form.get_by_role("button", name="发放").click()
    expect(page.locator("#stock tr[data-item='coat']")).to_contain_text("低于最低库存")
    expect(page.locator("#roster-gaps")).to_contain_text("没有带班领导")

    # The same person twice at once: refused beside the field, nothing booked.
    shift = page.locator("#shift-form")
    shift.get_by_label("岗位").select_option("leader")
    shift.get_by_label("值班人").select_option(str(keeper.pk))
    local = timezone.localtime(begun + datetime.timedelta(hours=1))
    shift.get_by_label("从").fill(local.strftime("%Y-%m-%dT%H:%M"))
    shift.get_by_label("到").fill((local + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"))
    shift.get_by_role("button", name="排入值班表").click()
    expect(page.locator("#shift-form")).to_contain_text("重复排班")
    assert DutyShift.objects.count() == 2

    page.goto("/desk/")
    expect(page.locator("main")).to_contain_text("排班表缺少带班领导")
    page.goto("/")
    expect(page.locator("main")).to_contain_text("救助站物资低于最低库存")

    leader = logged_in_page(county, base_url=live_server.url)
    leader.goto(f"/rescue/stations/{station.pk}/")
    sign = leader.locator("form[id^=sign-]")
    sign.get_by_label("交接班记录").fill("夜间接警2起，均已处置；棉衣库存不足，请补充。")
    sign.get_by_role("button", name="签署交接班记录").click()
    expect(leader.locator("#shifts")).to_contain_text("棉衣库存不足")
    assert DutyShift.objects.get(post="leader").signed_at is not None


def test_an_unknown_man_is_admitted_searched_for_and_collected_with_the_form_printed(
    live_server, logged_in_page
):
    from safetynet.core.ids import make_id_number
    from safetynet.rescue.models import StationStay

    county = user(Role.COUNTY_BUREAU, LANSHAN, username="county_leader")
    keeper = user(Role.RESCUE_STATION, LANSHAN, username="station_duty")
    station = institution_create(
        actor=county,
        division=Division.objects.get(code="371302001"),
        data={"name": "兰山区救助管理站", "kind": "rescue_station", "address": "沂河路1号"},
    )
    page = logged_in_page(keeper, base_url=live_server.url)
    page.goto(f"/rescue/stations/{station.pk}/")
    arrival = page.locator("#arrival-form")
    arrival.get_by_label("来站方式").select_option("patrol")
    arrival.get_by_label("体貌、衣着特征").fill("男，约60岁，红色外套，说不清家在哪里")
    arrival.get_by_label("代管物品").fill("编织袋一个")
    arrival.get_by_role("button", name="登记并甄别").click()
    expect(page.locator("#case-state")).to_have_text("甄别")

    # Admitting before the registration form is printed: refused with the reason.
    page.locator("form.case-move[data-step=admit] button").click()
    expect(page.locator("main")).to_contain_text("请先打印《求助登记表》")
    page.go_back()
    page.reload()
    with page.expect_download() as registration:
        page.locator("#stay-forms li[data-form=registration] button", has_text="PDF").click()
    assert registration.value.suggested_filename.endswith(".pdf")
    page.reload()
    page.locator("form.case-move[data-step=admit] button").click()
    expect(page.locator("#case-state")).to_have_text("在站")
    expect(page.locator("#family-search")).to_contain_text("请在")
    with page.expect_download():
        page.locator("#stay-forms li[data-form=family_search] button", has_text="PDF").click()
    page.reload()
    expect(page.locator("#family-search")).to_contain_text("寻亲公告已于")

    collector = page.locator("#collector-form")
    collector.locator("#collector_collector_name").fill("王建国")
    collector.get_by_label("关系").fill("儿子")
    collector.get_by_label("接领人身份证号").fill(make_id_number("371324", datetime.date(1982, 3, 5), 13))
    collector.get_by_role("button", name="登记接领人").click()
    expect(page.locator("#collector")).to_contain_text("王建国")
    with page.expect_download():
        page.locator("#stay-forms li[data-form=exit_register] button", has_text="PDF").click()
    page.reload()
    page.locator("form.case-move[data-step=collect] button").click()
    expect(page.locator("#case-state")).to_have_text("亲属接回")
    assert StationStay.objects.get().left_at is not None
