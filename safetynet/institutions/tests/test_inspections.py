"""Inspections and hazards: the bureau assigns an inspection and a contracted inspector is granted
the institution by it (and sees no other); the inspector records it once however often the phone
sends it; each failed item raises a hazard graded on the spot; the institution's staff report the
rectification with a photo and cannot verify it; the inspector verifies and closes; a major hazard
needs a plan and listed supervision before it is rectified; overdue hazards are escalated; the
statistics and the campaign measures count what happened; refusals change nothing."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.campaigns.services import campaign_create
from safetynet.core.grants import grant_create
from safetynet.core.models import Case, Division, Grant, Role
from safetynet.core.services import ConflictError
from safetynet.core.tests.sample_files import jpeg, png
from safetynet.core.workflows import selectors as case_selectors
from safetynet.core.workflows.evidence import evidence_add
from safetynet.core.workflows.services import case_transition, cases_sweep
from safetynet.institutions import selectors as institution_selectors
from safetynet.institutions import services as institution_services
from safetynet.institutions.inspections import checklists, selectors, services
from safetynet.institutions.models import Hazard, Inspection

pytestmark = pytest.mark.django_db

FINE = {
    "heating": ["gas"],
    "gas_heater": ["ok"],
    "co_alarm": ["all"],
    "co_alarm_tested": ["ok"],
    "appliances": ["ok"],
    "wiring": ["ok"],
    "overload": ["ok"],
    "short_circuit": ["ok"],
    "ebikes": ["ok"],
    "extinguishers": ["ok"],
    "smoke_detectors": ["ok"],
    "evacuation": ["ok"],
    "kitchen_gas": ["ok"],
    "colour_steel": ["ok"],
    "boiler": ["ok"],
    "room_temperature": ["19"],
    "anti_slip": ["ok"],
    "night_watch": ["ok"],
    "emergency_plan": ["ok"],
}


def photo(name="p.jpg", content=None):
    return SimpleUploadedFile(name, content or jpeg(), content_type="image/jpeg")


@pytest.fixture
def staff(db):
    return {
        "city": user(Role.CITY_BUREAU, "3713"),
        "county": user(Role.COUNTY_BUREAU, "371302"),
        "county2": user(Role.COUNTY_BUREAU, "371302"),
        "yinan": user(Role.COUNTY_BUREAU, "371321"),
        "institution": user(Role.INSTITUTION_STAFF, "371302"),
        "inspector": user(Role.INSPECTOR, "3713"),
        "other_inspector": user(Role.INSPECTOR, "3713"),
    }


@pytest.fixture
def home(staff):
    made = institution_services.institution_create(
        actor=staff["county"],
        division=Division.objects.get(code=LANSHAN_TOWNSHIP),
        data={
            "name": "兰山街道敬老院",
            "kind": "elderly_public",
            "address": "兰山街道1号",
            "beds": 80,
            "residents": 60,
            "staff": 12,
            "heating": "coal",
        },
    )
    grant_create(
        actor=staff["county"], user=staff["institution"], kind="institutions.institution", object_id=made.pk
    )
    return made


@pytest.fixture
def campaign(staff):
    today = timezone.localdate()
    return campaign_create(
        actor=staff["city"],
        data={
            "name": "一老一小安全百日行动",
            "kind": "safety",
            "area": "3713",
            "starts_on": today - datetime.timedelta(days=10),
            "ends_on": today + datetime.timedelta(days=90),
        },
    )


def assign(staff, home, campaign=None, **changes):
    data = {
        "inspector": staff["inspector"],
        "checklist": checklists.WINTER,
        "due_on": timezone.localdate() + datetime.timedelta(days=3),
        "campaign": campaign,
        **changes,
    }
    return services.inspection_assign(actor=changes.pop("actor", staff["city"]), institution=home, data=data)


def record(staff, inspection, answers=None, photos=None, key=None, **extra):
    return services.inspection_record(
        actor=extra.pop("actor", staff["inspector"]),
        inspection=inspection,
        answers=answers or FINE,
        photos=photos or {},
        submission=key or uuid.uuid4(),
        **extra,
    )


def test_assigning_grants_the_inspector_this_institution_and_no_other(staff, home, campaign):
    with pytest.raises(ObjectDoesNotExist):
        selectors.inspection_get(actor=staff["inspector"], pk=0)
    inspection = assign(staff, home, campaign)
    assert selectors.inspection_get(actor=staff["inspector"], pk=inspection.pk) == inspection
    assert (
        Grant.objects.filter(user=staff["inspector"], object_id=home.pk, revoked_at__isnull=True).count() == 1
    )
    with pytest.raises(ObjectDoesNotExist):
        selectors.inspection_get(actor=staff["other_inspector"], pk=inspection.pk)
    # On the inspector's desk, by the due day.
    desk = case_selectors.desk(actor=staff["inspector"])
    assert any(row.title == home.name for row in desk.coming + desk.today)


def test_assigning_refuses_what_no_bureau_would_send_and_twice_the_same(staff, home, campaign):
    with pytest.raises(PermissionDenied):
        assign(staff, home, actor=staff["yinan"])
    with pytest.raises(PermissionDenied):
        assign(staff, home, actor=staff["institution"])
    with pytest.raises(ValidationError) as refused:
        assign(
            staff,
            home,
            checklist="nope",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            inspector=staff["institution"],
        )
    assert {"checklist", "due_on", "inspector"} <= set(refused.value.message_dict)
    assign(staff, home, campaign)
    with pytest.raises(ValidationError, match="待检查任务"):
        assign(staff, home, campaign)
    assert Inspection.objects.count() == 1


def test_only_the_assigned_inspector_records_it_once_however_often_the_phone_sends_it(staff, home):
    inspection = assign(staff, home)
    with pytest.raises(PermissionDenied):
        record(staff, inspection, actor=staff["other_inspector"])
    key = uuid.uuid4()
    record(staff, inspection, key=key)
    again = Inspection.objects.get(pk=inspection.pk)
    assert record(staff, again, key=key).pk == inspection.pk  # the same form again: saved already
    with pytest.raises(ValidationError, match="已录入或已取消"):  # another form for the same inspection
        record(staff, again, key=uuid.uuid4())
    assert selectors.inspection_already_sent(actor=staff["inspector"], inspection=again, submission=str(key))
    assert Inspection.objects.get(pk=inspection.pk).state == "done"
    assert Hazard.objects.count() == 0


def test_bad_answers_are_all_named_and_store_nothing(staff, home):
    inspection = assign(staff, home)
    bad = {
        **FINE,
        "heating": ["coal"],
        "coal_stove": ["unsafe"],
        "room_temperature": ["1e5"],
        "wiring": ["ok", "unsafe"],
        "nonsense": ["x"],
    }
    with pytest.raises(ValidationError) as refused:
        record(staff, inspection, answers=bad, note="a\x00b")
    errors = refused.value.message_dict
    assert {"item_room_temperature", "item_wiring", "__all__", "note"} <= set(errors)
    assert Inspection.objects.get(pk=inspection.pk).state == "assigned"
    assert Hazard.objects.count() == 0


def test_a_gas_heating_hazard_goes_from_found_to_verified_closure(staff, home, campaign):
    inspection = assign(staff, home, campaign)
    answers = {**FINE, "gas_heater": ["unsafe"], "co_alarm": ["none"]}
    with pytest.raises(ValidationError) as refused:
        record(staff, inspection, answers=answers)
    assert {"photo_gas_heater", "photo_co_alarm"} <= set(refused.value.message_dict)
    record(
        staff,
        inspection,
        answers=answers,
        photos={"gas_heater": photo("gas.jpg"), "co_alarm": photo("co.png", png())},
    )
    home.refresh_from_db()
    assert home.heating == "gas"  # as the inspector saw it
    hazards = {h.item: h for h in Hazard.objects.select_related("case")}
    assert set(hazards) == {"gas_heater", "co_alarm"}
    gas = hazards["gas_heater"]
    assert (gas.grade, gas.category, gas.case.state) == ("general", "gas_heating", "rectifying")
    assert gas.case.due_at.date() == (timezone.localtime(gas.found_at) + datetime.timedelta(days=7)).date()
    # The institution's staff see and act on it by their grant; the other county does not.
    assert case_selectors.case_get(actor=staff["institution"], pk=gas.case_id)
    with pytest.raises(ObjectDoesNotExist):
        case_selectors.case_get(actor=staff["yinan"], pk=gas.case_id)
    with pytest.raises(ValidationError, match="evidence"):
        case_transition(
            actor=staff["institution"],
            case_id=gas.case_id,
            transition="report_rectified",
            version=gas.case.version,
        )
    fitted = evidence_add(
        actor=staff["institution"], kind="photo", upload=photo("fitted.jpg", png()), case=gas.case
    )
    case = case_transition(
        actor=staff["institution"],
        case_id=gas.case_id,
        transition="report_rectified",
        version=gas.case.version,
        evidence=[fitted.pk],
    )
    assert case.state == "to_verify"
    with pytest.raises(PermissionDenied):  # the institution does not verify its own fix
        case_transition(
            actor=staff["institution"], case_id=case.pk, transition="verify", version=case.version, reason="x"
        )
    with pytest.raises(ValidationError):  # how it was verified is said
        case_transition(actor=staff["inspector"], case_id=case.pk, transition="verify", version=case.version)
    closed = case_transition(
        actor=staff["inspector"],
        case_id=case.pk,
        transition="verify",
        version=case.version,
        reason="现场核查：已安装一氧化碳报警器",
    )
    assert closed.state == "closed" and closed.closed_at
    figures = selectors.statistics(actor=staff["county"], campaign=campaign)
    assert figures["hazards"]["found"] == 2 and figures["hazards"]["rectified"] == 1
    assert figures["totals"]["inspected"] == 1
    assert selectors.institutions_inspected(campaign, "371302") == 1
    assert selectors.hazards_found(campaign, "371302") == 2
    assert selectors.hazards_rectified(campaign, "371302") == 1
    assert selectors.hazards_found(campaign, "371321") == 0
    # The evidence of the inspection reads by grant too; the other inspector reads none of it.
    assert selectors.inspection_photos(actor=staff["institution"], inspection=inspection)
    assert not case_selectors.evidence_of(
        actor=staff["other_inspector"], subject_kind="institutions.inspection", subject_ids=[inspection.pk]
    ).exists()


def test_a_major_hazard_is_planned_and_supervised_before_it_is_rectified_and_verified(staff, home):
    inspection = assign(staff, home)
    record(staff, inspection, answers={**FINE, "colour_steel": ["present"]}, photos={"colour_steel": photo()})
    hazard = Hazard.objects.select_related("case").get()
    assert (hazard.grade, hazard.case.state) == ("major", "planning")
    with pytest.raises(ValidationError, match="整改方案"):
        case_transition(
            actor=staff["county"],
            case_id=hazard.case_id,
            transition="list_supervision",
            version=hazard.case.version,
        )
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    plan = {
        "plan_owner": "王院长",
        "plan_funds": Decimal("85000.00"),
        "plan_measures": "拆除彩钢板，改建砖混",
        "plan_deadline": deadline,
    }
    with pytest.raises(ValidationError) as refused:
        services.hazard_plan_record(
            actor=staff["institution"],
            hazard=hazard,
            version=hazard.version,
            data={
                **plan,
                "plan_owner": "",
                "plan_funds": "-1",
                "plan_deadline": deadline + datetime.timedelta(days=999),
            },
        )
    assert {"plan_owner", "plan_funds", "plan_deadline"} <= set(refused.value.message_dict)
    stale = hazard.version
    services.hazard_plan_record(actor=staff["institution"], hazard=hazard, version=hazard.version, data=plan)
    with pytest.raises(ConflictError):
        services.hazard_plan_record(actor=staff["county"], hazard=hazard, version=stale, data=plan)
    with pytest.raises(PermissionDenied):
        case_transition(
            actor=staff["institution"],
            case_id=hazard.case_id,
            transition="list_supervision",
            version=Case.objects.get(pk=hazard.case_id).version,
        )
    case = case_transition(
        actor=staff["county"],
        case_id=hazard.case_id,
        transition="list_supervision",
        version=Case.objects.get(pk=hazard.case_id).version,
    )
    assert case.state == "supervised"
    assert timezone.localtime(case.due_at).date() == deadline
    fixed = evidence_add(actor=staff["institution"], kind="photo", upload=photo("new.jpg", png()), case=case)
    case = case_transition(
        actor=staff["institution"],
        case_id=case.pk,
        transition="report_major_rectified",
        version=case.version,
        evidence=[fixed.pk],
    )
    case = case_transition(
        actor=staff["county"],
        case_id=case.pk,
        transition="send_back_major",
        version=case.version,
        reason="彩钢板未全部拆除",
    )
    assert case.state == "supervised" and timezone.localtime(case.due_at).date() == deadline
    again = evidence_add(actor=staff["institution"], kind="photo", upload=photo("again.jpg"), case=case)
    case = case_transition(
        actor=staff["institution"],
        case_id=case.pk,
        transition="report_major_rectified",
        version=case.version,
        evidence=[again.pk],
    )
    closed = case_transition(
        actor=staff["county2"],
        case_id=case.pk,
        transition="verify",
        version=case.version,
        reason="现场验收合格",
    )
    assert closed.state == "closed"
    assert selectors.statistics(actor=staff["city"])["hazards"]["rectified_major"] == 1


def test_an_overdue_hazard_is_escalated_to_the_city(staff, home):
    inspection = assign(staff, home)
    record(staff, inspection, answers={**FINE, "wiring": ["unsafe"]}, photos={"wiring": photo()})
    hazard = Hazard.objects.select_related("case").get()
    cases_sweep(hazard.case.due_at + datetime.timedelta(hours=1))
    case = Case.objects.get(pk=hazard.case_id)
    assert case.overdue_since and case.escalated_to == "city"
    figures = selectors.statistics(actor=staff["city"], now=hazard.case.due_at + datetime.timedelta(hours=1))
    assert figures["hazards"]["overdue_general"] == 1
    assert any(row.title == case.title for row in case_selectors.desk(actor=staff["city"]).overdue)


def test_pages_walk_the_loop_as_inspector_institution_and_bureau(staff, home, campaign):
    inspection = assign(staff, home, campaign)
    inspector, institution, county = Client(), Client(), Client()
    inspector.force_login(staff["inspector"])
    institution.force_login(staff["institution"])
    county.force_login(staff["county"])
    page = inspector.get(f"/institutions/inspections/{inspection.pk}/fill/")
    assert page.status_code == 200 and "燃气" in page.content.decode()
    key = str(uuid.uuid4())
    form = {f"item_{code}": values[0] for code, values in FINE.items()} | {
        "item_gas_heater": "unsafe",
        "photo_gas_heater": photo(),
        "submission": key,
    }
    sent = inspector.post(f"/institutions/inspections/{inspection.pk}/fill/", form)
    assert sent.status_code == 302
    form["photo_gas_heater"] = photo()
    again = inspector.post(f"/institutions/inspections/{inspection.pk}/fill/", form)  # the outbox's resend
    assert again.status_code == 302 and again["Location"].endswith(f"/inspections/{inspection.pk}/")
    assert Hazard.objects.count() == 1
    hazard = Hazard.objects.get()
    assert institution.get(f"/institutions/hazards/{hazard.pk}/").status_code == 200
    assert Client().get(f"/institutions/hazards/{hazard.pk}/").status_code == 302
    notice = institution.get(f"/institutions/inspections/{inspection.pk}/notice.pdf")
    assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"
    other = Client()
    other.force_login(staff["other_inspector"])
    assert other.get(f"/institutions/hazards/{hazard.pk}/").status_code == 404
    assert other.get(f"/institutions/inspections/{inspection.pk}/fill/").status_code == 404
    stats = county.get("/institutions/statistics/", {"campaign": campaign.pk})
    assert stats.status_code == 200 and "兰山" in stats.content.decode()
    assert county.get("/institutions/statistics/", {"campaign": "9" * 20}).status_code == 200
    assert county.get("/institutions/hazards/", {"status": "overdue", "grade": "x\x00"}).status_code == 200
    assert institution.get("/institutions/statistics/").status_code == 403


def test_a_problem_a_drill_found_is_recorded_as_a_hazard_from_the_drill_page(staff, home):
    from safetynet.institutions.safety import services as safety

    today = timezone.localdate()
    plan = safety.plan_record(
        actor=staff["county"],
        institution_id=home.pk,
        data={"title": "火灾疏散预案", "scenarios": ["fire"], "approved_on": today, "review_due": today},
    )
    drill = safety.drill_record(
        actor=staff["county"],
        plan_id=plan.pk,
        data={
            "held_on": today,
            "scenario": "fire",
            "residents_evacuated": 20,
            "evacuation_seconds": 420,
            "problems": "1. 二楼安全出口被杂物堵塞",
        },
    )
    county = Client()
    county.force_login(staff["county"])
    page = county.get(f"/institutions/safety/drills/{drill.pk}/").content.decode()
    assert f"/institutions/{home.pk}/hazards/new/?description=" in page
    form = county.get(f"/institutions/{home.pk}/hazards/new/", {"description": "二楼安全出口被杂物堵塞"})
    assert "二楼安全出口被杂物堵塞" in form.content.decode()
    sent = county.post(
        f"/institutions/{home.pk}/hazards/new/",
        {"grade": "general", "category": "evacuation", "description": "二楼安全出口被杂物堵塞"},
    )
    assert sent.status_code == 302
    hazard = Hazard.objects.select_related("case").get()
    assert (hazard.category, hazard.case.state, hazard.inspection) == ("evacuation", "rectifying", None)
    # The institution's staff read the drill but record no hazard.
    staff_page = Client()
    staff_page.force_login(staff["institution"])
    assert "hazards/new/" not in staff_page.get(f"/institutions/safety/drills/{drill.pk}/").content.decode()
    assert staff_page.get(f"/institutions/{home.pk}/hazards/new/").status_code == 403


def test_the_api_lists_inspections_hazards_and_statistics_in_scope(staff, home, campaign):
    from safetynet.core.services import api_token_create

    def client_of(actor) -> Client:
        return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})

    inspection = assign(staff, home, campaign)
    record(staff, inspection, answers={**FINE, "wiring": ["unsafe"]}, photos={"wiring": photo()})
    inspector = client_of(staff["inspector"]).get("/api/v1/inspections").json()
    assert [row["id"] for row in inspector] == [inspection.pk] and inspector[0]["answers"][
        "wiring"
    ] == "unsafe"
    assert client_of(staff["other_inspector"]).get("/api/v1/inspections").json() == []
    hazards = client_of(staff["institution"]).get("/api/v1/hazards", {"status": "open"}).json()
    assert [(h["category"], h["state"]) for h in hazards] == [("wiring", "rectifying")]
    assert client_of(staff["yinan"]).get("/api/v1/hazards").json() == []
    figures = client_of(staff["county"]).get("/api/v1/institution-safety", {"campaign": campaign.pk}).json()
    assert figures["hazards"]["found"] == 1 and figures["counties"][0]["inspected"] == 1
    assert (
        client_of(staff["county"]).get("/api/v1/institution-safety", {"campaign": 999999}).status_code == 404
    )
    assert client_of(staff["institution"]).get("/api/v1/institution-safety").status_code == 403
    assert client_of(staff["county"]).get("/api/v1/hazards", {"category": "x\x00"}).status_code == 422


def test_whoever_reported_the_last_rectification_does_not_verify_it_even_after_a_regrade(staff, home):
    inspection = assign(staff, home)
    record(staff, inspection, answers={**FINE, "wiring": ["unsafe"]}, photos={"wiring": photo()})
    case = Hazard.objects.get().case
    first = evidence_add(actor=staff["institution"], kind="photo", upload=photo("a.jpg", png()), case=case)
    case = case_transition(
        actor=staff["institution"],
        case_id=case.pk,
        transition="report_rectified",
        version=case.version,
        evidence=[first.pk],
    )
    case = case_transition(
        actor=staff["inspector"],
        case_id=case.pk,
        transition="send_back",
        version=case.version,
        reason="未整改到位",
    )
    case = case_transition(
        actor=staff["inspector"],
        case_id=case.pk,
        transition="regrade_major",
        version=case.version,
        reason="线路老化严重，需整体改造",
    )
    hazard = Hazard.objects.get()
    assert hazard.grade == "major"
    services.hazard_plan_record(
        actor=staff["county"],
        hazard=hazard,
        version=hazard.version,
        data={"plan_owner": "王院长", "plan_measures": "整体更换线路", "plan_deadline": timezone.localdate()},
    )
    case = case_transition(
        actor=staff["county"],
        case_id=case.pk,
        transition="list_supervision",
        version=Case.objects.get(pk=case.pk).version,
    )
    second = evidence_add(actor=staff["county"], kind="photo", upload=photo("b.jpg"), case=case)
    case = case_transition(
        actor=staff["county"],
        case_id=case.pk,
        transition="report_major_rectified",
        version=case.version,
        evidence=[second.pk],
    )
    with pytest.raises(ValidationError, match="他人核查"):
        case_transition(
            actor=staff["county"],
            case_id=case.pk,
            transition="verify",
            version=case.version,
            reason="现场核查",
        )
    assert Case.objects.get(pk=case.pk).state == "major_to_verify"


def test_calling_off_ends_the_inspectors_sight_of_an_institution_it_was_sent_to_only_for_that(staff, home):
    inspection = assign(staff, home)
    assert selectors.inspection_get(actor=staff["inspector"], pk=inspection.pk)
    services.inspection_cancel(
        actor=staff["city"], inspection=inspection, version=inspection.version, reason="机构已停业整顿"
    )
    with pytest.raises(ObjectDoesNotExist):
        institution_selectors.institution_get(actor=staff["inspector"], pk=home.pk)
    # A contracted grant (not given by an assignment) stays.
    grant_create(
        actor=staff["city"],
        user=staff["other_inspector"],
        kind="institutions.institution",
        object_id=home.pk,
        reason="年度检查合同",
    )
    again = assign(staff, home, inspector=staff["other_inspector"])
    services.inspection_cancel(actor=staff["city"], inspection=again, version=again.version, reason="改期")
    assert institution_selectors.institution_get(actor=staff["other_inspector"], pk=home.pk) == home


def test_the_same_form_sent_twice_at_once_is_saved_once_and_the_second_told_it_is_saved(staff, home):
    inspection = assign(staff, home)
    key = uuid.uuid4()
    stale = Inspection.objects.get(pk=inspection.pk)  # what the second request read before the first saved
    record(staff, inspection, key=key, answers={**FINE, "wiring": ["unsafe"]}, photos={"wiring": photo()})
    saved = record(staff, stale, key=key, answers={**FINE, "wiring": ["unsafe"]}, photos={"wiring": photo()})
    assert saved.pk == inspection.pk and Hazard.objects.count() == 1
    # An inspector reads its own inspections, not another firm's at the same institution.
    grant_create(
        actor=staff["city"], user=staff["other_inspector"], kind="institutions.institution", object_id=home.pk
    )
    assert not selectors.inspections(actor=staff["other_inspector"]).exists()
