"""A household's benefits paid to a guardian instead of the head: the township names the payee
with a reason, the next payroll pays that person's account, the history stays, and naming a minor,
a person of another area, a stale form or nothing at all changes nothing."""

import datetime

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.test import Client

from conftest import user
from safetynet.core.models import ChangeRecord, Role
from safetynet.core.services import ConflictError, api_token_create
from safetynet.payments import services
from safetynet.payments.models import HouseholdPayee, PayrollLine
from safetynet.payments.tests.conftest import OCTOBER, SEPTEMBER
from safetynet.programmes.services import enrolment_start

pytestmark = pytest.mark.django_db
GUARDIAN_ACCOUNT = "6228480000000000777"


@pytest.fixture
def orphan(county, make_household, lanshan_village):
    """A household on 低保 whose head is a boy of twelve, living with his grandmother (who has an
    account) and his sister of ten."""
    household = make_household(
        lanshan_village,
        county["maker"],
        members=[
            ("钱小明", 1, "02", datetime.date(2014, 5, 1)),
            ("钱奶奶", 2, "62", datetime.date(1956, 2, 2)),
            ("钱小红", 2, "33", datetime.date(2016, 3, 3)),
        ],
    )
    enrolment_start(
        actor=county["maker"], household=household, programme="dibao", since=SEPTEMBER, amount="900"
    )
    members = {m.person.name: m.person for m in household.memberships.select_related("person")}
    services.account_open(
        actor=county["township"], holder_kind="person", holder_id=members["钱奶奶"].pk, kind="one_card",
        bank="rcb", number=GUARDIAN_ACCOUNT,
    )
    return {"household": household, **members}


def approved_from(county, run):
    for officer, step in ((county["checker"], "check"), (county["approver"], "approve")):
        run.case.refresh_from_db()
        run = services.payroll_step(actor=officer, run_id=run.pk, step=step, version=run.case.version)
    return run


def line_of(run, household) -> PayrollLine:
    return PayrollLine.objects.select_related("account").get(run=run, household=household)


def test_the_guardian_named_is_paid_from_the_next_payroll_and_the_head_again_after(county, orphan):
    household = orphan["household"]
    run = services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    line = line_of(run, household)
    assert (line.payee_name, line.account_id) == ("钱小明", None)  # the boy has no account: held

    named = services.household_payee_set(
        actor=county["township"], household_id=household.pk, person_id=orphan["钱奶奶"].pk,
        reason="户主未成年，由祖母监护", seen=None,
    )
    run.case.refresh_from_db()
    run = services.payroll_redraft(actor=county["maker"], run_id=run.pk, version=run.case.version,
                                   reason="祖母为收款人")
    line = line_of(run, household)
    assert line.payee_name == "钱奶奶"
    assert line.account.number == GUARDIAN_ACCOUNT
    assert line.amount == 900
    # The household's history says who named whom and why.
    record = ChangeRecord.objects.filter(event="householdpayee.named").get()
    assert (record.reason, record.after) == ("户主未成年，由祖母监护", {"payee": "钱奶奶"})

    # Back to the head: the naming ends (kept), the next month pays the head.
    assert services.household_payee_set(
        actor=county["township"], household_id=household.pk, person_id=None,
        reason="户主已由法院指定新监护人", seen=named.pk,
    ) is None
    namings = [(row.person.name, row.ended_at is None) for row in HouseholdPayee.objects.all()]
    assert namings == [("钱奶奶", False)]
    run = approved_from(county, run)
    later = services.payroll_draft(actor=county["maker"], county="371302", month=OCTOBER)
    assert line_of(later, household).payee_name == "钱小明"


