"""Applications on the statutory clock: a village coordinator hands in a 低保 application found by a
run; the township investigates (two investigators), the county fills the data match, the township
gives its opinion and posts it for 7 days; the county approves and the household receives 低保 from
next month at the rule's amount, with the explanation frozen. Near relatives of staff are flagged
and need the county's own visit; a rejected household's reconsideration re-decides the case with
the months owed; deadlines follow the official calendar; and what no form would send changes nothing."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Case, CaseEvent, ChangeRecord, Role
from safetynet.core.services import ConflictError
from safetynet.core.workdays.selectors import work_calendar
from safetynet.core.workflows.selectors import desk
from safetynet.core.workflows.services import case_extend, case_transition
from safetynet.core.workflows.table import workflow as workflow_table
from safetynet.programmes.applications import selectors, services
from safetynet.programmes.models import Appeal, Application, Enrolment, SelfCareAssessment
from safetynet.programmes.selectors import first_of_next_month
from safetynet.registry.models import Membership, Person
from safetynet.registry.visits.services import visit_record

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"
NO_RECORDS = dict.fromkeys(services.MATCH_SOURCES, "无记录")
FINE = {
    "heating": ["2"],
    "co_alarm": ["yes"],
    "co_alarm_works": ["yes"],
    "stove": ["ok"],
    "wiring": ["ok"],
    "gas": ["none"],
    "food": ["enough"],
    "clothing": ["enough"],
    "medicines": ["none_needed"],
    "house": ["safe"],
}


@pytest.fixture
def staff(db):
    return {
        "village": user(Role.VILLAGE_COORDINATOR, VILLAGE),
        "township": user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        "county": user(Role.COUNTY_BUREAU, "371302"),
        "other_county": user(Role.COUNTY_BUREAU, "371321"),
    }


@pytest.fixture
def poor(make_household, staff):
    """An urban household of one with no income: qualifies for 低保 and receives nothing."""
    return make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="urban",
        members=[("韩一", 1, "02", datetime.date(1980, 1, 1))],
    )


def step(actor, application, transition, reason="", **kwargs):
    case = Case.objects.get(pk=application.case_id)
    return case_transition(
        actor=actor, case_id=case.pk, transition=transition, version=case.version, reason=reason, **kwargs
    )


def to_county(staff, application):
    """The township's part, done properly: accept, investigate, match, opinion, 7 days of notice."""
    township = staff["township"]
    for move in ("accept", "start", "request_match"):
        step(township, application, move)
    case = Case.objects.get(pk=application.case_id)
    services.match_fill(
        actor=staff["county"],
        application_id=application.pk,
        version=case.version,
        results=NO_RECORDS,
        passes=True,
    )
    services.investigation_record(
        actor=township,
        application_id=application.pk,
        investigators=["李明", "王芳"],
        methods=["home_visit", "neighbours"],
        findings="独居，无收入，房屋自有",
    )
    step(township, application, "opinion", reason="符合低保条件，建议纳入")
    step(township, application, "publish")
    Application.objects.filter(pk=application.pk).update(  # seven days have passed
        notice_from=timezone.localdate() - datetime.timedelta(days=7),
        notice_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    step(township, application, "no_objection")


def test_found_by_staff_investigated_posted_and_approved_with_benefit_from_next_month(poor, staff):
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="found"
    )
    assert application.case.state == "submitted" and application.person == poor.head
    # On the township's desk, due in 3 working days; not on the county's yet.
    assert any(
        "韩一" in row.title
        for row in desk(actor=staff["township"]).today + desk(actor=staff["township"]).coming
    )
    township = staff["township"]
    step(township, application, "accept")
    step(township, application, "start")
    # The opinion needs the investigation and the data match: refused, in the user's words.
    with pytest.raises(ValidationError, match="不能办理"):
        step(township, application, "opinion", reason="建议纳入")
    step(township, application, "request_match")
    case = Case.objects.get(pk=application.case_id)
    with pytest.raises(PermissionDenied):  # the township does not fill the county's data match
        services.match_fill(
            actor=township,
            application_id=application.pk,
            version=case.version,
            results=NO_RECORDS,
            passes=True,
        )
    services.match_fill(
        actor=staff["county"],
        application_id=application.pk,
        version=case.version,
        results=NO_RECORDS,
        passes=True,
    )
    with pytest.raises(ValidationError, match="调查"):  # no investigation recorded yet
        step(township, application, "opinion", reason="建议纳入")
    with pytest.raises(ValidationError, match="两名"):
        services.investigation_record(
            actor=township,
            application_id=application.pk,
            investigators=["李明"],
            methods=["home_visit"],
            findings="独居",
        )
    services.investigation_record(
        actor=township,
        application_id=application.pk,
        investigators=["李明", "王芳", "李明"],
        methods=["home_visit"],
        findings="独居，无收入",
    )
    # The match passed: "does not qualify" cannot be told, so the notice cannot be skipped that way.
    with pytest.raises(ValidationError, match="符合条件|乡镇"):
        step(township, application, "tell_ineligible", reason="不符合")
    step(township, application, "opinion", reason="符合低保条件，建议纳入")
    application.refresh_from_db()
    assert application.amount is not None and application.amount > 0  # what the notice will show
    step(township, application, "publish")
    application.refresh_from_db()
    assert application.notice_until - application.notice_from == datetime.timedelta(days=7)
    board = selectors.public_notice(village_code=VILLAGE)
    assert board == [
        {
            "name": "韩一",
            "size": 1,
            "programme": "最低生活保障",
            "amount": application.amount,
            "approved": False,
            "until": application.notice_until,
        }
    ]
    with pytest.raises(ValidationError, match="公示"):  # the 7 days are not over
        step(township, application, "no_objection")
    Application.objects.filter(pk=application.pk).update(
        notice_from=timezone.localdate() - datetime.timedelta(days=7),
        notice_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    step(township, application, "no_objection")
    with pytest.raises(PermissionDenied):  # the township does not approve
        step(township, application, "approve")
    step(staff["county"], application, "approve")

    application.refresh_from_db()
    today = timezone.localdate()
    enrolment = Enrolment.objects.get(household=poor, programme="dibao")
    assert application.decision == "approved" and application.benefit_from == first_of_next_month(today)
    assert enrolment.since == first_of_next_month(today) and enrolment.amount == application.amount
    assert enrolment.decision.startswith("民政救助〔") or "〔" in enrolment.decision
    dibao = next(r for r in application.explanation["results"] if r["programme"] == "dibao")
    assert dibao["qualifies"] and Decimal(dibao["amount"]) == application.amount
    assert Case.objects.get(pk=application.case_id).closed_at is not None
    events = list(
        ChangeRecord.objects.filter(entity_type="application").order_by("pk").values_list("event", flat=True)
    )
    assert events == [
        "application.applied",
        "application.matched",
        "application.investigated",
        "application.approved",
    ]
    # A second application for the same programme: the household receives it already.
    with pytest.raises(ValidationError, match="已在享受|already"):
        services.application_start(
            actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
        )


def test_one_application_in_progress_per_household_and_two_people_acting_at_once(poor, staff):
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    with pytest.raises(ValidationError, match=str(application.pk)):
        services.application_start(
            actor=staff["township"], household_id=poor.pk, programme="dibao", channel="proxy", proxy="村委会"
        )
    case = Case.objects.get(pk=application.case_id)
    case_transition(actor=staff["township"], case_id=case.pk, transition="accept", version=case.version)
    with pytest.raises(ConflictError):  # a second officer, on the page as it was
        case_transition(
            actor=user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
            case_id=case.pk,
            transition="return",
            version=case.version,
            reason="缺户口簿",
        )
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"programme": "temporary"}, "programme"),
        ({"programme": "x" * 40}, "programme"),
        ({"channel": "phone"}, "channel"),
        ({"channel": "proxy"}, "proxy"),
        ({"channel": "proxy", "proxy": "代\x00办"}, None),
        ({"person_id": 2**62}, "person"),
        ({"run_id": 999999}, "run"),
        ({"reason": "r" * 501}, "reason"),
    ],
)
def test_what_no_form_would_send_is_refused_and_nothing_is_stored(poor, staff, changes, field):
    data = {"household_id": poor.pk, "programme": "dibao", "channel": "household"} | changes
    with pytest.raises(ValidationError) as refused:
        services.application_start(actor=staff["village"], **data)
    if field:
        assert field in refused.value.message_dict
    assert not Application.objects.exists() and not Case.objects.exists()


