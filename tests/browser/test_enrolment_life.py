"""Issue 12's walk in a real browser: a member's death, registered by the village coordinator, puts a
review on the township's desk; the township records the home visit and the county ends the
household's 低保 with a notice to print. The city bureau raises 兰山's urban standard (scheduled by
one officer, approved by another) and adjusts the assistance it affects; the county hands a household
over to 沂南县, whose county confirms the amount: each month is paid by one county."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.life import selectors
from safetynet.programmes.life.services import add_months
from safetynet.programmes.models import Enrolment, EnrolmentDecision, Review, Transfer
from safetynet.programmes.selectors import first_of_next_month, standard_at
from safetynet.programmes.services import enrolment_start
from safetynet.registry.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VILLAGE = LANSHAN_TOWNSHIP + "201"
YINAN_VILLAGE = YINAN_TOWNSHIP + "201"


def couple(make_household, county, name):
    household = make_household(village(VILLAGE), county, urban_rural="urban",
                               members=[(name + "一", 1, "02", datetime.date(1970, 1, 1)),
                                        (name + "二", 2, "10", datetime.date(1972, 3, 3))])
    enrolment_start(actor=county, household=household, programme="dibao", amount=Decimal("900"),
                    since=add_months(timezone.localdate(), -14))
    return household


def test_a_death_ends_the_dibao_with_a_notice(logged_in_page, make_household, shot):
    village(VILLAGE)
    coordinator = user(Role.VILLAGE_COORDINATOR, VILLAGE)
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    county = user(Role.COUNTY_BUREAU, "371302")
    household = couple(make_household, county, "韩")

    field = logged_in_page(coordinator)
    member = Membership.objects.get(household=household, person__name="韩二")
    field.goto(f"/registry/households/{household.pk}/")
    field.locator(f"a[href*='/members/{member.pk}/remove/']").first.click()
    field.locator("select[name=reason]").select_option("deceased")
    field.locator("form [type=submit]").last.click()
    expect(field.locator("div.messages")).to_be_visible()
    review = Review.objects.get(household=household)
    assert review.reason == "death"

    desk = logged_in_page(township)
    desk.goto("/programmes/reviews/")
    desk.get_by_role("link", name=str(review.pk), exact=True).click()
    form = desk.locator("#visit-form")
    form.locator("input[name=first]").fill("李明")
    form.locator("input[name=second]").fill("王芳")
    form.locator("textarea[name=findings]").fill("韩二已故，韩一独居，有工资收入")
    form.get_by_role("button").click()
    expect(desk.locator("#visit")).to_contain_text("李明、王芳")

    office = logged_in_page(county)
    office.goto(f"/programmes/reviews/{review.pk}/")
    decide = office.locator("#decide-form")
    decide.locator("select[name=outcome]").select_option("terminate")
    decide.locator("button").click()  # no reasons: refused, nothing changes
    expect(office.locator("#decide-form")).to_contain_text("必填")
    assert Enrolment.objects.get(household=household).until is None
    office.locator("#decide-form select[name=outcome]").select_option("terminate")
    office.locator("#decide-form textarea[name=reasons]").fill("人均收入超过保障标准")
    office.locator("#decide-form button").click()
    expect(office.locator("#notices")).to_contain_text("终止")
    office.locator("#notices a").click()
    expect(office.locator("#notice")).to_contain_text("自" + first_of_next_month(timezone.localdate())
                                                      .strftime("%Y年%m月") + "起终止")
    expect(office.locator("#notice")).to_contain_text("行政复议")
    shot(office, "review-termination-notice")
    assert Enrolment.objects.get(household=household).until == first_of_next_month(timezone.localdate())


def test_a_standard_rise_and_a_move_to_yinan(logged_in_page, make_household, shot):
    county = user(Role.COUNTY_BUREAU, "371302")
    yinan = user(Role.COUNTY_BUREAU, "371321")
    city, city2 = user(Role.CITY_BUREAU, "3713"), user(Role.CITY_BUREAU, "3713")
    household = couple(make_household, county, "孙")
    village(YINAN_VILLAGE)
    effective = first_of_next_month(timezone.localdate())
    old = standard_at(kind="dibao", county="371302", urban_rural="urban", on=effective)

    scheduler = logged_in_page(city)
    scheduler.goto("/programmes/standards/")
    form = scheduler.locator("form:has(select[name=kind])")
    form.locator("select[name=kind]").select_option("dibao")
    form.locator("select[name=division]").select_option("371302")
    form.locator("select[name=urban_rural]").select_option("urban")
    form.locator("input[name=valid_from]").fill(effective.isoformat())
    form.locator("input[name=value]").fill(str(int(old.value) + 100))
    form.get_by_role("button").click()
    approver = logged_in_page(city2)
    approver.goto("/programmes/standards/")
    approver.locator("button[value=approve]").click()
    approver.locator("#adjustments tbody tr").first.get_by_role("button").click()
    expect(approver.locator("div.messages")).to_contain_text("1")
    assert Enrolment.objects.get(household=household, until__isnull=True).amount == Decimal("1100.00")

    office = logged_in_page(county)
    office.goto(f"/registry/households/{household.pk}/")
    office.locator("#assistance [data-action=hand-over]").click()
    office.locator("input[name=village]").fill(YINAN_VILLAGE)
    office.locator("textarea[name=note]").fill("户籍迁往沂南县")
    office.get_by_role("button", name="移交").click()
    expect(office.locator("div.messages")).to_contain_text("已移交")
    assert office.goto(f"/registry/households/{household.pk}/").status == 404

    receiving = logged_in_page(yinan)
    transfer = Transfer.objects.get()
    receiving.goto(f"/programmes/transfers/{transfer.pk}/")
    receiving.locator("#confirm-form input[name^=amount_]").fill("1000")
    receiving.locator("#confirm-form button").click()
    expect(receiving.locator("#case-state")).to_contain_text("已确认")
    receiving.goto(f"/registry/households/{household.pk}/")
    expect(receiving.locator("#assistance")).to_contain_text("沂南县")
    shot(receiving, "assistance-after-transfer")
    months = [add_months(timezone.localdate(), k) for k in range(-2, 3)]
    payers = selectors.monthly_payers(household_id=household.pk, programme="dibao", months=months)
    assert [[p["county"] for p in payer] for payer in payers.values()] == [
        ["371302"], ["371302"], ["371302"], ["371321"], ["371321"]]
    assert EnrolmentDecision.objects.filter(kind="transfer_in", amount_after=Decimal("1000")).exists()