def test_a_minor_another_area_a_stale_form_or_no_reason_change_nothing(county, orphan, yinan_village,
                                                                      make_household):
    household = orphan["household"]
    township = county["township"]

    def name(person_id, reason="祖母监护", seen=None, actor=township):
        return services.household_payee_set(actor=actor, household_id=household.pk, person_id=person_id,
                                            reason=reason, seen=seen)

    with pytest.raises(ValidationError) as minor:
        name(orphan["钱小红"].pk)
    assert "未满18" in str(minor.value) or "未成年" in str(minor.value)
    with pytest.raises(ValidationError):
        name(orphan["钱奶奶"].pk, reason="")
    with pytest.raises(ValidationError):
        name(orphan["钱奶奶"].pk, reason="祖母\x00监护")
    with pytest.raises(ValidationError):  # the head is paid already
        name(orphan["钱小明"].pk)
    stranger = make_household(yinan_village, user(Role.COUNTY_BUREAU, "371321"),
                              members=[("沂南某", 1, "02", datetime.date(1960, 1, 1))])
    with pytest.raises(ValidationError):  # a person of another county is not in the township's area
        name(stranger.head_id)
    with pytest.raises(ObjectDoesNotExist):  # another county's officer: no such household for them
        name(orphan["钱奶奶"].pk, actor=user(Role.COUNTY_BUREAU, "371321"))
    with pytest.raises(PermissionDenied):  # the finance officer pays; it does not choose the payee
        name(orphan["钱奶奶"].pk, actor=county["checker"])
    assert not HouseholdPayee.objects.exists()

    first = name(orphan["钱奶奶"].pk)
    with pytest.raises(ConflictError):  # a form read before that naming
        name(None, reason="撤销", seen=None)
    with pytest.raises(ConflictError):
        name(None, reason="撤销", seen=first.pk + 1)
    assert list(HouseholdPayee.objects.values_list("pk", "ended_at")) == [(first.pk, None)]


def test_the_township_names_the_payee_on_its_page_and_the_api_tells_the_same(county, orphan):
    household = orphan["household"]
    page = Client()
    page.force_login(county["township"])
    url = f"/payments/households/{household.pk}/payee/"
    body = page.get(url).content.decode()
    assert "钱奶奶" in body and "钱小红" not in body  # the ten-year-old is not offered
    assert page.post(url, {"person": orphan["钱奶奶"].pk, "reason": "祖母\x00监护"}).status_code == 400
    assert page.post(url, {"person": "99999999999999999999999", "reason": "监护"}).status_code == 400
    assert not HouseholdPayee.objects.exists()
    response = page.post(url, {"person": orphan["钱奶奶"].pk, "reason": "户主未成年，由祖母监护"})
    assert response.status_code == 302
    household_page = page.get(f"/registry/households/{household.pk}/").content.decode()
    assert "户主未成年，由祖母监护" in household_page
    # The same form sent again, read before the naming: told, nothing changed.
    again = page.post(url, {"person": household.head_id, "reason": "撤销"})
    assert again.status_code == 400 and "刷新" in again.content.decode()
    assert HouseholdPayee.objects.filter(ended_at__isnull=True).count() == 1

    finance = Client()
    finance.force_login(county["checker"])
    assert "payee-form" not in finance.get(url).content.decode()
    assert finance.post(url, {"person": household.head_id, "reason": "撤销"}).status_code == 403
    other = Client()
    other.force_login(user(Role.COUNTY_BUREAU, "371321"))
    assert other.get(url).status_code == 404

    token = api_token_create(user=county["maker"], name="t")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    shown = api.get(f"/api/v1/household-payees/{household.pk}").json()
    assert (shown["name"], shown["named"]) == ("钱奶奶", True)
    stale = api.post(f"/api/v1/household-payees/{household.pk}", {"person_id": None, "reason": "撤销"},
                     content_type="application/json")
    assert stale.status_code == 409
    back = api.post(f"/api/v1/household-payees/{household.pk}",
                    {"person_id": None, "reason": "撤销", "seen": shown["named_id"]},
                    content_type="application/json")
    assert back.status_code == 200 and (back.json()["name"], back.json()["named"]) == ("钱小明", False)


def test_a_payee_named_since_last_month_is_shown_to_the_checker_among_what_moved(county, orphan):
    household = orphan["household"]
    approved_from(county, services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER))
    services.household_payee_set(
        actor=county["township"], household_id=household.pk, person_id=orphan["钱奶奶"].pk,
        reason="户主未成年，由祖母监护", seen=None,
    )
    run = services.payroll_draft(actor=county["maker"], county="371302", month=OCTOBER)
    line = PayrollLine.objects.get(run=run, household=household, kind="regular")
    assert (line.payee_name, line.change, line.reason) == ("钱奶奶", "same", "收款人与上月不同")
    assert run.changes["payee_changed"] == 1  # the other households are paid as before
    page = Client()
    page.force_login(county["checker"])
    assert "收款人变更: <strong>1</strong>" in page.get(f"/payments/runs/{run.pk}/").content.decode()
