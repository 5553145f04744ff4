"""Issue 8's "Done when", walked in the browser as the people named: a grid worker records a visit on
a phone and finds a wiring hazard; the problem appears on the township's work desk with its
deadline, goes overdue and escalates to the county (a notice in its inbox), and is closed with a
photo of the repair; the visit record prints as DOCX and as PDF that read back in Chinese; a
cold-wave warning puts the high-risk households' visits due within 24 hours; the state chart of the
problem workflow is drawn on its help page."""

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Case, Role
from safetynet.core.weather.services import weather_warnings_create
from safetynet.core.workflows.services import cases_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _jpeg_file(tmp_path, name: str, colour) -> str:
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (32, 24), colour).save(path, "JPEG")
    return str(path)


def test_a_wiring_hazard_found_on_a_phone_is_escalated_when_late_and_closed_with_a_photo(
        logged_in_page, make_household, settings, tmp_path, shot):
    settings.MEDIA_ROOT = tmp_path / "media"
    lanshan = village(LANSHAN_TOWNSHIP + "201")
    county_bureau = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(lanshan, county_bureau, members=[("赵大爷", 1, "02", datetime.date(1940, 2, 1))],
                          heating="2")
    grid = logged_in_page(user(Role.GRID_WORKER, lanshan.code), **PHONE)
    grid.goto(f"/registry/households/{home.pk}/")
    grid.locator("#record-visit").click()
    form = grid.locator("#visit-form")
    form.locator("#item-heating").get_by_label("燃煤取暖").check()
    expect(form.locator("#item-co_alarm")).to_be_visible()
    form.locator("#item-co_alarm").get_by_label("是").check()
    form.locator("#item-co_alarm_works").get_by_label("是").check()
    form.locator("#item-stove").get_by_label("正常").check()
    photo = form.locator("#item-wiring [data-photo-item]")
    expect(photo).to_be_hidden()
    form.locator("#item-wiring").get_by_label("老化或破损").check()
    expect(photo).to_be_visible()
    form.locator("input[name=photo_wiring]").set_input_files(_jpeg_file(tmp_path, "电线.jpg", (180, 40, 40)))
    form.locator("#item-gas").get_by_label("不使用燃气").check()
    for item, answer in (("food", "充足"), ("clothing", "充足"), ("medicines", "不需要"), ("house", "安全")):
        form.locator(f"#item-{item}").get_by_label(answer, exact=True).check()
    shot(grid, "visit-form-phone")
    form.get_by_role("button", name="保存走访记录").click()
    expect(grid.get_by_text("走访已保存；已登记 1 个问题并设定整改期限。")).to_be_visible()
    expect(grid.locator("#visit-problems")).to_contain_text("电线和插座：老化或破损")
    shot(grid, "visit-detail-phone")

    # The visit record, printed: DOCX and PDF that read back in Chinese.
    with grid.expect_download() as docx_download:
        grid.locator("#print-docx").click()
    from docx import Document

    text = "\n".join(p.text for p in Document(docx_download.value.path()).paragraphs)
    assert "家庭走访记录" in text and "老化或破损" in text
    with grid.expect_download() as pdf_download:
        grid.locator("#print-pdf").click()
    from pypdf import PdfReader

    read = "".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
    assert "家庭走访记录" in read and "电线和插座" in read

    # On the township's desk with its deadline.
    case = Case.objects.get()
    township = logged_in_page(user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP))
    township.goto("/desk/")
    row = township.locator("table.desk tr", has_text="电线和插座")
    expect(row).to_contain_text(timezone.localtime(case.due_at).strftime("%Y-%m-%d"))
    shot(township, "desk-township")

    # Late: the sweep escalates it to the county, whose inbox and desk show it.
    cases_sweep(case.due_at + datetime.timedelta(minutes=5))
    county = logged_in_page(county_bureau)
    county.goto("/inbox/")
    expect(county.locator("#notices")).to_contain_text("已超期，由乡镇（街道）上报至区县")
    county.locator("#notices a").first.click()
    expect(county.locator("#case-due")).to_contain_text("已上报至区县")
    county.goto("/desk/")
    expect(county.locator("#overdue")).to_contain_text("电线和插座")
    shot(county, "desk-county")

    # Fixed: the grid worker adds a photo of the repair and reports it; the township verifies.
    grid.goto(f"/registry/problems/{case.subject_id}/")
    step = grid.locator("form[data-step=report_fixed]")
    expect(step).to_contain_text("请先在下方添加佐证材料。")
    upload = grid.locator("#evidence-add")
    upload.locator("select[name=kind]").select_option("photo")
    upload.locator("input[name=file]").set_input_files(_jpeg_file(tmp_path, "修好了.jpg", (40, 160, 40)))
    upload.get_by_role("button", name="添加").click()
    expect(grid.get_by_text("文件已添加到该事项。")).to_be_visible()
    grid.locator("form[data-step=report_fixed]").get_by_role("button", name="报告已整改").click()
    expect(grid.locator("#case-state")).to_have_text("已整改待核实")
    expect(grid.locator("form[data-step=verify]")).to_have_count(0)  # the reporter does not verify
    township.goto(f"/registry/problems/{case.subject_id}/")
    township.locator("form[data-step=verify]").get_by_role("button", name="核实销号").click()
    expect(township.locator("#case-state")).to_have_text("已销号")
    expect(township.locator("#case-history")).to_contain_text("报告已整改")
    shot(township, "problem-closed")

    # The table's chart, drawn on the help page.
    township.get_by_role("link", name="此类事项的办理流程").click()
    expect(township.locator("#state-chart svg")).to_be_visible()
    expect(township.locator("#steps")).to_contain_text("修复后的照片")


