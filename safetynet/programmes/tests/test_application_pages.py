"""The application pages as the bureau's staff use them: the village coordinator hands in a 低保
application from the household's card; the township takes it through investigation and the public
notice; the public notice board opens without a login and shows name, household size and amount
only; the county approves, and the approval notice explains the decision; a 特困 assessment on the
page sets the care tier; and a form no browser would send changes nothing."""

import datetime
import io

import docx
import pytest
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Case, Role
from safetynet.programmes.models import Application, Enrolment
from safetynet.programmes.selectors import first_of_next_month
from safetynet.registry.models import Person

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"


@pytest.fixture
def staff(db):
    return {
        "village": user(Role.VILLAGE_COORDINATOR, VILLAGE),
        "township": user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        "county": user(Role.COUNTY_BUREAU, "371302"),
    }


@pytest.fixture
def poor(make_household, staff):
    return make_household(
        village(VILLAGE),
        staff["county"],
        urban_rural="urban",
        members=[("韩一", 1, "02", datetime.date(1980, 1, 1))],
    )


def move(client, application, transition, reason=""):
    case = Case.objects.get(pk=application.case_id)
    return client.post(
        f"/cases/{case.pk}/move/", {"transition": transition, "version": case.version, "reason": reason}
    )


def test_handed_in_from_the_household_card_taken_through_notice_and_approved(client, poor, staff):
    client.force_login(staff["village"])
    card = client.get(f"/registry/households/{poor.pk}/").content.decode()
    assert 'data-action="apply"' in card and "协助申请" in card
    form = client.get(f"/programmes/households/{poor.pk}/apply/?programme=dibao")
    assert form.status_code == 200
    response = client.post(
        f"/programmes/households/{poor.pk}/apply/?programme=dibao",
        {"programme": "dibao", "person": poor.head_id, "channel": "found", "proxy": "", "reason": ""},
    )
    application = Application.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/programmes/applications/{application.pk}/"
    )
    # The card now says an application is in progress, not "help apply" again.
    card = client.get(f"/registry/households/{poor.pk}/").content.decode()
    assert 'data-action="application"' in card and 'data-action="apply"' not in card

    client.force_login(staff["township"])
    queue = client.get("/programmes/applications/").content.decode()
    assert f"/programmes/applications/{application.pk}/" in queue and "韩一" in queue
    for transition in ("accept", "start", "request_match"):
        assert move(client, application, transition).status_code == 302
    page = client.get(f"/programmes/applications/{application.pk}/").content.decode()
    assert 'id="investigation-form"' in page and 'id="match-form"' not in page
    # One investigator is not an investigation: refused in Chinese, nothing stored.
    refused = client.post(
        f"/programmes/applications/{application.pk}/investigation/",
        {"first": "李明", "second": "李明", "methods": ["home_visit"], "findings": "独居", "version": 1},
    )
    assert refused.status_code == 400 and "至少" in refused.content.decode()
    refused = client.post(
        f"/programmes/applications/{application.pk}/investigation/",
        {"first": "李明", "second": "王芳", "methods": ["home_visit"], "findings": "独\x00居", "version": 1},
    )
    assert refused.status_code == 400
    assert Application.objects.get().investigated_at is None
    # A page read before another officer saved: refused, nothing overwritten.
    stale = client.post(
        f"/programmes/applications/{application.pk}/investigation/",
        {"first": "张三", "second": "李四", "methods": ["home_visit"], "findings": "旧页面", "version": 999},
    )
    assert stale.status_code == 400 and "刷新" in stale.content.decode()
    assert (
        client.post(
            f"/programmes/applications/{application.pk}/investigation/",
            {
                "first": "李明",
                "second": "王芳",
                "methods": ["home_visit", "neighbours"],
                "findings": "独居，无收入",
                "version": Application.objects.get().version,
            },
        ).status_code
        == 302
    )

    client.force_login(staff["county"])
    case = Case.objects.get(pk=application.case_id)
    match = {
        source: "无记录"
        for source in (
            "hukou",
            "tax",
            "social_insurance",
            "real_estate",
            "business",
            "housing_fund",
            "vehicles",
            "deposits",
            "insurance",
            "securities",
            "internet_finance",
        )
    }
    assert (
        client.post(
            f"/programmes/applications/{application.pk}/match/",
            {**match, "passes": "1", "version": case.version},
        ).status_code
        == 302
    )
    assert Case.objects.get(pk=application.case_id).state == "matched"

    client.force_login(staff["township"])
    assert move(client, application, "opinion", "符合条件，建议纳入").status_code == 302
    assert move(client, application, "publish").status_code == 302
    application.refresh_from_db()
    poster = client.get(f"/programmes/applications/notices/{VILLAGE}/poster.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(poster.content)).paragraphs) + "\n".join(
        cell.text
        for table in docx.Document(io.BytesIO(poster.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "韩一" in text and poor.head.id_number not in text

    client.logout()  # the notice board is public
    board = client.get(f"/programmes/notices/{VILLAGE}/")
    shown = board.content.decode()
    assert board.status_code == 200 and "韩一" in shown and str(application.amount) in shown
    assert poor.head.id_number not in shown and poor.head.id_number[-4:] not in shown
    assert client.get("/programmes/notices/37130200120/").status_code == 404
    assert client.get("/programmes/notices/" + "9" * 12 + "/").status_code == 404

    client.force_login(staff["township"])
    refused = move(client, application, "no_objection")
    assert refused.status_code == 400 and "公示" in refused.content.decode()
    Application.objects.filter(pk=application.pk).update(
        notice_from=timezone.localdate() - datetime.timedelta(days=7),
        notice_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert move(client, application, "no_objection").status_code == 302

    client.force_login(staff["county"])
    on_desk = client.get("/desk/").content.decode()
    assert "韩一" in on_desk
    assert move(client, application, "approve").status_code == 302
    page = client.get(f"/programmes/applications/{application.pk}/").content.decode()
    since = first_of_next_month(timezone.localdate())
    assert 'id="decision-amount"' in page and since.isoformat() in page
    assert Enrolment.objects.get(household=poor).since == since
    notice = client.get(f"/programmes/applications/{application.pk}/documents/approval.docx")
    document = docx.Document(io.BytesIO(notice.content))
    words = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "行政复议" in words and "行政诉讼" in words and str(application.amount) in words
    assert "人均" in words or "收入" in words  # the conditions of the rule, in words
    assert client.get(f"/programmes/applications/{application.pk}/documents/approval.pdf").content.startswith(
        b"%PDF"
    )
    # The household's history tells the application's story in words.
    history = client.get(f"/registry/households/{poor.pk}/").content.decode().split('id="timeline"')[1]
    assert "申请: 最低生活保障 韩一" in history and "主动发现" in history and "李明、王芳" in history
    assert "享受起始日期" in history and since.isoformat() in history and "application" not in history
    # The rejection notice belongs to rejected applications only.
    assert client.get(f"/programmes/applications/{application.pk}/documents/rejection.pdf").status_code == 404


def test_a_tekun_assessment_on_the_page_sets_the_care_tier(client, make_household, staff):
    household = make_household(
        village(VILLAGE), staff["county"], members=[("孤老甲", 1, "02", datetime.date(1940, 1, 1))]
    )
    client.force_login(staff["township"])
    client.post(
        f"/programmes/households/{household.pk}/apply/",
        {"programme": "tekun", "person": household.head_id, "channel": "household"},
    )
    application = Application.objects.get(programme="tekun")
    client.force_login(staff["county"])
    page = client.get(f"/programmes/applications/{application.pk}/").content.decode()
    assert 'id="self-care-form"' in page
    assert (
        client.post(
            f"/programmes/applications/{application.pk}/self_care/",
            {"cannot": ["eating", "dressing", "bed", "toilet"], "reason": "申请时评估"},
        ).status_code
        == 302
    )
    assert Person.objects.get(pk=household.head_id).self_care == 3
    history = client.get(f"/registry/households/{household.pk}/").content.decode().split('id="timeline"')[1]
    assert "生活自理能力评估" in history and "assessment" not in history
    refused = client.post(f"/programmes/applications/{application.pk}/self_care/", {"cannot": ["flying"]})
    assert refused.status_code == 400 and Person.objects.get(pk=household.head_id).self_care == 3
    assert client.post(f"/programmes/applications/{application.pk}/nonsense/", {}).status_code == 404
    assert client.get(f"/programmes/applications/{2**62}/").status_code == 404


def test_staff_declare_near_relatives_by_id_number_and_name(client, poor, staff):
    client.force_login(staff["village"])
    head = poor.head
    wrong = client.post(
        "/programmes/near-relatives/", {"id_number": head.id_number, "name": "别人", "relation": "堂兄"}
    )
    assert wrong.status_code == 400 and "没有" in wrong.content.decode()
    assert (
        client.post(
            "/programmes/near-relatives/",
            {"id_number": head.id_number, "name": head.name, "relation": "堂兄"},
        ).status_code
        == 302
    )
    assert "韩一" in client.get("/programmes/near-relatives/").content.decode()
    client.force_login(staff["township"])
    client.post(
        f"/programmes/households/{poor.pk}/apply/",
        {"programme": "dibao", "person": poor.head_id, "channel": "household"},
    )
    page = client.get(f"/programmes/applications/{Application.objects.get().pk}/").content.decode()
    assert 'id="near-relative"' in page


def test_a_change_of_ability_reported_from_the_card_and_re_assessed_on_its_page(
    client, make_household, staff
):
    from safetynet.programmes.services import enrolment_start

    household = make_household(
        village(VILLAGE), staff["county"], members=[("孤老丙", 2, "02", datetime.date(1936, 6, 1))]
    )
    enrolment_start(
        actor=staff["county"],
        household=household,
        programme="tekun",
        since=datetime.date(2022, 1, 1),
        amount="900",
        person=household.head,
    )
    client.force_login(staff["village"])
    card = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert 'data-action="self-care-report"' in card
    response = client.post(
        f"/programmes/people/{household.head_id}/self-care-report/", {"what": "中风后卧床"}
    )
    assert response.status_code == 302
    report_page = response["Location"]
    client.force_login(staff["county"])
    page = client.get(report_page).content.decode()
    assert "中风后卧床" in page and 'id="self-care-form"' in page
    assert (
        client.post(report_page, {"cannot": ["eating", "dressing", "bed", "toilet", "bathing"]}).status_code
        == 302
    )
    page = client.get(report_page).content.decode()
    assert 'id="reassessed"' in page and 'id="self-care-form"' not in page
    assert Person.objects.get(pk=household.head_id).self_care == 3
    client.force_login(staff["township"])
    assert client.post(report_page, {"cannot": []}).status_code == 403


def test_the_county_extends_the_time_limit_on_the_page_with_a_reason(client, poor, staff):
    client.force_login(staff["village"])
    client.post(
        f"/programmes/households/{poor.pk}/apply/",
        {"programme": "dibao", "person": poor.head_id, "channel": "household"},
    )
    application = Application.objects.get()
    client.force_login(staff["township"])
    move(client, application, "accept")
    assert (
        'id="case-extend"' not in client.get(f"/programmes/applications/{application.pk}/").content.decode()
    )
    client.force_login(staff["county"])
    assert 'id="case-extend"' in client.get(f"/programmes/applications/{application.pk}/").content.decode()
    case = Case.objects.get(pk=application.case_id)
    before = case.due_at
    refused = client.post(f"/cases/{case.pk}/extend/", {"version": case.version, "amount": 15, "reason": ""})
    assert refused.status_code == 400 and Case.objects.get(pk=case.pk).extension == 0
    assert (
        client.post(
            f"/cases/{case.pk}/extend/", {"version": case.version, "amount": 15, "reason": "公示期间有异议"}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.extension == 15
    page = client.get(f"/programmes/applications/{application.pk}/").content.decode()
    assert "办理期限延长 15 个工作日" in page and 'id="case-extend"' not in page
    assert before == case.due_at  # "accepted" has its own 3 days: only the overall limit is longer


def test_the_certificate_shows_the_id_number_whole_only_to_offices_that_may_and_logs_it(client, poor, staff):
    from safetynet.core.models import UnmaskLog
    from safetynet.programmes.applications import services

    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    from safetynet.programmes.tests.test_applications import step, to_county

    to_county(staff, application)
    step(staff["county"], application, "approve")
    whole = poor.head.id_number

    def certificate(actor):
        client.force_login(actor)
        content = client.get(f"/programmes/applications/{application.pk}/documents/certificate.docx").content
        document = docx.Document(io.BytesIO(content))
        return "\n".join(
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        ) + ("\n".join(p.text for p in document.paragraphs))

    assert whole not in certificate(staff["village"]) and UnmaskLog.objects.count() == 0
    assert whole in certificate(staff["county"]) and UnmaskLog.objects.filter(channel="document").count() == 1


def test_an_objection_recorded_on_the_page_sends_the_file_back_with_the_objector_kept_to_the_offices(
    client, poor, staff
):
    from safetynet.programmes.applications import services
    from safetynet.programmes.tests.test_applications import NO_RECORDS, step

    application = services.application_start(
        actor=staff["village"], household_id=poor.pk, programme="dibao", channel="household"
    )
    for transition in ("accept", "start", "request_match"):
        step(staff["township"], application, transition)
    case = Case.objects.get(pk=application.case_id)
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
    client.force_login(staff["township"])
    page = f"/programmes/applications/{application.pk}/"
    assert 'id="objection-form"' in client.get(page).content.decode()
    case.refresh_from_db()
    assert (
        client.post(
            f"{page}objection/", {"text": "其子在城区有房", "raised_by": "邻居赵某", "version": case.version}
        ).status_code
        == 302
    )
    assert Case.objects.get(pk=case.pk).state == "reinvestigation"
    assert "邻居赵某" in client.get(page).content.decode()
    client.force_login(staff["village"])
    shown = client.get(page).content.decode()
    assert "其子在城区有房" in shown and "邻居赵某" not in shown


def test_the_coordinators_desk_lists_the_runs_hits_in_its_village_until_someone_helps_apply(
    client, poor, staff
):
    from safetynet.core.workflows.selectors import desk
    from safetynet.programmes.services import eligibility_run

    run = eligibility_run(actor=staff["county"], area_code="371302", on=timezone.localdate())
    work = desk(actor=staff["village"])
    hits = [row for row in work.coming if "韩一" in row.title]
    assert hits and f"run={run.pk}" in hits[0].url
    client.force_login(staff["village"])
    assert "韩一" in client.get("/desk/").content.decode()
    client.post(
        hits[0].url, {"programme": "dibao", "person": poor.head_id, "channel": "found", "run": run.pk}
    )
    assert Application.objects.get().found_by_run == run
    assert not [row for row in desk(actor=staff["village"]).coming if "韩一" in row.title]
    other_village = village(VILLAGE[:9] + "202")
    assert not [row for row in desk(actor=user(Role.VILLAGE_COORDINATOR, other_village.code)).coming]