def test_another_county_and_other_roles_cannot_apply_or_see(poor, staff):
    from safetynet.registry.models import Household

    with pytest.raises(Household.DoesNotExist):
        services.application_start(
            actor=user(Role.TOWNSHIP_OFFICE, "371321101"),
            household_id=poor.pk,
            programme="dibao",
            channel="household",
        )
    with pytest.raises(PermissionDenied):
        services.application_start(
            actor=staff["county"], household_id=poor.pk, programme="dibao", channel="household"
        )
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    assert not selectors.applications(actor=staff["other_county"]).exists()
    assert not selectors.applications(actor=user(Role.FINANCE_OFFICER, "371302")).exists()
    with pytest.raises(PermissionDenied):
        step(staff["other_county"], application, "terminate", reason="不配合")


def test_a_near_relative_of_staff_is_flagged_and_needs_the_countys_own_visit(poor, staff):
    services.near_relative_declare(actor=staff["village"], person_id=poor.head_id, relation="堂兄")
    with pytest.raises(ValidationError):
        services.near_relative_declare(actor=staff["village"], person_id=poor.head_id, relation="堂兄")
    application = services.application_start(
        actor=staff["township"], household_id=poor.pk, programme="dibao", channel="household"
    )
    assert application.near_relative_of == [staff["village"].username]
    to_county(staff, application)
    with pytest.raises(ValidationError, match="近亲属"):
        step(staff["county"], application, "approve")
    visit_record(
        actor=staff["county"],
        household=poor,
        data={"purpose": "verification"},
        answers=FINE,
        submission=uuid.uuid4(),
    )
    step(staff["county"], application, "approve")
    assert Enrolment.objects.filter(household=poor, programme="dibao").exists()