def test_a_cold_wave_puts_the_high_risk_households_due_within_24_hours(logged_in_page, make_household):
    lanshan = village(LANSHAN_TOWNSHIP + "201")
    county_bureau = user(Role.COUNTY_BUREAU, "371302")
    make_household(lanshan, county_bureau, members=[("钱奶奶", 2, "02", datetime.date(1936, 5, 1))])
    starts = timezone.now() - datetime.timedelta(hours=2)
    weather_warnings_create(actor=county_bureau, source="entered", items=[{
        "county": "371302", "kind": "cold_wave", "level": "blue", "lowest_temperature": None,
        "starts_at": starts, "ends_at": starts + datetime.timedelta(days=2), "note": ""}])
    grid = logged_in_page(user(Role.GRID_WORKER, lanshan.code), **PHONE)
    grid.goto("/desk/")
    due = timezone.localtime(starts + datetime.timedelta(hours=24)).strftime("%Y-%m-%d %H:%M")
    section = grid.locator("#today") if (starts + datetime.timedelta(hours=24)).astimezone(
        timezone.get_current_timezone()).date() == timezone.localdate() else grid.locator("#coming")
    expect(section).to_contain_text("钱奶奶")
    expect(section).to_contain_text(due)
    expect(section).to_contain_text("寒潮")


