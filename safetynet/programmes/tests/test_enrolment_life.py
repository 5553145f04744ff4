"""The life of an enrolment: a member's death opens a review that the township visits and the
county decides, ending the household's 低保 with a written notice; periodic reviews come due by the
household's kind; a new standard adjusts every enrolment it changes from its month, once, as a
batch; a household moving to another county is paid by exactly one county each month; fraud
terminates and orders what was overpaid recovered; and what no form would send changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.models import Case, Role
from safetynet.core.services import ConflictError
from safetynet.programmes.life import selectors, services
from safetynet.programmes.models import (
    Enrolment,
    EnrolmentDecision,
    RecoveryOrder,
    Review,
    Standard,
    StandardAdjustment,
    Transfer,
)
from safetynet.programmes.selectors import first_of_next_month, standard_at
from safetynet.programmes.services import enrolment_start
from safetynet.registry import services as registry
from safetynet.registry.models import Membership
from safetynet.registry.selectors import household_get

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"
YINAN_VILLAGE = YINAN_TOWNSHIP + "201"


@pytest.fixture
def staff(db):
    return {
        "village": user(Role.VILLAGE_COORDINATOR, VILLAGE),
        "township": user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        "county": user(Role.COUNTY_BUREAU, "371302"),
        "yinan": user(Role.COUNTY_BUREAU, "371321"),
        "city": user(Role.CITY_BUREAU, "3713"),
        "city2": user(Role.CITY_BUREAU, "3713"),
    }


@pytest.fixture
def couple(make_household, staff):
    """An urban household of two without income, receiving 低保 for a year and a half."""
    household = make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="urban",
        members=[("韩一", 1, "02", datetime.date(1950, 1, 1)), ("韩二", 2, "10", datetime.date(1952, 3, 3))],
    )
    since = services.add_months(timezone.localdate(), -18)
    enrolment_start(
        actor=staff["county"],
        household=household,
        programme="dibao",
        since=since,
        amount=Decimal("900.00"),
        decision="兰民救〔2025〕1号",
    )
    return household


def dibao(household) -> Enrolment:
    return Enrolment.objects.get(household=household, programme="dibao", until__isnull=True)


def visit(staff, review):
    return services.review_visit_record(
        actor=staff["township"],
        review_id=review.pk,
        version=review.version,
        visitors=["李明", "王芳"],
        visited_on=timezone.localdate(),
        findings="韩一已故，韩二独居，无收入",
    )


def test_a_death_opens_a_review_that_ends_the_household_s_dibao_with_a_notice(couple, staff):
    died = timezone.localdate()
    membership = Membership.objects.get(household=couple, person__name="韩一")
    registry.member_remove(actor=staff["village"], membership=membership, left_on=died, reason="deceased")
    review = Review.objects.get(household=couple)
    assert review.reason == "death" and review.person.name == "韩一"
    assert review.due_on == services.months_after(died, 3)  # completed within 3 months of the death
    assert review.case.state == "visit" and review.case.division_id == VILLAGE
    # The county cannot decide before the township has visited.
    with pytest.raises(ValidationError):
        services.review_decide(
            actor=staff["county"],
            review_id=review.pk,
            version=review.version,
            outcome="terminate",
            reasons="家庭人口变化后不再符合条件",
        )
    review = visit(staff, review)
    assert Case.objects.get(pk=review.case_id).state == "decide"
    with pytest.raises(PermissionDenied):  # the township does not decide
        services.review_decide(
            actor=staff["township"],
            review_id=review.pk,
            version=review.version,
            outcome="terminate",
            reasons="不再符合",
        )
    services.review_decide(
        actor=staff["county"],
        review_id=review.pk,
        version=review.version,
        outcome="terminate",
        reasons="家庭人口变化后人均收入超过保障标准",
    )
    review.refresh_from_db()
    ended = Enrolment.objects.get(household=couple, programme="dibao")
    next_month = first_of_next_month(timezone.localdate())
    assert ended.until == next_month and review.case.state == "decided"
    decision = EnrolmentDecision.objects.get(review=review)
    assert decision.kind == "terminated" and decision.amount_before == Decimal("900.00")
    assert decision.amount_after == 0 and decision.effective == next_month
    assert "家庭人口变化后人均收入超过保障标准" in decision.notice and "行政复议" in decision.notice
    assert decision.notice.splitlines()[0].startswith("致")


def test_a_member_moving_out_opens_a_review_and_one_review_at_a_time(couple, staff):
    review = services.review_start(
        actor=staff["village"], enrolment_id=dibao(couple).pk, reason="reported", what="家属报告：收入变化"
    )
    assert review.case.state == "visit"
    with pytest.raises(ValidationError, match="已有"):
        services.review_start(
            actor=staff["township"], enrolment_id=dibao(couple).pk, reason="visit", what="走访发现变化"
        )
    # A member marrying out is a change of the members: the open review takes it in.
    membership = Membership.objects.get(household=couple, person__name="韩二")
    registry.member_remove(actor=staff["village"], membership=membership, reason="married_out")
    review = Review.objects.get()
    assert "韩二" in review.what and "收入变化" in review.what and review.reason == "reported"


def test_a_member_leaving_opens_a_review_within_a_month_a_mistake_none(couple, staff):
    second = Membership.objects.get(household=couple, person__name="韩二")
    registry.member_remove(actor=staff["village"], membership=second, reason="correction")
    assert not Review.objects.exists()
    first = Membership.objects.get(household=couple, person__name="韩一")
    registry.member_remove(actor=staff["village"], membership=first, reason="moved")
    review = Review.objects.get()
    assert review.reason == "reported" and review.due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert "韩一" in review.what


def test_adjusting_continues_the_enrolment_at_the_new_amount_from_next_month(couple, staff):
    enrolment = dibao(couple)
    review = visit(
        staff,
        services.review_start(
            actor=staff["township"], enrolment_id=enrolment.pk, reason="reported", what="韩二开始领取养老金"
        ),
    )
    services.review_decide(
        actor=staff["county"],
        review_id=review.pk,
        version=review.version,
        outcome="adjust",
        amount="650",
        reasons="新增养老金收入",
    )
    old, new = Enrolment.objects.filter(household=couple, programme="dibao").order_by("since")
    next_month = first_of_next_month(timezone.localdate())
    assert old.until == new.since == next_month and new.previous_id == old.pk and new.until is None
    assert new.amount == Decimal("650") and new.county_id == "371302"
    assert EnrolmentDecision.objects.get(review=review).successor == new


def test_stale_and_absurd_decisions_change_nothing(couple, staff):
    review = visit(
        staff,
        services.review_start(
            actor=staff["township"], enrolment_id=dibao(couple).pk, reason="reported", what="收入变化"
        ),
    )
    for bad in ({"amount": "-5"}, {"amount": "1e9"}, {"amount": "12.345"}, {"amount": "NaN"}):
        with pytest.raises(ValidationError):
            services.review_decide(
                actor=staff["county"],
                review_id=review.pk,
                version=review.version,
                outcome="adjust",
                reasons="收入变化",
                **bad,
            )
    with pytest.raises(ValidationError):
        services.review_decide(
            actor=staff["county"],
            review_id=review.pk,
            version=review.version,
            outcome="adjust",
            amount="500",
            reasons="含\x00字符",
        )
    with pytest.raises(ValidationError):  # a phase-out is at most 6 months
        services.review_decide(
            actor=staff["county"],
            review_id=review.pk,
            version=review.version,
            outcome="phase_out",
            months=7,
            reasons="就业",
        )
    with pytest.raises(ValidationError):  # not on the first of a month
        services.review_decide(
            actor=staff["county"],
            review_id=review.pk,
            version=review.version,
            outcome="suspend",
            reasons="暂停",
            effective=first_of_next_month(timezone.localdate()) + datetime.timedelta(days=3),
        )
    with pytest.raises(Review.DoesNotExist):
        services.review_decide(
            actor=staff["county"], review_id=10**20, version=1, outcome="continue", reasons=""
        )
    services.review_decide(
        actor=staff["county"], review_id=review.pk, version=review.version, outcome="continue", reasons=""
    )
    with pytest.raises(ConflictError):  # the other officer, deciding on what they saw
        services.review_decide(
            actor=staff["county"],
            review_id=review.pk,
            version=review.version,
            outcome="terminate",
            reasons="不再符合",
        )
    assert Enrolment.objects.filter(household=couple).count() == 1 and dibao(couple).amount == 900
    assert EnrolmentDecision.objects.get().kind == "continued"
    # Another county's officer does not find it.
    with pytest.raises(Review.DoesNotExist):
        services.review_visit_record(
            actor=staff["yinan"],
            review_id=review.pk,
            version=review.version,
            visitors=["甲", "乙"],
            visited_on=timezone.localdate(),
            findings="x",
        )


def test_a_phase_out_pays_on_for_the_months_decided_then_ends(couple, staff):
    review = visit(
        staff,
        services.review_start(
            actor=staff["township"],
            enrolment_id=dibao(couple).pk,
            reason="work",
            what="韩二就业，月收入2000元",
        ),
    )
    services.review_decide(
        actor=staff["county"],
        review_id=review.pk,
        version=review.version,
        outcome="phase_out",
        months=3,
        reasons="就业后收入超过标准，给予渐退期",
    )
    next_month = first_of_next_month(timezone.localdate())
    enrolment = Enrolment.objects.get(household=couple)
    assert enrolment.until == services.add_months(next_month, 3) and enrolment.amount == 900
    assert EnrolmentDecision.objects.get().kind == "phase_out"


def test_fraud_terminates_and_orders_what_was_overpaid_recovered(couple, staff):
    enrolment = dibao(couple)
    review = visit(
        staff,
        services.review_start(
            actor=staff["county"], enrolment_id=enrolment.pk, reason="fraud", what="隐瞒经营收入"
        ),
    )
    next_month = first_of_next_month(timezone.localdate())
    since = services.add_months(next_month, -4)
    with pytest.raises(ValidationError):  # before the assistance began
        services.review_decide(
            actor=staff["county"],
            review_id=review.pk,
            version=review.version,
            outcome="terminate",
            reasons="隐瞒收入",
            overpaid_from=datetime.date(2000, 1, 1),
        )
    services.review_decide(
        actor=staff["county"],
        review_id=review.pk,
        version=review.version,
        outcome="terminate",
        reasons="隐瞒经营收入，骗取低保",
        overpaid_from=since,
    )
    order = RecoveryOrder.objects.get()
    assert order.amount == Decimal("3600.00") and order.overpaid_until == next_month  # 4 months × 900


def test_a_tekun_termination_waits_seven_days_of_notice(make_household, staff):
    household = make_household(
        village(VILLAGE), staff["county"], members=[("孤一", 1, "02", datetime.date(1940, 1, 1))]
    )
    enrolment = enrolment_start(
        actor=staff["county"],
        household=household,
        programme="tekun",
        since=services.add_months(timezone.localdate(), -14),
        amount="800",
        person=household.head,
    )
    review = visit(
        staff,
        services.review_start(
            actor=staff["township"], enrolment_id=enrolment.pk, reason="reported", what="其子返乡赡养"
        ),
    )
    services.review_decide(
        actor=staff["county"],
        review_id=review.pk,
        version=review.version,
        outcome="terminate",
        reasons="有赡养能力的子女返乡",
    )
    case = Case.objects.get(pk=review.case_id)
    assert case.state == "termination_notice" and Enrolment.objects.get(pk=enrolment.pk).until is None
    from safetynet.core.workflows.services import case_transition

    with pytest.raises(ValidationError):  # the 7 days are not over
        case_transition(actor=staff["county"], case_id=case.pk, transition="terminate", version=case.version)
    Review.objects.filter(pk=review.pk).update(decided_at=timezone.now() - datetime.timedelta(days=8))
    case_transition(actor=staff["county"], case_id=case.pk, transition="terminate", version=case.version)
    assert Enrolment.objects.get(pk=enrolment.pk).until == first_of_next_month(timezone.localdate())
    assert EnrolmentDecision.objects.get().kind == "terminated"


def test_periodic_reviews_come_due_by_the_household_s_kind_and_once(make_household, couple, staff):
    today = timezone.localdate()
    recent = make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="urban",
        members=[("新一", 1, "02", datetime.date(1950, 5, 5))],
    )
    enrolment_start(
        actor=staff["county"],
        household=recent,
        programme="dibao",
        since=services.add_months(today, -7),
        amount="500",
    )
    able = make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="urban",
        members=[("壮一", 1, "02", datetime.date(1990, 5, 5))],
    )
    enrolment_start(
        actor=staff["county"],
        household=able,
        programme="dibao",
        since=services.add_months(today, -7),
        amount="500",
    )
    message = services.reviews_schedule()
    due = set(Review.objects.values_list("household_id", flat=True))
    # A year and a half without review: due. Seven months: due only with an able-bodied member.
    assert due == {couple.pk, able.pk} and "2" in message
    assert all(r.reason == "scheduled" and r.case.state == "visit" for r in Review.objects.all())
    services.reviews_schedule()
    assert Review.objects.count() == 2  # one open review each, not another


def standard_from(staff, *, county="371302", urban_rural="urban", value, day=None) -> Standard:
    day = day or first_of_next_month(timezone.localdate())
    return Standard.objects.create(
        kind="dibao",
        division_id=county,
        urban_rural=urban_rural,
        valid_from=day,
        value=value,
        status="approved",
        proposed_by=staff["city"],
        decided_by=staff["city2"],
        decided_at=timezone.now(),
    )


def test_a_higher_standard_adjusts_every_affected_enrolment_from_its_month_once(
    make_household, couple, staff
):
    rural = make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="rural",
        members=[("乡一", 1, "02", datetime.date(1950, 5, 5))],
    )
    enrolment_start(
        actor=staff["county"],
        household=rural,
        programme="dibao",
        since=services.add_months(timezone.localdate(), -5),
        amount="300",
    )
    yinan = make_household(
        village(YINAN_VILLAGE),
        staff["yinan"],
        urban_rural="urban",
        members=[("沂一", 1, "02", datetime.date(1950, 5, 5))],
    )
    enrolment_start(
        actor=staff["yinan"],
        household=yinan,
        programme="dibao",
        since=services.add_months(timezone.localdate(), -5),
        amount="500",
    )
    effective = first_of_next_month(timezone.localdate())
    old = standard_at(kind="dibao", county="371302", urban_rural="urban", on=effective)
    standard = standard_from(staff, value=old.value + 100, day=effective)
    with pytest.raises(PermissionDenied):
        services.standard_adjust(actor=staff["county"], standard_id=standard.pk)
    adjustment = services.standard_adjust(actor=staff["city"], standard_id=standard.pk)
    assert adjustment.adjusted == 1 and adjustment.effective == effective
    before, after = Enrolment.objects.filter(household=couple).order_by("since")
    assert before.until == after.since == effective and after.previous == before
    # 900, plus 100 for each of the two members and their add-ons for age (a tenth of the standard).
    assert after.amount == Decimal("1120.00")
    decision = EnrolmentDecision.objects.get(standard=standard)
    assert decision.kind == "standard" and decision.amount_after == Decimal("1120.00")
    assert str(old.value.normalize()) in decision.notice or f"{old.value:.0f}" in decision.notice
    # The rural household and 沂南's are not touched by 兰山's urban standard.
    assert Enrolment.objects.filter(household__in=[rural, yinan]).count() == 2
    assert not Enrolment.objects.filter(household__in=[rural, yinan], until__isnull=False).exists()
    # Run again (the daily job on the first day of the month): nothing is adjusted twice.
    again = services.standard_adjust(actor=staff["city"], standard_id=standard.pk)
    assert again.adjusted == 0 and EnrolmentDecision.objects.count() == 1
    assert Enrolment.objects.filter(household=couple).count() == 2
    assert StandardAdjustment.objects.count() == 2


def test_an_enrolment_beginning_with_the_new_standard_takes_its_amount_in_place(make_household, staff):
    """Decided last month at the old standard, from the month the new one begins: not yet paid, so its
    amount is set anew rather than ended and continued on the same day."""
    household = make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="urban",
        members=[("晚一", 1, "02", datetime.date(1975, 5, 5))],
    )
    effective = first_of_next_month(timezone.localdate())
    enrolment = enrolment_start(
        actor=staff["county"], household=household, programme="dibao", since=effective, amount="700"
    )
    old = standard_at(kind="dibao", county="371302", urban_rural="urban", on=effective)
    standard = standard_from(staff, value=old.value + 40, day=effective)
    services.standard_adjust(actor=staff["city"], standard_id=standard.pk)
    enrolment.refresh_from_db()
    assert enrolment.amount == Decimal("740") and enrolment.until is None
    assert EnrolmentDecision.objects.get().successor is None


def test_the_daily_job_applies_a_standard_in_its_first_month_once(couple, staff):
    this_month = timezone.localdate().replace(day=1)
    old = standard_at(kind="dibao", county="371302", urban_rural="urban", on=this_month)
    standard_from(staff, value=old.value + 50, day=this_month)
    services.standards_adjust_due()
    services.standards_adjust_due()
    assert Enrolment.objects.get(household=couple, until__isnull=True).amount == Decimal("1010.00")
    assert EnrolmentDecision.objects.count() == 1
    # Not a standard whose day has not come: the city bureau gives those notices early by hand.
    standard_from(staff, value=old.value + 80, day=first_of_next_month(timezone.localdate()))
    assert "0" in services.standards_adjust_due()
    assert EnrolmentDecision.objects.count() == 1


def test_a_household_moving_to_yinan_is_paid_by_exactly_one_county_each_month(couple, staff):
    today = timezone.localdate()
    first = first_of_next_month(today)
    with pytest.raises(PermissionDenied):
        services.transfer_hand_over(
            actor=staff["township"], household_id=couple.pk, village_code=YINAN_VILLAGE
        )
    with pytest.raises(ValidationError):  # a village of the same county is a move, not a hand-over
        services.transfer_hand_over(
            actor=staff["county"], household_id=couple.pk, village_code=LANSHAN_TOWNSHIP + "202"
        )
    village(YINAN_VILLAGE)
    transfer = services.transfer_hand_over(
        actor=staff["county"], household_id=couple.pk, village_code=YINAN_VILLAGE, note="户籍迁往沂南县"
    )
    assert transfer.first_month == first and transfer.case.division_id == YINAN_VILLAGE
    # 兰山 no longer sees the household; 沂南 does.
    with pytest.raises(ObjectDoesNotExist):
        household_get(actor=staff["county"], pk=couple.pk)
    assert household_get(actor=staff["yinan"], pk=couple.pk).village_id == YINAN_VILLAGE
    months = [services.add_months(today, k) for k in range(-3, 4)]
    payers = selectors.monthly_payers(household_id=couple.pk, programme="dibao", months=months)
    assert [len(p) for p in payers.values()] == [1] * len(months)
    counties = [p[0]["county"] for p in payers.values()]
    assert counties == ["371302"] * 4 + ["371321"] * 3
    # 沂南 confirms the amount at its own standard.
    case = Case.objects.get(pk=transfer.case_id)
    continued = Enrolment.objects.get(household=couple, county_id="371321")
    with pytest.raises(ValidationError):
        services.transfer_confirm(
            actor=staff["yinan"],
            transfer_id=transfer.pk,
            version=case.version,
            amounts={str(continued.pk): "-1"},
        )
    with pytest.raises(Transfer.DoesNotExist):
        services.transfer_confirm(
            actor=staff["county"],
            transfer_id=transfer.pk,
            version=case.version,
            amounts={str(continued.pk): "800"},
        )
    services.transfer_confirm(
        actor=staff["yinan"],
        transfer_id=transfer.pk,
        version=case.version,
        amounts={str(continued.pk): "800"},
    )
    continued.refresh_from_db()
    assert continued.amount == Decimal("800") and Case.objects.get(pk=case.pk).state == "confirmed"
    kinds = sorted(EnrolmentDecision.objects.filter(transfer=transfer).values_list("kind", flat=True))
    assert kinds == ["transfer_in", "transfer_out"]
    with pytest.raises(ObjectDoesNotExist):  # handed over: 兰山 has it no more
        services.transfer_hand_over(actor=staff["county"], household_id=couple.pk, village_code=YINAN_VILLAGE)


def test_a_household_with_a_new_standard_s_amount_pending_is_handed_over_with_it(couple, staff):
    """A rise approved for next month has continued the enrolment from then: the hand-over gives that
    month's enrolment to the other county rather than refusing or paying it twice."""
    effective = first_of_next_month(timezone.localdate())
    old = standard_at(kind="dibao", county="371302", urban_rural="urban", on=effective)
    services.standard_adjust(actor=staff["city"], standard_id=standard_from(staff, value=old.value + 100).pk)
    village(YINAN_VILLAGE)
    transfer = services.transfer_hand_over(
        actor=staff["county"], household_id=couple.pk, village_code=YINAN_VILLAGE
    )
    months = [services.add_months(timezone.localdate(), k) for k in range(-1, 3)]
    payers = selectors.monthly_payers(household_id=couple.pk, programme="dibao", months=months)
    assert [[p["county"] for p in payer] for payer in payers.values()] == [
        ["371302"],
        ["371302"],
        ["371321"],
        ["371321"],
    ]
    assert [e.amount for e in selectors.transfer_continued(transfer)] == [Decimal("1120.00")]


