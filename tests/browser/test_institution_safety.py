"""Issue 13's "Done when", walked in the browser as the people named: the city bureau opens the
winter safety campaign and sets a county's target; it assigns an inspection to a contracted
inspector, who inspects the institution on a phone — losing the connection halfway and finishing
without losing an answer — and raises a gas-heating hazard; the institution uploads a photo of the
fitted CO alarm and reports it rectified; the inspector verifies and closes it; a major hazard is
planned, listed for supervision and verified to closure; the rectification notice prints; the
statistics page shows the briefing's kinds of figures and the campaign its progress."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser.test_visits import PHONE, _jpeg_file, _signal_back, _signal_lost, _until
from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.grants import grant_create
from safetynet.core.models import Division, Role
from safetynet.institutions.inspections.services import hazard_raise
from safetynet.institutions.models import Hazard, Inspection
from safetynet.institutions.services import institution_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FINE = {
    "gas_heater": "ok",
    "co_alarm": "all",
    "co_alarm_tested": "ok",
    "appliances": "ok",
    "wiring": "ok",
    "overload": "ok",
    "short_circuit": "ok",
    "ebikes": "ok",
    "extinguishers": "ok",
    "smoke_detectors": "ok",
    "evacuation": "ok",
    "kitchen_gas": "ok",
    "colour_steel": "ok",
    "boiler": "ok",
    "anti_slip": "ok",
    "night_watch": "ok",
    "emergency_plan": "ok",
}


def _check(form, item: str, value: str) -> None:
    form.locator(f"#item-{item} input[value={value}]").check()


def test_the_winter_campaign_from_inspection_on_a_phone_to_verified_closure(
    logged_in_page, asgi_server, settings, tmp_path, shot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    city_user = user(Role.CITY_BUREAU, "3713")
    county_user = user(Role.COUNTY_BUREAU, "371302")
    inspector_user = user(Role.INSPECTOR, "3713")
    staff_user = user(Role.INSTITUTION_STAFF, "371302")
    home = institution_create(
        actor=county_user,
        division=Division.objects.get(code=LANSHAN_TOWNSHIP),
        data={
            "name": "兰山街道敬老院",
            "kind": "elderly_public",
            "address": "兰山街道1号",
            "beds": 80,
            "residents": 60,
            "staff": 12,
            "heating": "coal",
            "co_alarms": 0,
        },
    )
    grant_create(actor=county_user, user=staff_user, kind="institutions.institution", object_id=home.pk)

    # The city bureau opens the winter campaign and sets 兰山区's target of institutions inspected.
    city = logged_in_page(city_user, base_url=asgi_server.url)
    city.goto("/campaigns/")
    city.get_by_label("专项行动名称").fill("2026年冬季“一老一小”安全百日行动")
    city.get_by_label("类型").select_option("safety")
    today = timezone.localdate()
    city.get_by_label("开始日期").fill(today.isoformat())
    city.get_by_label("结束日期").fill((today + datetime.timedelta(days=99)).isoformat())
    city.get_by_role("button", name="启动").click()
    expect(city.get_by_text("专项行动已启动，请设定目标。")).to_be_visible()
    campaign_page = city.url
    city.locator("select[name=form-0-county]").select_option("371302")
    city.locator("select[name=form-0-measure]").select_option("institutions.inspected")
    city.locator("input[name=form-0-target]").fill("10")
    city.get_by_role("button", name="保存目标").click()
    expect(city.locator("#campaign-progress")).to_contain_text("已检查机构数")

    # … and sends a contracted inspector to the institution.
    city.goto(f"/institutions/{home.pk}/")
    city.locator("#assign-inspection").click()
    city.get_by_label("检查人员").select_option(str(inspector_user.pk))
    city.get_by_label("检查表").select_option("institutions.winter_safety")
    city.get_by_role("button", name="保存").click()
    expect(city.get_by_text("检查任务已派发。")).to_be_visible()
    inspection = Inspection.objects.get()
    assert inspection.campaign is not None

    # The inspector, on a phone: the inspection is on the desk; the signal drops halfway.
    phone = logged_in_page(inspector_user, base_url=asgi_server.url, **PHONE)
    phone.goto("/desk/")
    phone.get_by_role("link", name="兰山街道敬老院").first.click()
    _until(phone, "navigator.serviceWorker.controller !== null", seconds=30)
    form = phone.locator("#inspection-form")
    _check(form, "heating", "gas")
    expect(form.locator("#item-gas_heater")).to_be_visible()
    expect(form.locator("#item-coal_stove")).to_be_hidden()
    _check(form, "gas_heater", "unsafe")
    _check(form, "co_alarm", "none")
    _signal_lost(phone, asgi_server)  # halfway
    for item, value in FINE.items():
        if item not in ("gas_heater", "co_alarm", "co_alarm_tested"):
            _check(form, item, value)
    form.locator("input[name=item_room_temperature]").fill("16")
    form.locator("input[name=photo_gas_heater]").set_input_files(
        _jpeg_file(tmp_path, "燃气取暖器.jpg", (200, 60, 0))
    )
    form.locator("input[name=photo_co_alarm]").set_input_files(
        _jpeg_file(tmp_path, "无报警器.jpg", (90, 90, 90))
    )
    shot(phone, "inspection-form-phone")
    form.get_by_role("button", name="保存检查记录").click()
    expect(phone.locator("#outbox-status")).to_contain_text("已保存在手机上")
    assert Inspection.objects.get().state == "assigned"
    _signal_back(phone, asgi_server)  # the inspection goes by itself, once
    deadline = 15
    while Inspection.objects.get().state != "done":
        assert deadline > 0, "the kept inspection was not sent when the signal came back"
        phone.wait_for_timeout(1000)
        deadline -= 1
    done = Inspection.objects.get()
    assert done.answers["heating"] == "gas" and done.answers["room_temperature"] == "16"
    gas = Hazard.objects.get(item="gas_heater")
    assert (gas.category, gas.grade) == ("gas_heating", "general")
    assert Hazard.objects.filter(item="co_alarm").count() == 1 and Hazard.objects.count() == 2

    # The institution reads the notice and its hazard, uploads the photo of the fitted alarm.
    institution = logged_in_page(staff_user, base_url=asgi_server.url)
    institution.goto(f"/institutions/inspections/{done.pk}/")
    with institution.expect_download() as notice:
        institution.locator("#notice-docx").click()
    from docx import Document

    words = "\n".join(p.text for p in Document(notice.value.path()).paragraphs)
    words += "\n".join(
        cell.text
        for table in Document(notice.value.path()).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "安全隐患整改通知书" in words and "燃气" in words
    co = Hazard.objects.get(item="co_alarm")
    institution.goto(f"/institutions/hazards/{co.pk}/")
    expect(institution.locator("#case-state")).to_have_text("待整改")
    upload = institution.locator("#evidence-add")
    upload.locator("select[name=kind]").select_option("photo")
    upload.locator("input[name=file]").set_input_files(_jpeg_file(tmp_path, "已装报警器.jpg", (30, 160, 60)))
    upload.get_by_role("button", name="添加").click()
    expect(institution.get_by_text("文件已添加到该事项。")).to_be_visible()
    institution.locator("form[data-step=report_rectified]").get_by_role("button", name="上报已整改").click()
    expect(institution.locator("#case-state")).to_have_text("已整改，待核查")
    expect(institution.locator("form[data-step=verify]")).to_have_count(0)

    # The inspector verifies from the photo and closes it.
    phone.goto(f"/institutions/hazards/{co.pk}/")
    step = phone.locator("form[data-step=verify]")
    step.locator("textarea[name=reason]").fill("根据照片核查：已安装一氧化碳报警器")
    step.get_by_role("button", name="核实销号").click()
    expect(phone.locator("#case-state")).to_have_text("已核查销号")

    # A major hazard: the county records the plan and lists it for supervision; rectified; verified.
    major = hazard_raise(
        actor=inspector_user,
        institution=home,
        grade="major",
        category="building",
        description="易燃彩钢板房用于老人居住",
    )
    county = logged_in_page(county_user, base_url=asgi_server.url)
    county.goto(f"/institutions/hazards/{major.pk}/")
    expect(county.locator("#case-state")).to_have_text("重大隐患：制定整改方案")
    plan = county.locator("#plan-form")
    plan.get_by_label("整改责任人").fill("王院长")
    plan.get_by_label("整改资金（元）").fill("86000")
    plan.get_by_label("整改措施").fill("拆除彩钢板房，改建砖混结构")
    plan.get_by_label("整改期限").fill((today + datetime.timedelta(days=30)).isoformat())
    plan.get_by_role("button", name="保存整改方案").click()
    expect(county.get_by_text("整改方案已登记。")).to_be_visible()
    county.locator("form[data-step=list_supervision]").get_by_role("button", name="挂牌督办").click()
    expect(county.locator("#case-state")).to_have_text("重大隐患：挂牌督办中")
    expect(county.locator("#case-due")).to_contain_text((today + datetime.timedelta(days=30)).isoformat())
    institution.goto(f"/institutions/hazards/{major.pk}/")
    upload = institution.locator("#evidence-add")
    upload.locator("select[name=kind]").select_option("photo")
    upload.locator("input[name=file]").set_input_files(_jpeg_file(tmp_path, "砖混.jpg", (120, 80, 40)))
    upload.get_by_role("button", name="添加").click()
    institution.locator("form[data-step=report_major_rectified]").get_by_role(
        "button", name="上报已整改"
    ).click()
    phone.goto(f"/institutions/hazards/{major.pk}/")
    step = phone.locator("form[data-step=verify]")
    step.locator("textarea[name=reason]").fill("现场验收：彩钢板房已拆除")
    step.get_by_role("button", name="核实销号").click()
    expect(phone.locator("#case-state")).to_have_text("已核查销号")

    # The statistics: the briefing's kinds of figures; the campaign's progress against its target.
    city.goto("/institutions/statistics/")
    summary = city.locator("#summary")
    expect(summary).to_contain_text("已检查机构1家")
    expect(summary).to_contain_text("发现隐患3处（一般2处，重大1处）")
    expect(summary).to_contain_text("已整改核查2处")
    expect(city.locator("#by-category")).to_contain_text("燃气取暖")
    expect(city.locator("#heating-summary")).to_contain_text("已取暖机构1家")
    shot(city, "institution-statistics")
    city.goto(campaign_page)
    expect(city.locator("#campaign-progress")).to_contain_text("兰山区")
    row = city.locator("#campaign-progress tr", has_text="已检查机构数")
    expect(row).to_contain_text("10")
    expect(row).to_contain_text("1")