def test_a_signature_drawn_on_the_screen_is_kept_as_evidence(logged_in_page, make_household, settings,
                                                             tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    import uuid

    from safetynet.core.models import Evidence
    from safetynet.registry.visits.services import visit_record

    lanshan = village(LANSHAN_TOWNSHIP + "201")
    county_bureau = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(lanshan, county_bureau, heating="2")
    visit = visit_record(actor=county_bureau, household=home, data={"purpose": "routine"},
                         submission=uuid.uuid4(),
                         answers={"heating": ["2"], "co_alarm": ["no"], "stove": ["ok"], "wiring": ["ok"],
                                  "gas": ["none"], "food": ["enough"], "clothing": ["enough"],
                                  "medicines": ["none_needed"], "house": ["safe"]})
    problem = visit.problems.get()
    grid = logged_in_page(user(Role.GRID_WORKER, lanshan.code), **PHONE)
    grid.goto(f"/registry/problems/{problem.pk}/")
    pad = grid.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    grid.mouse.move(box["x"] + 20, box["y"] + 20)
    grid.mouse.down()
    grid.mouse.move(box["x"] + 120, box["y"] + 60, steps=8)
    grid.mouse.move(box["x"] + 200, box["y"] + 30, steps=8)
    grid.mouse.up()
    expect(grid.locator("#evidence-add select[name=kind]")).to_have_value("signature")
    grid.locator("#evidence-add").get_by_role("button", name="添加").click()
    expect(grid.locator("#case-evidence")).to_contain_text("签名")
    signature = Evidence.objects.get()
    assert (signature.kind, signature.extension, signature.case_id) == ("signature", ".png", problem.case_id)


def _answer_the_rest(form, tmp_path) -> None:
    """The checklist after heating and the CO alarm: a wiring problem with its photo, the rest fine."""
    form.locator("#item-stove").get_by_label("正常").check()
    form.locator("#item-wiring").get_by_label("老化或破损").check()
    form.locator("input[name=photo_wiring]").set_input_files(_jpeg_file(tmp_path, "插座.jpg", (200, 30, 30)))
    form.locator("#item-gas").get_by_label("不使用燃气").check()
    for item, answer in (("food", "充足"), ("clothing", "充足"), ("medicines", "不需要"), ("house", "安全")):
        form.locator(f"#item-{item}").get_by_label(answer, exact=True).check()


def _until(page, script: str, seconds: float = 10) -> None:
    """Waits until `script` (a JavaScript expression, awaited) is true in the page. Not
    wait_for_function: it evaluates with eval(), which the site's CSP rightly refuses."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {script}"
        page.wait_for_timeout(100)


def _signal_lost(page, server) -> None:
    """The phone loses its signal: the server is really unreachable (its port closed), and the
    browser knows it is offline, as a phone does."""
    server.stop()
    page.context.set_offline(True)


def _signal_back(page, server) -> None:
    server.start()
    page.context.set_offline(False)


def _a_visit_on_a_phone(logged_in_page, make_household, asgi_server, **context):
    lanshan = village(LANSHAN_TOWNSHIP + "201")
    home = make_household(lanshan, user(Role.COUNTY_BUREAU, "371302"),
                          members=[("钱奶奶", 2, "02", datetime.date(1938, 5, 1))], heating="2")
    grid = logged_in_page(user(Role.GRID_WORKER, lanshan.code), base_url=asgi_server.url, **PHONE, **context)
    return home, grid


def _the_one_visit_arrived_whole(home):
    from safetynet.core.models import Evidence
    from safetynet.registry.models import Visit

    visit = Visit.objects.get()
    assert visit.problems.count() == 1 and visit.household_id == home.pk
    assert "heating" in str(visit.answers) and "aged" in str(visit.answers)  # before and after the drop
    photo = Evidence.objects.get(subject_kind="registry.visit", subject_id=visit.pk)
    assert photo.original_name == "插座.jpg" and photo.size > 0


def test_a_checklist_filled_while_the_network_drops_arrives_whole_and_once(
        logged_in_page, make_household, asgi_server, settings, tmp_path):
    from safetynet.registry.models import Visit

    settings.MEDIA_ROOT = tmp_path / "media"
    home, grid = _a_visit_on_a_phone(logged_in_page, make_household, asgi_server)
    grid.goto(f"/registry/households/{home.pk}/visits/new/")
    _until(grid, "navigator.serviceWorker.controller !== null", seconds=30)
    form = grid.locator("#visit-form")
    form.locator("#item-heating").get_by_label("燃煤取暖").check()
    form.locator("#item-co_alarm").get_by_label("是").check()
    form.locator("#item-co_alarm_works").get_by_label("是").check()

    _signal_lost(grid, asgi_server)  # halfway
    _answer_the_rest(form, tmp_path)
    form.get_by_role("button", name="保存走访记录").click()
    expect(grid.locator("#outbox-status")).to_contain_text("已保存在手机上")
    assert Visit.objects.count() == 0

    _signal_back(grid, asgi_server)  # the visit goes by itself
    expect(grid.locator("#outbox-status")).to_contain_text("已发送并保存", timeout=15_000)
    _the_one_visit_arrived_whole(home)
    grid.locator("#outbox-record a").click()
    expect(grid.locator("h1")).to_contain_text("走访 ")  # the saved visit's page
    # The outbox is empty: pages opened again, online, send nothing more.
    grid.go_back()
    grid.reload()
    grid.wait_for_timeout(1000)
    assert Visit.objects.count() == 1


def test_a_checklist_opened_before_the_signal_went_opens_again_without_it(
        logged_in_page, make_household, asgi_server, settings, tmp_path):
    """The grid worker opened the visit form in the village office, walked to the house and lost the
    signal; the phone reloaded the page (or closed the browser). The form opens from the phone,
    with its scripts (the conditional items still appear), and what is filled in arrives once."""
    from safetynet.registry.models import Visit

    settings.MEDIA_ROOT = tmp_path / "media"
    home, grid = _a_visit_on_a_phone(logged_in_page, make_household, asgi_server)
    address = f"/registry/households/{home.pk}/visits/new/"
    grid.goto(address)
    _until(grid, "navigator.serviceWorker.controller !== null", seconds=30)
    kept = f"caches.open('safetynet-pages-v1').then(c => c.match('{address}')).then(Boolean)"
    _until(grid, kept)

    _signal_lost(grid, asgi_server)
    grid.goto(address)
    form = grid.locator("#visit-form")
    expect(form).to_be_visible()
    assert grid.evaluate("navigator.onLine") is False
    expect(form.locator("#item-co_alarm_works")).to_be_hidden()  # shown only with an alarm: the script runs
    form.locator("#item-heating").get_by_label("燃煤取暖").check()
    form.locator("#item-co_alarm").get_by_label("是").check()
    expect(form.locator("#item-co_alarm_works")).to_be_visible()
    form.locator("#item-co_alarm_works").get_by_label("是").check()
    _answer_the_rest(form, tmp_path)
    form.get_by_role("button", name="保存走访记录").click()
    expect(grid.locator("#outbox-status")).to_contain_text("已保存在手机上")

    # Another page, not kept: the phone says there is no network rather than a browser error.
    grid.goto(f"/registry/households/{home.pk}/")
    expect(grid.locator("h1")).to_have_text("没有网络")
    assert Visit.objects.count() == 0

    _signal_back(grid, asgi_server)
    expect(grid.locator("#outbox-status")).to_contain_text("已发送并保存", timeout=20_000)
    _the_one_visit_arrived_whole(home)

    # Logging out takes the kept pages off the phone.
    grid.goto("/")
    grid.locator("form[action='/logout/'] button").click()
    grid.wait_for_url("**/login/**")
    assert grid.evaluate(kept) is False
    offline_page = "caches.open('safetynet-pages-v1').then(c => c.match('/offline/')).then(Boolean)"
    assert grid.evaluate(offline_page) is True  # words only: it stays


def test_without_a_service_worker_the_page_keeps_the_form_itself(
        logged_in_page, make_household, asgi_server, settings, tmp_path):
    """Plain HTTP on an intranet address gives no service worker: the page keeps the form while the
    browser is offline and sends it when the network returns."""
    settings.MEDIA_ROOT = tmp_path / "media"
    home, grid = _a_visit_on_a_phone(logged_in_page, make_household, asgi_server, service_workers="block")
    grid.goto(f"/registry/households/{home.pk}/visits/new/")
    form = grid.locator("#visit-form")
    form.locator("#item-heating").get_by_label("燃煤取暖").check()
    form.locator("#item-co_alarm").get_by_label("是").check()
    form.locator("#item-co_alarm_works").get_by_label("是").check()
    _signal_lost(grid, asgi_server)
    _answer_the_rest(form, tmp_path)
    form.get_by_role("button", name="保存走访记录").click()
    expect(grid.locator("#outbox-status")).to_contain_text("已保存在手机上")
    _signal_back(grid, asgi_server)
    expect(grid.locator("#outbox-status")).to_contain_text("已发送并保存", timeout=15_000)
    _the_one_visit_arrived_whole(home)