def test_an_objection_sends_it_back_for_reinvestigation_and_a_new_notice(poor, staff):
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    township = staff["township"]
    for move in ("accept", "start", "request_match"):
        step(township, application, move)
    case = Case.objects.get(pk=application.case_id)
    services.match_fill(
        actor=staff["county"],
        application_id=application.pk,
        version=case.version,
        results=NO_RECORDS,
        passes=True,
    )
    services.investigation_record(
        actor=township,
        application_id=application.pk,
        investigators=["李明", "王芳"],
        methods=["home_visit"],
        findings="独居",
    )
    step(township, application, "opinion", reason="建议纳入")
    step(township, application, "publish")
    step(township, application, "objection", reason="邻居反映其有经营收入", data={"raised_by": "匿名"})
    assert application.objections.get().settled == ""
    step(township, application, "reopinion", reason="复查：经营已于去年停止，维持意见")
    assert application.objections.get().settled.startswith("复查")
    step(township, application, "publish")
    assert Case.objects.get(pk=application.case_id).state == "public_notice"


def test_a_match_that_shows_it_does_not_qualify_is_told_and_the_county_can_only_reject(poor, staff):
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    township = staff["township"]
    for move in ("accept", "start", "request_match"):
        step(township, application, move)
    case = Case.objects.get(pk=application.case_id)
    services.match_fill(
        actor=staff["county"],
        application_id=application.pk,
        version=case.version,
        results=NO_RECORDS | {"vehicles": "登记小型轿车一辆"},
        passes=False,
    )
    services.investigation_record(
        actor=township,
        application_id=application.pk,
        investigators=["李明", "王芳"],
        methods=["home_visit"],
        findings="有车",
    )
    with pytest.raises(ValidationError, match="不符合"):
        step(township, application, "opinion", reason="建议纳入")
    step(township, application, "tell_ineligible", reason="核对发现名下有车辆")
    step(township, application, "forward_ineligible")
    with pytest.raises(ValidationError):
        step(staff["county"], application, "approve")
    step(staff["county"], application, "reject", reason="名下有机动车辆，不符合财产条件")
    step(staff["county"], application, "notify")
    application.refresh_from_db()
    assert application.decision == "rejected" and "机动车" in application.reasons
    assert not Enrolment.objects.exists()