def test_the_third_refusal_of_work_in_a_row_starts_the_review_of_the_member_s_share(couple, staff):
    second = Membership.objects.get(household=couple, person__name="韩二").person
    today = timezone.localdate()

    def offer(days_ago, accepted=False, good_reason=""):
        return services.work_offer_record(
            actor=staff["township"],
            household_id=couple.pk,
            person_id=second.pk,
            offered="社区保洁员",
            offered_on=today - datetime.timedelta(days=days_ago),
            accepted=accepted,
            good_reason=good_reason,
        )

    offer(40)
    offer(30, good_reason="照护生病的母亲")  # a refusal with good reason does not count
    offer(20)
    offer(10)
    assert not Review.objects.exists() and services.refusals_in_a_row(second.pk) == 2
    offer(1)
    review = Review.objects.get()
    assert review.reason == "refusals" and review.person == second and "3" in review.what
    for bad in (
        {"accepted": True, "good_reason": "生病"},
        {"offered_on": today + datetime.timedelta(days=1)},
    ):
        with pytest.raises(ValidationError):
            services.work_offer_record(
                actor=staff["township"],
                household_id=couple.pk,
                person_id=second.pk,
                offered="保洁",
                **{"offered_on": today, "accepted": False, **bad},
            )
    with pytest.raises(ObjectDoesNotExist):  # another county's officer does not find the household
        services.work_offer_record(
            actor=staff["yinan"],
            household_id=couple.pk,
            person_id=second.pk,
            offered="保洁",
            offered_on=today,
            accepted=False,
        )
    # The county reduces that member's share.
    review = visit(staff, review)
    services.review_decide(
        actor=staff["county"],
        review_id=review.pk,
        version=review.version,
        outcome="reduce",
        amount="450",
        reasons="韩二无正当理由连续三次拒绝就业",
    )
    decision = EnrolmentDecision.objects.get(review=review)
    assert decision.kind == "reduced" and decision.amount_after == Decimal("450")
    assert "韩二" in decision.notice and "拒绝" in decision.notice


