"""Issue 14's "Done when", walked in the browser as the people named: a township officer records a
willingness survey and places the willing person into an institution's bed, and draws up and signs a
care agreement for a person at home; a provider logs a service on a phone and sees no one outside its
contract; a coordinator's visit with the care checklist finds a wiring hazard, solved and closed with
a photo; the KPI page shows the centralised-care rate, agreement coverage and service coverage."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser.test_visits import PHONE, _jpeg_file
from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.care.models import ContractPerson
from safetynet.care.purchase import services as purchase
from safetynet.core.models import Division, Role
from safetynet.institutions.services import institution_create
from safetynet.programmes.services import enrolment_start
from safetynet.registry.models import Person, Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _png(tmp_path, name: str) -> str:
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (60, 20), (10, 10, 10)).save(path, "PNG")
    return str(path)


def _answer_every_item(form) -> None:
    """The first answer of every item shown and not yet answered (the rest of the checklist is fine)."""
    form.evaluate("""form => {
        for (const set of form.querySelectorAll('fieldset.checklist-item')) {
            if (set.hidden || set.offsetParent === null) continue;
            const radios = set.querySelectorAll('input[type=radio]');
            if (radios.length && ![...radios].some(r => r.checked)) radios[0].click();
        }
    }""")


def test_survey_placement_agreement_service_and_visit_to_the_kpis(
    logged_in_page, make_household, settings, tmp_path, shot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    lanshan = village(LANSHAN_TOWNSHIP + "201")
    county = user(Role.COUNTY_BUREAU, "371302")
    old = make_household(lanshan, county, members=[("孙奶奶", 2, "02", datetime.date(1936, 3, 1))])
    home = make_household(
        lanshan, county, members=[("周大爷", 1, "02", datetime.date(1950, 7, 1))], heating="2"
    )
    for household in (old, home):
        enrolment_start(
            actor=county,
            household=household,
            programme="tekun",
            since=datetime.date(2022, 1, 1),
            amount="1095",
            person=household.head,
        )
    Person.objects.filter(pk=old.head_id).update(self_care=3)
    institution_create(
        actor=county,
        division=Division.objects.get(code=LANSHAN_TOWNSHIP),
        data={
            "name": "兰山街道敬老院",
            "kind": "elderly_public",
            "address": "兰山街道1号",
            "beds": 50,
            "heating": "central",
        },
    )
    today = timezone.localdate()

    # The township officer: the willingness survey, then the bed.
    township = logged_in_page(user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP))
    township.goto("/care/persons/")
    township.get_by_role("link", name="孙奶奶").click()
    survey = township.locator("#survey-form")
    survey.locator("input[name=willing][value=yes]").check()
    survey.locator("select[name=consent_by]").select_option("guardian")
    survey.locator("input[name=consenter]").fill("孙小明")
    survey.get_by_role("button", name="保存摸排结果").click()
    expect(township.get_by_text("摸排结果已登记；此人进入床位轮候。")).to_be_visible()
    admit = township.locator("#admit-form")
    admit.locator("input[name=bed]").fill("101-1")
    admit.get_by_role("button", name="入住").click()
    expect(township.locator("#support-mode")).to_contain_text("兰山街道敬老院")
    shot(township, "care-placed")

    # … and a care agreement for the man at home, signed.
    township.goto(f"/care/persons/{home.head_id}/")
    agreement = township.locator("#agreement-form")
    agreement.locator("input[name=caregiver_name]").fill("李护理")
    agreement.locator("input[name=ends_on]").fill(today.replace(year=today.year + 1).isoformat())
    agreement.get_by_role("button", name="拟定").click()
    expect(township.get_by_text("照料协议已拟定，请组织签订。")).to_be_visible()
    sign = township.locator("#sign-form")
    sign.locator("input[name=signature]").set_input_files(_png(tmp_path, "签名.png"))
    sign.get_by_role("button", name="签订").click()
    expect(township.locator("#agreement-state")).to_contain_text("已签订")

    # A provider covering the man logs a service on a phone, and sees no one else.
    provider = purchase.provider_create(
        actor=county,
        data={
            "name": "兰山居家服务社",
            "credit_code": "52371302MJD000001X",
            "contact": "钱经理",
            "phone": "13900001111",
        },
    )
    worker = user(Role.SERVICE_PROVIDER, "371302")
    purchase.provider_staff_add(actor=county, provider=provider, user=worker)
    contract = purchase.contract_create(
        actor=county,
        provider=provider,
        data={
            "area": "371302",
            "title": "特困人员居家服务",
            "starts_on": today - datetime.timedelta(days=7),
            "ends_on": today + datetime.timedelta(days=200),
            "budget": "100000",
            "kinds": ["visiting_care"],
        },
    )
    purchase.contract_person_add(actor=county, contract=contract, person_id=home.head_id)
    # Covered since the contract began (as in the demo city): the service logged an hour ago falls on
    # yesterday's date just after midnight, Beijing time.
    ContractPerson.objects.filter(contract=contract).update(added_on=contract.starts_on)
    phone = logged_in_page(worker, **PHONE)
    phone.goto("/care/my-persons/")
    expect(phone.locator("#my-persons")).to_contain_text("周大爷")
    expect(phone.locator("#my-persons")).not_to_contain_text("孙奶奶")
    assert phone.goto(f"/care/my-persons/{old.head_id}/log/").status == 404
    phone.goto("/care/my-persons/")
    phone.locator("#my-persons").get_by_role("link", name="记录服务").click()
    log = phone.locator("#log-form")
    log.locator("input[name=kind]").first.check()
    start = timezone.localtime() - datetime.timedelta(hours=1)
    log.locator("input[name=started_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    log.locator("input[name=ended_at]").fill(
        (start + datetime.timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M")
    )
    log.locator("input[name=place]").fill("周大爷家中")
    log.locator("textarea[name=done]").fill("打扫卫生，测血压")
    log.locator("input[name=photo]").set_input_files(_jpeg_file(tmp_path, "服务.jpg", (30, 120, 200)))
    log.get_by_role("button", name="保存服务记录").click()
    expect(phone.locator("main")).to_contain_text("打扫卫生，测血压")
    phone.goto("/care/my-persons/")
    expect(phone.locator("#my-logs")).to_contain_text("周大爷")
    shot(phone, "care-service-logged-phone")

    # The coordinator's visit with the care checklist finds aged wiring: fixed, verified, closed.
    coordinator = logged_in_page(user(Role.VILLAGE_COORDINATOR, lanshan.code), **PHONE)
    coordinator.goto(f"/registry/households/{home.pk}/visits/new/")
    form = coordinator.locator("#visit-form")
    form.locator("#item-wiring input[value=aged]").check()
    form.locator("input[name=photo_wiring]").set_input_files(_jpeg_file(tmp_path, "电线.jpg", (180, 40, 40)))
    _answer_every_item(form)
    form.get_by_role("button", name="保存走访记录").click()
    expect(coordinator.get_by_text("已登记 1 个问题", exact=False)).to_be_visible()
    problem = Problem.objects.get()
    coordinator.goto(f"/registry/problems/{problem.pk}/")
    upload = coordinator.locator("#evidence-add")
    upload.locator("select[name=kind]").select_option("photo")
    upload.locator("input[name=file]").set_input_files(_jpeg_file(tmp_path, "修好了.jpg", (40, 160, 40)))
    upload.get_by_role("button", name="添加").click()
    coordinator.locator("form[data-step=report_fixed]").get_by_role("button", name="报告已整改").click()
    township.goto(f"/registry/problems/{problem.pk}/")
    township.locator("form[data-step=verify]").get_by_role("button", name="核实销号").click()
    expect(township.locator("#case-state")).to_have_text("已销号")

    # The KPI page, computed from these records.
    township.goto("/care/")
    summary = township.locator("#kpi-summary")
    expect(summary).to_contain_text("集中供养率100.0%")
    expect(summary).to_contain_text("签订照料协议的占100.0%")
    expect(township.locator("#service-coverage")).to_contain_text("100.0")
    expect(township.locator("#visit-summary")).to_contain_text("发现问题1个，已解决1个")
    shot(township, "care-kpis")