def test_a_reconsideration_re_decides_a_rejection_with_the_months_owed(poor, staff):
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    to_county(staff, application)
    county = staff["county"]
    step(county, application, "reject", reason="收入核算有误")
    today = timezone.localdate()
    decided = today.replace(day=1) - datetime.timedelta(days=70)  # about three months ago
    # The household lived as it does now on the day of that decision (the re-decision reads that day).
    Membership.objects.filter(household=poor).update(joined_on=datetime.date(2020, 1, 1))
    Application.objects.filter(pk=application.pk).update(
        decided_at=datetime.datetime.combine(decided, datetime.time(10), tzinfo=datetime.UTC)
    )
    with pytest.raises(ValidationError):  # filed before the decision
        services.appeal_file(
            actor=county,
            application_id=application.pk,
            kind="reconsideration",
            filed_on=decided - datetime.timedelta(days=1),
            body="兰山区人民政府",
        )
    appeal = services.appeal_file(
        actor=county,
        application_id=application.pk,
        kind="reconsideration",
        filed_on=decided + datetime.timedelta(days=5),
        body="兰山区人民政府",
    )
    with pytest.raises(ValidationError):  # one pending appeal at a time
        services.appeal_file(
            actor=county, application_id=application.pk, kind="lawsuit", filed_on=today, body="兰山区人民法院"
        )
    with pytest.raises(ValidationError):  # re-decided needs the reasons
        services.appeal_decide(
            actor=county, appeal_id=appeal.pk, version=1, outcome="redecided", outcome_on=today
        )
    services.appeal_decide(
        actor=county,
        appeal_id=appeal.pk,
        version=1,
        outcome="redecided",
        outcome_on=today,
        note="复议决定：撤销原决定，予以纳入",
    )
    appeal.refresh_from_db()
    application.refresh_from_db()
    since = first_of_next_month(decided)
    months = (today.year - since.year) * 12 + today.month - since.month  # before this month
    enrolment = Enrolment.objects.get(household=poor, programme="dibao")
    assert application.decision == "approved" and enrolment.since == since
    assert appeal.arrears_months == months >= 2 and appeal.arrears == enrolment.amount * months
    # The written rejection had not been handed over: the case ends approved on appeal, and nothing
    # can end it otherwise now.
    case = Case.objects.get(pk=application.case_id)
    assert case.state == "approved_on_appeal" and case.closed_at is not None
    with pytest.raises(ValidationError):  # the same outcome sent twice
        services.appeal_decide(
            actor=county, appeal_id=appeal.pk, version=1, outcome="upheld", outcome_on=today
        )
    assert Appeal.objects.get().outcome == "redecided"


