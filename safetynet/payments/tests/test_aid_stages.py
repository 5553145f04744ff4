"""Temporary aid the county decides to pay in monthly stages through its payroll: each stage is one
line of the month it falls due (never a second: a database constraint), paid to the household's
account, recorded on the aid as paid when the bank says so, booked in the ledger once (not again as
a township's payment); a failed stage is paid again once the account is corrected. The township
may not pay such an aid itself, and a traveller's aid is not staged."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from safetynet.payments import services
from safetynet.payments.models import LedgerEntry, PayrollLine
from safetynet.payments.tests.test_payroll import result_csv
from safetynet.programmes.aid import services as aid_services
from safetynet.programmes.models import AidInstalment, TemporaryAid

pytestmark = pytest.mark.django_db
Line = PayrollLine


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def month_after(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def in_month(month: datetime.date) -> datetime.datetime:
    """A moment on the 5th of `month` (a payroll drafted then may pay that month)."""
    return timezone.make_aware(datetime.datetime(month.year, month.month, 5, 10))


def referred(county, household, amount="7000") -> TemporaryAid:
    """An emergency of the household's head above the township's cap, referred to the county."""
    aid = aid_services.emergency_report(
        actor=county["township"],
        area_code=household.village_id,
        cause="fire",
        what="房屋失火，家当全毁",
        person_id=household.head_id,
    )
    return aid_services.aid_refer_county(
        actor=county["township"], aid_id=aid.pk, version=aid.version, amount=amount, reason="超过乡镇审批额度"
    )


def run_through(county, month, *, fail=None):
    """Draft, check, approve and export the month's payroll, and read the bank's result back."""
    at = in_month(month)
    run = services.payroll_draft(actor=county["maker"], county="371302", month=month, at=at)
    run = services.payroll_step(
        actor=county["checker"], run_id=run.pk, step="check", version=run.case.version
    )
    run.case.refresh_from_db()
    services.payroll_step(actor=county["approver"], run_id=run.pk, step="approve", version=run.case.version)
    run.case.refresh_from_db()
    bank_file = services.payroll_export(actor=county["checker"], run_id=run.pk, version=run.case.version)
    run.case.refresh_from_db()
    services.payroll_result_import(
        actor=county["checker"],
        run_id=run.pk,
        version=run.case.version,
        name="result.csv",
        data=result_csv(bank_file, fail=fail),
        at=at,
    )
    run.refresh_from_db()
    return run


def temporary_in_ledger(kind: str) -> Decimal:
    return LedgerEntry.objects.filter(kind=kind, programme="temporary").aggregate(t=Sum("amount"))[
        "t"
    ] or Decimal("0")


def test_the_county_pays_an_aid_in_stages_through_its_payroll_once_each(county):
    household = county["households"][0]  # 王一, with an account
    aid = referred(county, household)
    aid = aid_services.aid_county_decide(
        actor=county["maker"], aid_id=aid.pk, version=aid.version, amount="7000", reason="一事一议", stages=3
    )
    # No one is due to pay it by hand: the case waits for the payroll with no time limit.
    aid.case.refresh_from_db()
    assert aid.case.state == "payroll_stages" and aid.case.due_at is None
    stages = list(AidInstalment.objects.filter(aid=aid).values_list("stage", "month", "amount"))
    first = this_month()
    second, third = month_after(first), month_after(month_after(first))
    # Whole yuan each, the remainder with the first.
    assert stages == [
        (1, first, Decimal("2334.00")),
        (2, second, Decimal("2333.00")),
        (3, third, Decimal("2333.00")),
    ]
    run = run_through(county, first)
    line = Line.objects.get(run=run, kind=Line.Kind.STAGE)
    assert (line.amount, line.payee_name, line.programme, line.status) == (
        Decimal("2334.00"),
        "王一",
        "temporary",
        "paid",
    )
    assert f"临时救助第{aid.pk}号" in line.decision and line.reason == "县级决定的临时救助第 1 期"
    assert run.changes["stage"] == 1
    aid.refresh_from_db()
    assert aid.paid_total == Decimal("2334.00") and aid.case.state == "first_aid_paid"
    # Paid first, the township may not pay the rest by hand as well.
    with pytest.raises(ValidationError, match="由发放名册发放，乡镇不另行支付"):
        aid_services.aid_pay(
            actor=county["township"], aid_id=aid.pk, version=aid.version, amount="100", means="cash"
        )
    payment = aid.payments.get()
    assert (payment.means, payment.amount, payment.paid_by) == ("bank", Decimal("2334.00"), county["checker"])
    # Booked once: by the payroll's lines, not again as a township's payment.
    assert services.aid_payments_book() == 0
    assert temporary_in_ledger("paid") == Decimal("2334.00")
    assert not LedgerEntry.objects.filter(kind="aid_paid").exists()

    # The next month pays the second stage only; a second line for the first is refused by the database.
    run = run_through(county, second)
    assert list(
        Line.objects.filter(run=run, kind=Line.Kind.STAGE).values_list("aid_instalment__stage", flat=True)
    ) == [2]
    aid.refresh_from_db()
    assert aid.paid_total == Decimal("4667.00") and aid.payments.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        first_line = Line.objects.get(kind=Line.Kind.STAGE, aid_instalment__stage=1)
        first_line.pk = None
        first_line.run = run
        first_line.save()
    assert temporary_in_ledger("paid") == Decimal("4667.00")


def test_a_failed_stage_is_paid_again_once_the_account_is_corrected(county):
    household = county["households"][1]  # 李二
    aid = referred(county, household, amount="6000")
    aid = aid_services.aid_county_decide(
        actor=county["maker"], aid_id=aid.pk, version=aid.version, amount="6000", reason="一事一议", stages=2
    )
    first = this_month()
    run = run_through(county, first, fail={"李二": "账户冻结"})
    assert Line.objects.get(run=run, kind=Line.Kind.STAGE).status == "failed"
    aid.refresh_from_db()
    assert aid.paid_total == 0 and not aid.payments.exists()
    services.account_open(
        actor=county["township"],
        holder_kind="person",
        holder_id=household.head_id,
        kind="bank_card",
        bank="icbc",
        number="6222020000000000037",
    )
    second = month_after(first)
    run = run_through(county, second)
    lines = Line.objects.filter(run=run, household=household, programme="temporary").order_by("kind")
    assert [(line.kind, line.amount, line.status) for line in lines] == [
        ("reissue", Decimal("3000.00"), "paid"),
        ("stage", Decimal("3000.00"), "paid"),
    ]
    aid.refresh_from_db()
    assert aid.paid_total == Decimal("6000.00") and aid.payments.count() == 2
    assert temporary_in_ledger("paid") == Decimal("6000.00")
    assert temporary_in_ledger("failed") == Decimal("3000.00")


def test_stages_are_refused_where_the_payroll_cannot_pay_them(county, make_household, yinan_village):
    from conftest import user
    from safetynet.core.models import Role

    household = county["households"][0]
    aid = referred(county, household)
    for stages, words in ((13, "1 到 12"), ("两", "1 到 12"), (True, "1 到 12")):
        with pytest.raises(ValidationError, match=words):
            aid_services.aid_county_decide(
                actor=county["maker"],
                aid_id=aid.pk,
                version=aid.version,
                amount="7000",
                reason="r",
                stages=stages,
            )
    with pytest.raises(ValidationError, match="少于 1 元"):
        aid_services.aid_county_decide(
            actor=county["maker"], aid_id=aid.pk, version=aid.version, amount="5", reason="r", stages=12
        )
    aid.refresh_from_db()
    assert aid.case.state == "county_review" and not AidInstalment.objects.exists()

    # A traveller registered in another county is paid by the township, not staged here.
    yinan = make_household(
        yinan_village,
        user(Role.COUNTY_BUREAU, "371321"),
        members=[("沂南旅客", 1, "02", datetime.date(1970, 1, 1))],
    )
    traveller = aid_services.emergency_report(
        actor=county["township"],
        area_code=household.village_id,
        cause="traffic",
        what="途经车祸",
        name="沂南旅客",
        id_number=yinan.head.id_number,
    )
    traveller = aid_services.aid_refer_county(
        actor=county["township"], aid_id=traveller.pk, version=traveller.version, amount="6000", reason="超额"
    )
    with pytest.raises(ValidationError, match="本县登记"):
        aid_services.aid_county_decide(
            actor=county["maker"],
            aid_id=traveller.pk,
            version=traveller.version,
            amount="6000",
            reason="r",
            stages=2,
        )
    traveller.refresh_from_db()
    assert traveller.case.state == "county_review" and traveller.approved_amount is None


def test_a_stage_is_paid_to_the_household_s_payee_and_stages_stopped_are_not_drafted(
    county, make_household, lanshan_village
):
    from safetynet.core.workflows.services import case_transition
    from safetynet.programmes.services import enrolment_start

    household = make_household(
        lanshan_village,
        county["maker"],
        members=[
            ("钱小明", 1, "02", datetime.date(2014, 5, 1)),
            ("钱奶奶", 2, "62", datetime.date(1956, 2, 2)),
        ],
    )
    enrolment_start(
        actor=county["maker"], household=household, programme="dibao", since=this_month(), amount="900"
    )
    grandmother = household.memberships.get(person__name="钱奶奶").person
    services.account_open(
        actor=county["township"],
        holder_kind="person",
        holder_id=grandmother.pk,
        kind="one_card",
        bank="rcb",
        number="6228480000000000777",
    )
    services.household_payee_set(
        actor=county["township"],
        household_id=household.pk,
        person_id=grandmother.pk,
        reason="户主未成年，由祖母监护",
        seen=None,
    )
    aid = referred(county, household)  # for the boy, the head
    with pytest.raises(ValidationError, match="整元"):
        aid_services.aid_county_decide(
            actor=county["maker"], aid_id=aid.pk, version=aid.version, amount="7000.50", reason="r", stages=3
        )
    aid = aid_services.aid_county_decide(
        actor=county["maker"], aid_id=aid.pk, version=aid.version, amount="7000", reason="一事一议", stages=2
    )
    # Not closed while its stages wait for the payroll.
    aid.case.refresh_from_db()
    with pytest.raises(ValidationError, match="等待发放名册"):
        case_transition(
            actor=county["maker"],
            case_id=aid.case_id,
            transition="close",
            version=aid.case.version,
            reason="r",
        )

    first = this_month()
    run = services.payroll_draft(actor=county["maker"], county="371302", month=first, at=in_month(first))
    line = Line.objects.select_related("account").get(run=run, kind=Line.Kind.STAGE)
    assert (line.payee_name, line.account.number, line.person_id) == (
        "钱奶奶",
        "6228480000000000777",
        aid.person_id,
    )

    # The county stops what the payroll has not taken (a redraft then leaves the first stage out and
    # no later month drafts the second); nothing is stopped twice, and a township stops nothing.
    aid.refresh_from_db()
    with pytest.raises(PermissionDenied):
        aid_services.aid_stages_stop(actor=county["township"], aid_id=aid.pk, version=aid.version, reason="r")
    stopped = aid_services.aid_stages_stop(
        actor=county["maker"], aid_id=aid.pk, version=aid.version, reason="受助人已死亡"
    )
    assert stopped == 2
    aid.refresh_from_db()
    with pytest.raises(ValidationError, match="没有等待"):
        aid_services.aid_stages_stop(
            actor=county["maker"], aid_id=aid.pk, version=aid.version, reason="again"
        )
    run.case.refresh_from_db()
    run = services.payroll_redraft(
        actor=county["maker"], run_id=run.pk, version=run.case.version, reason="停发"
    )
    assert not Line.objects.filter(run=run, kind=Line.Kind.STAGE).exists()
    aid.case.refresh_from_db()
    case_transition(
        actor=county["maker"],
        case_id=aid.case_id,
        transition="close",
        version=aid.case.version,
        reason="停发",
    )
    aid.case.refresh_from_db()
    assert aid.case.state == "closed" and aid.paid_total == 0


def test_the_api_decides_stages_only_from_a_whole_number_and_stops_them(county):
    from django.test import Client

    from safetynet.core.services import api_token_create

    aid = referred(county, county["households"][0])
    token = api_token_create(user=county["maker"], name="t")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/programmes/temporary-aid/{aid.pk}/county-decision"
    body = {"version": aid.version, "amount": "6000", "reason": "一事一议"}
    for stages in (True, "3", 2.5, 13, -1):  # a flag, text, a fraction, too many, negative
        answer = api.post(url, {**body, "stages": stages}, content_type="application/json")
        assert answer.status_code == 422, stages
    assert not AidInstalment.objects.exists()
    answer = api.post(url, {**body, "stages": 2}, content_type="application/json")
    assert answer.status_code == 200
    shown = answer.json()
    assert shown["state"] == "payroll_stages"
    assert [(s["stage"], s["amount"], s["paid"], s["stopped"]) for s in shown["stages"]] == [
        (1, "3000.00", False, False),
        (2, "3000.00", False, False),
    ]
    stop = f"/api/v1/programmes/temporary-aid/{aid.pk}/stages/stop"
    assert api.post(
        stop, {"version": shown["version"], "reason": ""}, content_type="application/json"
    ).status_code in (
        400,
        422,
    )
    answer = api.post(
        stop, {"version": shown["version"], "reason": "需求已消失"}, content_type="application/json"
    )
    assert answer.status_code == 200 and all(s["stopped"] for s in answer.json()["stages"])