def test_work_offers_on_their_page(couple, staff, client):
    second = Membership.objects.get(household=couple, person__name="韩二").person
    client.force_login(staff["township"])
    url = f"/programmes/households/{couple.pk}/work-offers/"
    page = client.get(url)
    assert page.status_code == 200 and "work-offer-form" in page.content.decode()
    sent = client.post(
        url,
        {
            "person": second.pk,
            "offered": "超市理货员",
            "offered_on": timezone.localdate(),
            "accepted": "no",
            "good_reason": "",
        },
    )
    assert sent.status_code == 302
    refused = client.post(
        url, {"person": second.pk, "offered": "超市理货员", "offered_on": "2099-01-01", "accepted": "no"}
    )
    assert refused.status_code == 400 and "不能晚于今天" in refused.content.decode()
    assert "超市理货员" in client.get(url).content.decode()
    auditor = user(Role.AUDITOR, "3713")
    client.force_login(auditor)
    assert client.get(url).status_code == 200 and "work-offer-form" not in client.get(url).content.decode()
    assert (
        client.post(
            url, {"person": second.pk, "offered": "x", "offered_on": timezone.localdate(), "accepted": "no"}
        ).status_code
        == 403
    )


def test_a_member_who_splits_off_keeps_the_history_of_the_assistance_they_received(
    couple, make_household, staff, client
):
    """韩二 forms a household of her own: the old household's 低保 is reviewed (its members changed),
    and her new household's card shows what she received in the old one, during her time there."""
    new = make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="urban",
        members=[("新户主", 1, "02", datetime.date(1960, 1, 1))],
    )
    second = Membership.objects.get(household=couple, person__name="韩二").person
    registry.member_move(actor=staff["county"], person=second, to_household=new, relation="10")
    assert Review.objects.get().household == couple
    from safetynet.programmes.life import selectors as life

    rows = life.members_assistance_elsewhere(household=new, actor=staff["county"])
    assert [(r["member"], r["household_id"], r["enrolment"].amount) for r in rows] == [
        ("韩二", couple.pk, Decimal("900.00"))
    ]
    assert life.members_assistance_elsewhere(household=new, actor=staff["yinan"]) == []
    client.force_login(staff["township"])
    page = client.get(f"/registry/households/{new.pk}/").content.decode()
    assert 'id="elsewhere"' in page and "900.00" in page