def test_the_six_item_assessment_sets_the_care_tier(poor, staff):
    county = staff["county"]
    with pytest.raises(PermissionDenied):
        services.self_care_assess(actor=staff["township"], person_id=poor.head_id, cannot=["eating"])
    with pytest.raises(ValidationError):
        services.self_care_assess(actor=county, person_id=poor.head_id, cannot=["flying"])
    for cannot, level in (
        ([], 1),
        (["eating"], 2),
        (["eating", "dressing", "bed"], 2),
        (["eating", "dressing", "bed", "toilet"], 3),
        (list(SelfCareAssessment.ITEMS), 3),
    ):
        assessment = services.self_care_assess(
            actor=county, person_id=poor.head_id, cannot=cannot, reason="年度评估"
        )
        assert assessment.level == level and Person.objects.get(pk=poor.head_id).self_care == level


def test_deadlines_follow_the_official_calendar_with_its_working_weekends(poor, staff):
    """Accepted on Thursday 28 September 2023: National Day runs 29 September to 6 October and
    Saturday 7 and Sunday 8 October are worked, so the investigation must start by Monday 9 October."""
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    accepted_at = datetime.datetime(2023, 9, 28, 9, 0, tzinfo=datetime.UTC)
    step(staff["township"], application, "accept", at=accepted_at)
    case = Case.objects.get(pk=application.case_id)
    assert timezone.localtime(case.due_at).date() == datetime.date(2023, 10, 9)
    step(staff["township"], application, "start", at=accepted_at)
    # Investigating: within the 30 working days from acceptance (the holiday week not counted).
    case.refresh_from_db()
    assert timezone.localtime(case.due_at).date() == datetime.date(2023, 11, 15)
    assert CaseEvent.objects.filter(case=case).count() == 3


def test_a_reported_change_of_ability_is_re_assessed_by_the_county_within_10_working_days(
    make_household, staff
):
    from safetynet.programmes.services import enrolment_start

    household = make_household(
        village(VILLAGE), staff["county"], members=[("孤老乙", 1, "02", datetime.date(1938, 1, 1))]
    )
    with pytest.raises(ValidationError, match="特困"):  # not receiving 特困: no such report
        services.self_care_change_report(
            actor=staff["township"], person_id=household.head_id, what="跌倒骨折"
        )
    enrolment_start(
        actor=staff["county"],
        household=household,
        programme="tekun",
        since=datetime.date(2022, 1, 1),
        amount="900",
        person=household.head,
    )
    with pytest.raises(PermissionDenied):
        services.self_care_change_report(actor=staff["county"], person_id=household.head_id, what="跌倒骨折")
    report = services.self_care_change_report(
        actor=staff["township"], person_id=household.head_id, what="跌倒骨折，卧床"
    )
    with pytest.raises(ValidationError):  # one report waiting at a time
        services.self_care_change_report(actor=staff["village"], person_id=household.head_id, what="又跌倒")
    case = Case.objects.get(pk=report.case_id)
    assert case.workflow == "programmes.self_care_change" and case.closed_at is None
    working_days = work_calendar().working_days_between(
        timezone.localdate(), timezone.localtime(case.due_at).date()
    )
    assert working_days == 10
    assert any(
        "孤老乙" in row.title
        for row in desk(actor=staff["county"]).coming + desk(actor=staff["county"]).today
    )
    services.self_care_assess(
        actor=staff["county"],
        person_id=household.head_id,
        cannot=["bed", "toilet", "walking", "bathing", "dressing"],
        reason="骨折后",
    )
    case.refresh_from_db()
    report.refresh_from_db()
    assert case.closed_at is not None and report.assessment.level == 3
    assert Person.objects.get(pk=household.head_id).self_care == 3


