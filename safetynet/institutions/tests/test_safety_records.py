"""Institutions' safety records: written by the institution's own staff (by its grant) and the county
of its area, refused to another institution's staff and another county; one watch record a night;
what no form would send is refused with nothing stored; an incident's first report is due within the
settings' hours counted from when it occurred, and the kernel's sweep escalates it when late; what is
due (a training, a drill, a night's watch) reaches the work desk."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.grants import grant_create
from safetynet.core.models import Case, ChangeRecord, Division, Evidence, Role
from safetynet.core.tests import sample_files
from safetynet.core.workflows.selectors import desk, evidence_get
from safetynet.core.workflows.services import case_transition, cases_sweep
from safetynet.institutions import services as institution_services
from safetynet.institutions.models import Drill, EmergencyPlan, Incident, SafetyTraining, WatchNight
from safetynet.institutions.safety import selectors, services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def place(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    county = user(Role.COUNTY_BUREAU, "371302")
    people = {
        "county": county,
        "yinan": user(Role.COUNTY_BUREAU, "371321"),
        "city": user(Role.CITY_BUREAU, "3713"),
        "township": user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        "staff": user(Role.INSTITUTION_STAFF, "371302"),
        "other_staff": user(Role.INSTITUTION_STAFF, "371302"),
        "inspector": user(Role.INSPECTOR, "371302"),
    }
    division = Division.objects.get(code=LANSHAN_TOWNSHIP)
    home = institution_services.institution_create(
        actor=county,
        division=division,
        data={"name": "兰山敬老院", "kind": "elderly_public", "address": "兰山路1号", "residents": 40},
    )
    other = institution_services.institution_create(
        actor=county,
        division=division,
        data={"name": "另一敬老院", "kind": "elderly_public", "address": "兰山路2号"},
    )
    for who, institution in (("staff", home), ("other_staff", other), ("inspector", home)):
        grant_create(
            actor=county, user=people[who], kind="institutions.institution", object_id=institution.pk
        )
    return {**people, "home": home, "other": other}


def training_data(**changes) -> dict:
    return {
        "held_on": TODAY() - datetime.timedelta(days=3),
        "topic": "fire",
        "trainer": "王消防",
        "attendees": "甲、乙、丙",
        "attendee_count": 12,
        "note": "",
        **changes,
    }


def watch_data(**changes) -> dict:
    return {
        "night": TODAY() - datetime.timedelta(days=1),
        "on_duty": "赵值班",
        "leader": "郑院长",
        "rounds": 4,
        "round_times": "22:00, 01:00, 04:00, 06:00",
        "handover_done": True,
        "note": "",
        **changes,
    }


def plan_data(**changes) -> dict:
    approved = TODAY() - datetime.timedelta(days=200)
    return {
        "title": "消防应急预案",
        "scenarios": ["fire", "evacuation"],
        "approved_on": approved,
        "review_due": approved + datetime.timedelta(days=365),
        **changes,
    }


def drill_data(**changes) -> dict:
    return {
        "held_on": TODAY() - datetime.timedelta(days=10),
        "scenario": "fire",
        "residents_evacuated": 35,
        "evacuation_seconds": 240,
        "problems": "1. 东侧安全出口门难以打开\n- 疏散指示灯不亮\n\n",
        **changes,
    }


def incident_data(**changes) -> dict:
    return {
        "kind": "fire",
        "major": True,
        "occurred_at": timezone.now() - datetime.timedelta(minutes=20),
        "reported_by": "赵值班",
        "description": "洗衣房起火，已扑灭",
        "deaths": 0,
        "injured": 1,
        **changes,
    }


def test_the_institution_s_staff_and_its_county_write_other_staff_and_counties_are_refused(place):
    home = place["home"]
    for writer in ("staff", "county"):
        services.training_record(actor=place[writer], institution_id=home.pk, data=training_data())
    for outsider in ("other_staff", "yinan", "city", "township", "inspector"):
        with pytest.raises(PermissionDenied):
            services.training_record(actor=place[outsider], institution_id=home.pk, data=training_data())
        with pytest.raises(PermissionDenied):
            services.watch_record(actor=place[outsider], institution_id=home.pk, data=watch_data())
        with pytest.raises(PermissionDenied):
            services.incident_report(actor=place[outsider], institution_id=home.pk, data=incident_data())
    assert SafetyTraining.objects.count() == 2 and not WatchNight.objects.exists()
    plan = services.plan_record(actor=place["staff"], institution_id=home.pk, data=plan_data())
    with pytest.raises(PermissionDenied):
        services.drill_record(actor=place["other_staff"], plan_id=plan.pk, data=drill_data())
    assert not Drill.objects.exists()
    # Reading: the other institution's staff and the other county do not find it at all.
    assert selectors.trainings(actor=place["other_staff"]).count() == 0
    assert selectors.trainings(actor=place["yinan"]).count() == 0
    for reader in ("staff", "inspector", "city", "township", "county"):
        assert selectors.trainings(actor=place[reader]).count() == 2, reader
    assert ChangeRecord.objects.filter(entity_type="safetytraining").count() == 2


def test_the_pages_refuse_readers_and_do_not_find_other_institutions(place):
    home = place["home"]
    training = services.training_record(actor=place["staff"], institution_id=home.pk, data=training_data())
    client = Client()
    client.force_login(place["other_staff"])
    assert client.get(f"/institutions/{home.pk}/safety/").status_code == 404
    assert client.get(f"/institutions/safety/trainings/{training.pk}/").status_code == 404
    assert client.post(f"/institutions/{home.pk}/safety/watch/new/", {}).status_code == 404
    client.force_login(place["yinan"])
    assert client.get(f"/institutions/{home.pk}/safety/trainings/new/").status_code == 404
    client.force_login(place["inspector"])
    assert client.get(f"/institutions/{home.pk}/safety/").status_code == 200
    assert client.get(f"/institutions/{home.pk}/safety/trainings/new/").status_code == 403
    client.force_login(place["city"])
    assert client.get(f"/institutions/{home.pk}/safety/watch/new/").status_code == 403
    assert client.get("/institutions/safety/").status_code == 200
    client.force_login(place["staff"])
    assert "safety-records-link" in client.get(f"/institutions/{home.pk}/").content.decode()
    sent = client.post(
        f"/institutions/{home.pk}/safety/watch/new/",
        {
            "night": (TODAY() - datetime.timedelta(days=2)).isoformat(),
            "on_duty": "赵值班",
            "leader": "郑院长",
            "rounds": "3",
            "handover_done": "on",
            "photo": SimpleUploadedFile("log.jpg", sample_files.jpeg()),
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:800]
    watch = WatchNight.objects.get()
    assert watch.handover_done and watch.rounds == 3
    photo = Evidence.objects.get(subject_kind="institutions.watch", subject_id=watch.pk)
    # The grant-only readers read the evidence of their institution's records; the other staff do not.
    assert evidence_get(actor=place["inspector"], pk=photo.pk) == photo
    with pytest.raises(Evidence.DoesNotExist):
        evidence_get(actor=place["other_staff"], pk=photo.pk)
    assert client.get(f"/institutions/safety/watch/{watch.pk}/").status_code == 200
    page = client.get(f"/institutions/{home.pk}/safety/").content.decode()
    assert "赵值班" in page and "王消防" in page


def test_a_second_watch_record_of_the_same_night_is_refused_with_a_chinese_message(place):
    home = place["home"]
    services.watch_record(actor=place["staff"], institution_id=home.pk, data=watch_data())
    with pytest.raises(ValidationError) as refused:
        services.watch_record(
            actor=place["county"], institution_id=home.pk, data=watch_data(on_duty="钱值班")
        )
    message = refused.value.message_dict["night"][0]
    assert "已登记" in message
    assert WatchNight.objects.get().on_duty == "赵值班"
    # Another institution keeps its own watch that night.
    services.watch_record(actor=place["other_staff"], institution_id=place["other"].pk, data=watch_data())
    assert WatchNight.objects.count() == 2


@pytest.mark.parametrize(
    ("record", "bad"),
    [
        ("training", {"trainer": "王\x00消防"}),
        ("training", {"held_on": datetime.date(2099, 1, 1)}),
        ("training", {"attendee_count": -3}),
        ("training", {"attendee_count": 10**19}),
        ("training", {"topic": "juggling"}),
        ("watch", {"night": TODAY() + datetime.timedelta(days=1)}),
        ("watch", {"rounds": -1}),
        ("watch", {"rounds": 12345678901234567890}),
        ("watch", {"note": "备注\x00"}),
        ("watch", {"leader": ""}),
        ("plan", {"scenarios": ["alien_invasion"]}),
        ("plan", {"title": "\x00"}),
        ("plan", {"approved_on": datetime.date(2099, 1, 1)}),
        ("plan", {"review_due": datetime.date(2001, 1, 1)}),
        ("drill", {"evacuation_seconds": -5}),
        ("drill", {"residents_evacuated": 10**20}),
        ("drill", {"held_on": TODAY() + datetime.timedelta(days=3)}),
        ("drill", {"problems": "门\x00坏"}),
        ("incident", {"occurred_at": timezone.now() + datetime.timedelta(hours=2)}),
        ("incident", {"deaths": -1}),
        ("incident", {"injured": 10**19}),
        ("incident", {"description": "起火\x00"}),
        ("incident", {"kind": "meteor"}),
    ],
)
def test_what_no_form_would_send_is_refused_and_nothing_is_stored(place, record, bad):
    home, staff = place["home"], place["staff"]
    plan = services.plan_record(actor=staff, institution_id=home.pk, data=plan_data(title="既有预案"))
    changes, cases = ChangeRecord.objects.count(), Case.objects.count()
    calls = {
        "training": lambda: services.training_record(
            actor=staff, institution_id=home.pk, data=training_data(**bad)
        ),
        "watch": lambda: services.watch_record(actor=staff, institution_id=home.pk, data=watch_data(**bad)),
        "plan": lambda: services.plan_record(actor=staff, institution_id=home.pk, data=plan_data(**bad)),
        "drill": lambda: services.drill_record(actor=staff, plan_id=plan.pk, data=drill_data(**bad)),
        "incident": lambda: services.incident_report(
            actor=staff, institution_id=home.pk, data=incident_data(**bad)
        ),
    }
    with pytest.raises(ValidationError):
        calls[record]()
    assert not SafetyTraining.objects.exists() and not WatchNight.objects.exists()
    assert EmergencyPlan.objects.count() == 1 and not Drill.objects.exists() and not Incident.objects.exists()
    assert ChangeRecord.objects.count() == changes and Case.objects.count() == cases


def test_a_form_with_a_twenty_digit_number_is_refused_on_the_page(place):
    client = Client()
    client.force_login(place["staff"])
    sent = client.post(
        f"/institutions/{place['home'].pk}/safety/trainings/new/",
        {"held_on": TODAY().isoformat(), "topic": "fire", "trainer": "王", "attendee_count": "9" * 20},
    )
    assert sent.status_code == 200 and not SafetyTraining.objects.exists()


def test_a_drill_s_problems_are_listed_one_each_for_hazards(place):
    plan = services.plan_record(actor=place["county"], institution_id=place["home"].pk, data=plan_data())
    drill = services.drill_record(actor=place["staff"], plan_id=plan.pk, data=drill_data())
    assert services.drill_problems(drill) == ["东侧安全出口门难以打开", "疏散指示灯不亮"]
    assert (
        services.drill_problems(
            services.drill_record(actor=place["staff"], plan_id=plan.pk, data=drill_data(problems=""))
        )
        == []
    )


def test_an_incident_s_first_report_is_due_from_when_it_occurred_and_escalated_when_late(place, settings):
    home = place["home"]
    occurred = timezone.now() - datetime.timedelta(minutes=90)
    incident = services.incident_report(
        actor=place["staff"], institution_id=home.pk, data=incident_data(occurred_at=occurred)
    )
    case = incident.case
    assert case.workflow == "institutions.incident_major" and case.opened_at == occurred
    assert case.due_at == occurred + datetime.timedelta(hours=settings.SAFETYNET_INCIDENT_FIRST_REPORT_HOURS)
    ordinary = services.incident_report(
        actor=place["county"],
        institution_id=home.pk,
        data=incident_data(major=False, kind="fall", occurred_at=occurred),
    )
    assert ordinary.case.due_at == occurred + datetime.timedelta(hours=24)
    # An hour and a half after a major incident, not reported upward: overdue, escalated to the city.
    cases_sweep(timezone.now())
    case.refresh_from_db()
    assert case.overdue_since is not None and case.escalated_to == "city"
    ordinary.case.refresh_from_db()
    assert ordinary.case.overdue_since is None
    # The staff act on their own institution's case; another institution's staff do not reach it.
    client = Client()
    client.force_login(place["other_staff"])
    assert client.get(f"/institutions/safety/incidents/{incident.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        case_transition(
            actor=place["other_staff"], case_id=case.pk, transition="report_first", version=case.version
        )
    client.force_login(place["staff"])
    page = client.get(f"/institutions/safety/incidents/{incident.pk}/").content.decode()
    assert 'data-step="report_first"' in page
    moved = client.post(f"/cases/{case.pk}/move/", {"transition": "report_first", "version": case.version})
    assert moved.status_code == 302
    case.refresh_from_db()
    assert case.state == "first_reported" and case.overdue_since is None
    client.force_login(place["inspector"])
    assert client.get(f"/institutions/safety/incidents/{incident.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        case_transition(
            actor=place["inspector"], case_id=case.pk, transition="follow_up", version=case.version
        )


def test_what_is_due_reaches_the_desk(place):
    home = place["home"]
    # Recorded long ago: never trained, its plan never drilled, no watch kept.
    long_ago = timezone.now() - datetime.timedelta(days=400)
    type(home).objects.filter(pk__in=[home.pk, place["other"].pk]).update(created_at=long_ago)
    approved = TODAY() - datetime.timedelta(days=300)
    plan = services.plan_record(
        actor=place["county"],
        institution_id=home.pk,
        data=plan_data(approved_on=approved, review_due=approved + datetime.timedelta(days=400)),
    )
    rows = desk(actor=place["staff"])
    kinds = [(row.kind, row.title) for row in rows.overdue]
    assert ("Safety training", "兰山敬老院") in kinds or ("安全培训", "兰山敬老院") in kinds
    assert any(row.url.endswith(f"/safety/plans/{plan.pk}/drills/new/") for row in rows.overdue)
    assert any(row.url.endswith(f"/institutions/{home.pk}/safety/watch/new/") for row in rows.overdue)
    assert not any("另一敬老院" in row.title for row in rows.overdue + rows.today + rows.coming)
    # Trained, drilled and watched: off the desk.
    services.training_record(actor=place["staff"], institution_id=home.pk, data=training_data())
    services.drill_record(actor=place["staff"], plan_id=plan.pk, data=drill_data())
    for n in range(1, 8):
        services.watch_record(
            actor=place["staff"],
            institution_id=home.pk,
            data=watch_data(night=TODAY() - datetime.timedelta(days=n)),
        )
    rows = desk(actor=place["staff"])
    assert not any(str(home.pk) in row.url for row in rows.overdue + rows.today)
    # The county sees both of its institutions' due work; the other county none.
    county_rows = desk(actor=place["county"])
    assert any("另一敬老院" in row.title for row in county_rows.overdue)
    assert not any("敬老院" in row.title for row in desk(actor=place["yinan"]).overdue)
    overview = {row["institution"].pk: row for row in selectors.overview(actor=place["county"])}
    assert overview[home.pk]["missing_nights"] == 0 and overview[place["other"].pk]["missing_nights"] == 7


def test_the_demo_city_keeps_safety_records_dated_by_its_clock():
    from django.core.management import call_command

    call_command("demo_city", households=300, seed=2022, as_of="2023-01-15")
    end = timezone.make_aware(datetime.datetime(2023, 1, 15, 23, 59, 59))
    assert SafetyTraining.objects.count() >= 100 and Drill.objects.exists() and WatchNight.objects.exists()
    assert not SafetyTraining.objects.filter(held_on__gt=end.date()).exists()
    assert not SafetyTraining.objects.filter(recorded_at__gt=end).exists()
    assert not Drill.objects.filter(held_on__gt=end.date()).exists()
    assert not WatchNight.objects.filter(night__gte=end.date()).exists()
    assert not WatchNight.objects.filter(recorded_at__gt=end).exists()
    assert not EmergencyPlan.objects.filter(approved_on__gt=end.date()).exists()
    incidents = Incident.objects.select_related("case")
    assert incidents.count() == 2
    assert all(i.occurred_at <= end and i.case.opened_at == i.occurred_at for i in incidents)
    assert all(i.case.state == "first_reported" and i.recorded_at <= end for i in incidents)
    # A few nights go without a watch record: the desk of the demo's institution account shows them.
    assert WatchNight.objects.count() < 14 * SafetyTraining.objects.values("institution").distinct().count()


def test_the_staff_record_a_plan_a_drill_and_an_incident_through_the_pages(place):
    home = place["home"]
    client = Client()
    client.force_login(place["staff"])
    approved = TODAY() - datetime.timedelta(days=30)
    sent = client.post(
        f"/institutions/{home.pk}/safety/plans/new/",
        {
            "title": "消防预案",
            "scenarios": ["fire", "co"],
            "approved_on": approved.isoformat(),
            "review_due": (approved + datetime.timedelta(days=365)).isoformat(),
            "document": SimpleUploadedFile("plan.pdf", sample_files.pdf()),
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:800]
    plan = EmergencyPlan.objects.get()
    assert plan.scenarios == ["fire", "co"]
    assert Evidence.objects.filter(subject_kind="institutions.plan", subject_id=plan.pk, kind="pdf").exists()
    sent = client.post(
        f"/institutions/safety/plans/{plan.pk}/drills/new/",
        {
            "held_on": TODAY().isoformat(),
            "scenario": "fire",
            "residents_evacuated": "30",
            "evacuation_seconds": "200",
            "problems": "楼梯堆放杂物",
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:800]
    drill = Drill.objects.get()
    assert "楼梯堆放杂物" in client.get(f"/institutions/safety/drills/{drill.pk}/").content.decode()
    occurred = timezone.localtime() - datetime.timedelta(minutes=30)
    sent = client.post(
        f"/institutions/{home.pk}/safety/incidents/new/",
        {
            "kind": "co_poisoning",
            "major": "on",
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "reported_by": "赵值班",
            "description": "两名老人轻度中毒",
            "deaths": "0",
            "injured": "2",
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:800]
    incident = Incident.objects.get()
    assert incident.major and incident.case.workflow == "institutions.incident_major"
    assert client.get(f"/institutions/{home.pk}/safety/").status_code == 200
    edit = client.post(
        f"/institutions/safety/plans/{plan.pk}/edit/",
        {
            "title": "消防预案（修订）",
            "scenarios": ["fire"],
            "approved_on": approved.isoformat(),
            "review_due": (approved + datetime.timedelta(days=365)).isoformat(),
            "version": "0",
        },
    )
    assert edit.status_code == 200 and EmergencyPlan.objects.get().title == "消防预案"  # a stale version