def test_the_county_extends_the_30_working_days_to_45_with_a_reason_once(poor, staff):
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    accepted_at = datetime.datetime(2023, 9, 28, 9, 0, tzinfo=datetime.UTC)
    step(staff["township"], application, "accept", at=accepted_at)
    step(staff["township"], application, "start", at=accepted_at)
    case = Case.objects.get(pk=application.case_id)
    assert timezone.localtime(case.due_at).date() == datetime.date(2023, 11, 15)  # 30 working days
    with pytest.raises(PermissionDenied):
        case_extend(
            actor=staff["township"], case_id=case.pk, version=case.version, amount=15, reason="人户分离"
        )
    with pytest.raises(ValidationError):  # a reason is required
        case_extend(actor=staff["county"], case_id=case.pk, version=case.version, amount=15, reason=" ")
    with pytest.raises(ValidationError):  # 45 at most
        case_extend(
            actor=staff["county"], case_id=case.pk, version=case.version, amount=16, reason="人户分离"
        )
    case_extend(
        actor=staff["county"], case_id=case.pk, version=case.version, amount=15, reason="人户分离，需异地核查"
    )
    case.refresh_from_db()
    assert timezone.localtime(case.due_at).date() == datetime.date(2023, 12, 6)  # 45 working days
    event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
    assert event.kind == "extended" and event.reason.startswith("人户分离")
    with pytest.raises(ValidationError):  # nothing left to extend
        case_extend(actor=staff["county"], case_id=case.pk, version=case.version, amount=1, reason="再延")
    # The next step keeps the longer limit.
    step(staff["township"], application, "request_match", at=accepted_at)
    assert Case.objects.get(pk=case.pk).extension == 15
    # 特困 has no extension: its 15 working days stand.
    assert workflow_table("programmes.tekun_application").max_extension == 0


def test_a_tekun_approval_needs_the_assessment_and_replaces_a_lone_persons_dibao(make_household, staff):
    from safetynet.programmes.services import enrolment_start

    household = make_household(
        village(VILLAGE), staff["county"], members=[("孤老丁", 1, "02", datetime.date(1940, 1, 1))]
    )
    Membership.objects.filter(household=household).update(joined_on=datetime.date(2020, 1, 1))
    dibao = enrolment_start(
        actor=staff["county"],
        household=household,
        programme="dibao",
        since=datetime.date(2022, 1, 1),
        amount="450",
    )
    application = services.application_start(
        actor=staff["village"],
        household_id=household.pk,
        programme="tekun",
        channel="found",
        person_id=household.head_id,
    )
    to_county(staff, application)
    application.refresh_from_db()
    assert application.spot_check  # the county's first 特困 file: within the 30 percent, always
    with pytest.raises(ValidationError, match="抽查"):
        step(staff["county"], application, "approve")
    services.spot_check_record(
        actor=staff["county"], application_id=application.pk, finding="抽查入户，情况属实"
    )
    with pytest.raises(ValidationError, match="自理"):  # the care tier is not set yet
        step(staff["county"], application, "approve")
    services.self_care_assess(
        actor=staff["county"], person_id=household.head_id, cannot=["bathing"], application_id=application.pk
    )
    step(staff["county"], application, "approve")
    since = first_of_next_month(timezone.localdate())
    dibao.refresh_from_db()
    tekun = Enrolment.objects.get(programme="tekun", person=household.head, until__isnull=True)
    assert dibao.until == since and tekun.since == since  # one or the other, never both
    # Fully unable a month later: from the next month the higher care tier is paid.
    paid_partly = tekun.amount
    services.self_care_assess(
        actor=staff["county"],
        person_id=household.head_id,
        cannot=["eating", "dressing", "bed", "toilet", "bathing"],
    )
    now_paid = Enrolment.objects.get(programme="tekun", person=household.head, until__isnull=True)
    assert now_paid.amount > paid_partly


def test_a_near_minimum_approval_is_refused_while_the_household_receives_dibao(poor, staff):
    from safetynet.programmes.services import enrolment_start

    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="edge", channel="household"
    )
    to_county(staff, application)
    enrolment_start(
        actor=staff["county"],
        household=poor,
        programme="dibao",
        since=datetime.date(2022, 1, 1),
        amount="600",
    )
    with pytest.raises(ValidationError):
        step(staff["county"], application, "approve")
    assert not Enrolment.objects.filter(programme="edge").exists()


def test_a_household_that_moves_takes_its_application_with_it(poor, staff):
    from safetynet.registry import services as registry_services

    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    new_home = village(LANSHAN_TOWNSHIP[:6] + "002201")
    poor.refresh_from_db()
    registry_services.household_update(
        actor=staff["county"], household=poor, version=poor.version, data={"village": new_home}
    )
    application.refresh_from_db()
    assert application.village_id == new_home.code
    assert Case.objects.get(pk=application.case_id).division_id == new_home.code
    assert not selectors.applications(actor=staff["township"]).exists()  # off the old township's desk
    new_township = user(Role.TOWNSHIP_OFFICE, new_home.code[:9])
    assert selectors.application_get(actor=new_township, pk=application.pk) == application


def test_a_relative_declared_after_the_application_is_still_registered_separately(poor, staff):
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    assert application.near_relative_of == []
    services.near_relative_declare(actor=staff["township"], person_id=poor.head_id, relation="表弟")
    to_county(staff, application)
    application.refresh_from_db()
    assert application.near_relative_of == [staff["township"].username]  # registered separately now
    with pytest.raises(ValidationError, match="近亲属"):
        step(staff["county"], application, "approve")


def test_a_report_about_the_household_needs_the_countys_own_visit(poor, staff):
    from safetynet.programmes.applications.complaints import complaint_receive

    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    to_county(staff, application)
    complaint_receive(
        actor=staff["county"],
        kind="real_name",
        complainant="王五",
        contact="",
        text="有经营收入",
        household_id=poor.pk,
    )
    with pytest.raises(ValidationError, match="举报"):
        step(staff["county"], application, "approve")
    visit_record(
        actor=staff["county"],
        household=poor,
        data={"purpose": "verification"},
        answers=FINE,
        submission=uuid.uuid4(),
    )
    step(staff["county"], application, "approve")


def test_where_the_county_devolved_the_decision_the_township_decides_within_20_working_days(poor, staff):
    from safetynet.programmes.models import Standard

    Standard.objects.create(
        kind="devolved",
        division_id="371302",
        valid_from=datetime.date(2022, 1, 1),
        value=1,
        status=Standard.Status.APPROVED,
        source=Standard.Source.BUREAU,
    )
    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    assert application.case.workflow == "programmes.application_devolved"
    for move in ("accept", "start"):
        step(staff["township"], application, move)
    case = Case.objects.get(pk=application.case_id)
    due = timezone.localtime(case.due_at).date()
    assert work_calendar().working_days_between(timezone.localdate(), due) == 20  # not 30
    step(staff["township"], application, "request_match")
    case.refresh_from_db()
    services.match_fill(
        actor=staff["county"],
        application_id=application.pk,
        version=case.version,
        results=NO_RECORDS,
        passes=True,
    )
    services.investigation_record(
        actor=staff["township"],
        application_id=application.pk,
        investigators=["李明", "王芳"],
        methods=["home_visit"],
        findings="独居",
    )
    step(staff["township"], application, "opinion", reason="建议纳入")
    step(staff["township"], application, "publish")
    Application.objects.filter(pk=application.pk).update(
        notice_from=timezone.localdate() - datetime.timedelta(days=8),
        notice_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    step(staff["township"], application, "no_objection")
    with pytest.raises(PermissionDenied):  # the county no longer decides here
        step(staff["county"], application, "approve")
    step(staff["township"], application, "approve")
    assert Enrolment.objects.filter(household=poor, programme="dibao", until__isnull=True).exists()


def test_the_devolved_switch_takes_whole_numbers_only(db):
    from safetynet.programmes import services as programme_services

    city = user(Role.CITY_BUREAU, "3713")
    with pytest.raises(ValidationError, match="整数|whole"):
        programme_services.standard_schedule(
            actor=city,
            kind="devolved",
            division_code="371302",
            urban_rural="",
            valid_from=timezone.localdate() + datetime.timedelta(days=10),
            value="0.5",
        )
