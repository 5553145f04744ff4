"""Street rescue on the street (issue 16): a call logged, the nearest team sent and told at once,
the team on scene, a refusal with supplies and a revisit, the public's reports (page and Open311)
with their limits, the figures — and the refusals that change nothing."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from conftest import user
from safetynet.core.models import ChangeRecord, LiveSignal, Notice, Role
from safetynet.core.services import ConflictError
from safetynet.rescue import selectors, services
from safetynet.rescue.models import Handout, RescueTeam, StreetContact, StreetIncident

pytestmark = pytest.mark.django_db

LANSHAN, YINAN = "371302", "371321"


@pytest.fixture
def officer():
    return user(Role.RESCUE_STATION, LANSHAN)


@pytest.fixture
def members():
    return [user(Role.RESCUE_STATION, LANSHAN), user(Role.RESCUE_STATION, LANSHAN)]


@pytest.fixture
def teams(officer, members):
    near = services.team_create(
        actor=officer,
        county=LANSHAN,
        name="一队",
        vehicle="鲁Q·12345",
        base=(Decimal("35.07"), Decimal("118.34")),
        members=members,
        staff_count=3,
    )
    far = services.team_create(
        actor=officer, county=LANSHAN, name="二队", vehicle="", base=(Decimal("35.30"), Decimal("118.60"))
    )
    return near, far


def call(officer, **extra):
    data = {
        "source": "hotline",
        "division": LANSHAN,
        "place": "沂河大桥下",
        "latitude": Decimal("35.071"),
        "longitude": Decimal("118.341"),
        "description": "男，约60岁，红色外套",
        "caller_name": "王先生",
        "caller_phone": "13800000000",
        "recording": "REC-20261207-001",
        **extra,
    }
    return services.incident_receive(actor=officer, data=data)


def test_a_call_is_logged_and_the_nearest_team_comes_first(officer, teams):
    incident = call(officer)
    assert incident.state == "received" and incident.received_by == officer
    order = [team.name for team, _km in selectors.dispatchable_teams(actor=officer, incident=incident)]
    assert order == ["一队", "二队"]
    assert ChangeRecord.objects.filter(subject_type="streetincident", subject_id=incident.pk).count() == 1


def test_a_call_without_a_location_is_refused_and_nothing_is_stored(officer):
    with pytest.raises(ValidationError) as refused:
        call(officer, place="", latitude=None, longitude=None)
    assert "place" in refused.value.message_dict
    with pytest.raises(ValidationError) as half:
        call(officer, longitude=None)
    assert "longitude" in half.value.message_dict
    with pytest.raises(ValidationError):
        call(officer, place="桥下\x00")
    assert not StreetIncident.objects.exists()


def test_another_county_is_not_the_officers_to_log_or_to_see(officer):
    with pytest.raises(ValidationError) as refused:
        call(officer, division=YINAN)
    assert "division" in refused.value.message_dict
    incident = call(officer)
    stranger = user(Role.RESCUE_STATION, YINAN)
    with pytest.raises(StreetIncident.DoesNotExist):
        selectors.incident_get(actor=stranger, pk=incident.pk)
    with pytest.raises(PermissionDenied):
        services.incident_receive(actor=user(Role.TOWNSHIP_OFFICE, "371302001"), data={"place": "x"})


def test_dispatch_tells_the_team_and_the_boards_and_a_busy_team_is_refused(officer, teams, members):
    near, _far = teams
    first, second = call(officer), call(officer, place="火车站广场")
    before = LiveSignal.objects.count()
    services.team_dispatch(actor=officer, incident_id=first.pk, version=first.version, team_id=near.pk)
    first.refresh_from_db(), near.refresh_from_db()
    assert (first.state, first.team_id, near.state) == ("dispatched", near.pk, "dispatched")
    told = Notice.objects.filter(kind=services.NOTICE_DISPATCHED)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(m.pk for m in members)
    assert told.first().params["incident"] == first.pk
    assert LiveSignal.objects.filter(topic=f"d{LANSHAN}").exists() and LiveSignal.objects.count() > before
    with pytest.raises(ValidationError) as busy:
        services.team_dispatch(actor=officer, incident_id=second.pk, version=second.version, team_id=near.pk)
    assert "team" in busy.value.message_dict
    second.refresh_from_db()
    assert second.state == "received" and second.team_id is None


def test_two_officers_sending_teams_to_one_incident_one_wins(officer, teams):
    near, far = teams
    incident = call(officer)
    other = user(Role.COUNTY_BUREAU, LANSHAN)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    with pytest.raises(ConflictError):
        services.team_dispatch(actor=other, incident_id=incident.pk, version=incident.version, team_id=far.pk)
    far.refresh_from_db()
    assert far.state == "available"


def test_the_team_records_a_refusal_with_a_coat_and_food_and_a_revisit(officer, teams, members):
    near, _far = teams
    incident = call(officer)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    services.team_arrive(actor=members[0], incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.state == "on_scene" and incident.response_seconds is not None
    with pytest.raises(ValidationError) as bare:
        services.contact_record(
            actor=members[1],
            incident_id=incident.pk,
            data={"outcome": "refused", "description": "男，约60岁"},
        )
    assert "handouts" in bare.value.message_dict
    submission = uuid.uuid4()
    contact = services.contact_record(
        actor=members[1],
        incident_id=incident.pk,
        data={
            "outcome": "refused",
            "description": "男，约60岁，红色外套",
            "card_given": True,
            "approximate_age": 60,
            "sex": "1",
        },
        handouts={"coat": 1, "food": 2},
        submission=submission,
    )
    again = services.contact_record(  # the same form again (a double tap)
        actor=members[1],
        incident_id=incident.pk,
        data={"outcome": "refused", "description": "男，约60岁，红色外套", "card_given": True},
        submission=submission,
    )
    assert again.pk == contact.pk and StreetContact.objects.count() == 1
    assert dict(Handout.objects.values_list("item", "quantity")) == {"coat": 1, "food": 2}
    due = contact.revisit_due_at - contact.at
    assert datetime.timedelta(hours=23) < due <= datetime.timedelta(hours=24)
    incident.refresh_from_db(), near.refresh_from_db()
    assert (incident.state, incident.closing, near.state) == ("closed", "helped", "returning")
    soon = timezone.now() + datetime.timedelta(days=2)
    assert [c.pk for c in selectors.revisits_due(actor=officer, until=soon)] == [contact.pk]
    services.team_state_set(actor=members[0], team_id=near.pk, state="available")
    near.refresh_from_db()
    assert near.state == "available"


def test_a_stranger_cannot_record_on_scene_nor_free_a_team(officer, teams):
    near, _far = teams
    incident = call(officer)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    stranger = user(Role.RESCUE_STATION, YINAN)
    with pytest.raises(PermissionDenied):
        services.team_arrive(actor=stranger, incident_id=incident.pk)
    with pytest.raises(PermissionDenied):
        services.team_state_set(actor=stranger, team_id=near.pk, state="available")
    with pytest.raises(ValidationError):
        services.team_state_set(actor=officer, team_id=near.pk, state="available")  # out on an incident
    near.refresh_from_db()
    assert near.state == "dispatched"


def test_figures_count_helped_items_and_response_times(officer, teams):
    near, far = teams
    for minutes, team, outcome in ((10, near, "accepted"), (30, far, "refused")):
        incident = call(officer)
        services.team_dispatch(
            actor=officer, incident_id=incident.pk, version=incident.version, team_id=team.pk
        )
        services.team_arrive(actor=officer, incident_id=incident.pk)
        StreetIncident.objects.filter(pk=incident.pk).update(
            reported_at=timezone.now() - datetime.timedelta(minutes=minutes)
        )
        services.contact_record(
            actor=officer,
            incident_id=incident.pk,
            data={"outcome": outcome, "description": "某人", "card_given": True},
            handouts={"coat": 2} if outcome == "refused" else {},
        )
        services.team_state_set(actor=officer, team_id=team.pk, state="available")
    now = timezone.now()
    result = selectors.figures(
        actor=officer, since=now - datetime.timedelta(days=1), until=now + datetime.timedelta(hours=1)
    )
    total = result["total"]
    assert (total["incidents"], total["dispatches"], total["staff_times"], total["vehicle_trips"]) == (
        2,
        2,
        5,
        1,
    )
    assert (total["in_station"], total["on_street"], total["items"]) == (1, 1, 2)
    assert total["median_minutes"] == pytest.approx(20, abs=0.2)
    assert total["p90_minutes"] == pytest.approx(28, abs=0.2)
    assert [row["county"] for row in result["rows"]] == [LANSHAN]
    stranger = user(Role.COUNTY_BUREAU, YINAN)
    assert (
        selectors.figures(actor=stranger, since=now - datetime.timedelta(days=1), until=now)["total"][
            "incidents"
        ]
        == 0
    )


def test_recording_references_are_forgotten_after_their_time(officer):
    old, new = call(officer), call(officer)
    StreetIncident.objects.filter(pk=old.pk).update(reported_at=timezone.now() - datetime.timedelta(days=200))
    assert services.recordings_forget(timezone.now() - datetime.timedelta(days=180)) == 1
    assert StreetIncident.objects.get(pk=old.pk).recording == ""
    assert StreetIncident.objects.get(pk=new.pk).recording == "REC-20261207-001"


# --- the public ----------------------------------------------------------------------------------------


def test_the_public_page_takes_a_report_without_a_login_and_refuses_one_without_a_place():
    client = Client()
    assert client.get("/public/rescue/").status_code == 200
    sent = client.post(
        "/public/rescue/", {"place": "兰山区 人民广场地下通道", "description": "一位老人", "persons": "1"}
    )
    assert sent.status_code == 200
    incident = StreetIncident.objects.get()
    assert (incident.source, incident.division_id) == ("public", LANSHAN)
    assert incident.reference in sent.content.decode()
    refused = client.post("/public/rescue/", {"place": "", "description": "有人", "persons": "1"})
    assert refused.status_code == 400 and "地图" in refused.content.decode()
    nul = client.post("/public/rescue/", {"place": "桥下\x00", "persons": "1"})
    assert nul.status_code == 400
    assert StreetIncident.objects.count() == 1


def test_a_flood_from_one_address_is_turned_away():
    client = Client(REMOTE_ADDR="10.1.2.3")
    for n in range(3):
        assert client.post("/public/rescue/", {"place": f"桥下{n}", "persons": "1"}).status_code == 200
    fourth = client.post("/public/rescue/", {"place": "桥下4", "persons": "1"})
    assert fourth.status_code == 429 and "太多" in fourth.content.decode()
    assert (
        Client(REMOTE_ADDR="10.9.9.9").post("/public/rescue/", {"place": "桥下5", "persons": "1"}).status_code
        == 200
    )
    assert StreetIncident.objects.count() == 4


def test_open311_lists_the_service_takes_a_request_and_tells_its_status(officer, teams):
    client = Client()
    listed = client.get("/open311/v2/services.json").json()
    assert [s["service_code"] for s in listed] == ["rough_sleeper"] and listed[0]["metadata"] is True
    definition = client.get("/open311/v2/services/rough_sleeper.json").json()
    assert {a["code"] for a in definition["attributes"]} == {"persons", "county"}
    unknown = client.get("/open311/v2/services/pothole.json")
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    bad = client.post(
        "/open311/v2/requests.json", {"service_code": "pothole", "lat": "35.07", "long": "118.34"}
    )
    assert bad.status_code == 404 and "pothole" in bad.json()[0]["description"]
    nowhere = client.post(
        "/open311/v2/requests.json", {"service_code": "rough_sleeper", "description": "有人"}
    )
    assert nowhere.status_code == 400 and nowhere.json()[0]["code"] == 400
    assert not StreetIncident.objects.exists()
    posted = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": "rough_sleeper",
            "lat": "35.0712",
            "long": "118.3405",
            "address_string": "沂河大桥下",
            "description": "桥下有人睡觉",
            "attribute[county]": LANSHAN,
            "attribute[persons]": "2",
        },
    )
    assert posted.status_code == 200
    reference = posted.json()[0]["service_request_id"]
    incident = StreetIncident.objects.get(reference=reference)
    assert (incident.source, incident.division_id, incident.persons) == ("open311", LANSHAN, 2)
    status = client.get(f"/open311/v2/requests/{reference}.json").json()[0]
    assert (status["status"], status["service_code"], status["lat"]) == ("open", "rough_sleeper", 35.0712)
    near, _far = teams
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    services.incident_close(
        actor=officer, incident_id=incident.pk, version=incident.version + 1, closing="not_found"
    )
    closed = client.get(f"/open311/v2/requests.json?service_request_id={reference},nope").json()
    assert [r["status"] for r in closed] == ["closed"]
    xml = client.get(f"/open311/v2/requests/{reference}.xml")
    assert xml["Content-Type"].startswith("text/xml") and b"<status>closed</status>" in xml.content
    assert client.get("/open311/v2/requests.json").status_code == 400  # no listing of the city's reports
    assert client.get("/open311/v2/requests/000000000000.json").status_code == 404


def test_public_only_server_serves_the_public_entry_points_alone(settings):
    settings.PUBLIC_ONLY = True
    client = Client()
    assert client.get("/public/rescue/").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/rescue/").status_code == 404


def test_the_duty_board_and_the_incident_page_walk(officer, teams, members):
    near, _far = teams
    client = Client()
    client.force_login(officer)
    board = client.get("/rescue/")
    assert board.status_code == 200 and "一队" in board.content.decode()
    logged = client.post(
        "/rescue/incidents/new/",
        {
            "source": "hotline",
            "division": LANSHAN,
            "place": "沂河大桥下",
            "latitude": "35.071",
            "longitude": "118.341",
            "persons": "1",
            "caller_phone": "13800000000",
        },
    )
    assert logged.status_code == 302
    incident = StreetIncident.objects.get()
    page = client.get(f"/rescue/incidents/{incident.pk}/").content.decode()
    assert "dispatch-form" in page and "13800000000" in page
    sent = client.post(
        f"/rescue/incidents/{incident.pk}/dispatch/", {"version": incident.version, "team": near.pk}
    )
    assert sent.status_code == 302
    team_client = Client()
    team_client.force_login(members[0])
    phone = team_client.get("/rescue/team/").content.decode()
    assert "current-incident" in phone and "沂河大桥下" in phone
    seen = team_client.get(f"/rescue/incidents/{incident.pk}/").content.decode()
    assert "contact-form" in seen
    city = Client()
    city.force_login(user(Role.CITY_BUREAU, "3713"))
    assert (
        "138****0000" in city.get(f"/rescue/incidents/{incident.pk}/").content.decode()
    )  # masked for a reader
    from safetynet.core.models import UnmaskLog

    assert UnmaskLog.objects.filter(
        actor=officer, subject_type="streetincident", fields="caller_phone"
    ).exists()
    recorded = team_client.post(
        f"/rescue/incidents/{incident.pk}/contacts/new/",
        {
            "submission": str(uuid.uuid4()),
            "outcome": "refused",
            "description": "男，约60岁，红色外套",
            "card_given": "on",
            "give_coat": "1",
            "give_food": "2",
            "close": "on",
        },
    )
    assert recorded.status_code == 302
    assert StreetIncident.objects.get().state == "closed"
    figures = client.get("/rescue/figures/")
    assert figures.status_code == 200
    stranger = Client()
    stranger.force_login(user(Role.COUNTY_BUREAU, YINAN))
    assert stranger.get(f"/rescue/incidents/{incident.pk}/").status_code == 404


# --- patrols and cold mode ----------------------------------------------------------------------------


@pytest.fixture
def points():
    from safetynet.rescue.models import Hotspot

    return [
        Hotspot.objects.create(county_id=LANSHAN, name=name, kind=kind)
        for name, kind in (
            ("火车站广场", "station"),
            ("沂河大桥桥洞", "bridge"),
            ("人民广场地下通道", "underpass"),
        )
    ]


def test_a_patrol_is_planned_logged_and_its_coverage_counted(officer, teams, members, points):
    from safetynet.rescue.models import Hotspot, Patrol

    near, _far = teams
    tonight = timezone.now() + datetime.timedelta(hours=2)
    with pytest.raises(ValidationError) as none:
        services.patrol_plan(actor=officer, team_id=near.pk, planned_for=tonight, hotspot_ids=[])
    assert "points" in none.value.message_dict
    theirs = Hotspot.objects.create(county_id=YINAN, name="沂南车站", kind="station")
    with pytest.raises(ValidationError):
        services.patrol_plan(actor=officer, team_id=near.pk, planned_for=tonight, hotspot_ids=[theirs.pk])
    assert not Patrol.objects.exists()
    patrol = services.patrol_plan(
        actor=officer, team_id=near.pk, planned_for=tonight, hotspot_ids=[points[0].pk, points[1].pk]
    )
    services.patrol_start(actor=members[0], patrol_id=patrol.pk)
    with pytest.raises(ValidationError):
        services.patrol_log(actor=members[0], patrol_id=patrol.pk, checks={theirs.pk: 1})
    # The bridge planned and checked, the underpass checked though not planned, the square missed.
    services.patrol_log(
        actor=members[0],
        patrol_id=patrol.pk,
        checks={points[1].pk: 2, points[2].pk: 0},
        note="桥洞两人，已劝导",
    )
    patrol.refresh_from_db()
    assert (patrol.state, patrol.persons_met) == ("logged", 2)
    with pytest.raises(ValidationError):
        services.patrol_log(actor=members[0], patrol_id=patrol.pk, checks={points[0].pk: 0})
    now = timezone.now()
    total = selectors.figures(
        actor=officer, since=now - datetime.timedelta(days=1), until=now + datetime.timedelta(days=1)
    )["total"]
    assert (total["patrols"], total["persons_met"], total["points_planned"], total["points_checked"]) == (
        1,
        2,
        2,
        2,
    )
    assert total["coverage"] == 50.0
    assert total["staff_times"] == 3 and total["vehicle_trips"] == 1


def test_a_cold_wave_switches_cold_mode_on(officer, teams, members, points):
    from safetynet.core.weather.services import weather_warnings_create
    from safetynet.rescue.models import ColdSwitch, Patrol

    near, far = teams
    incident = call(officer)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    refuser = services.contact_record(
        actor=members[0],
        incident_id=incident.pk,
        data={"outcome": "refused", "description": "男，约60岁", "card_given": True},
    )
    services.team_state_set(actor=officer, team_id=far.pk, state="off_duty")
    now = timezone.now()
    county = user(Role.COUNTY_BUREAU, LANSHAN)
    _made, said = weather_warnings_create(
        actor=county,
        source="entered",
        items=[
            {
                "county": LANSHAN,
                "kind": "cold_wave",
                "level": "blue",
                "lowest_temperature": Decimal("-8"),
                "starts_at": now,
                "ends_at": now + datetime.timedelta(days=2),
            }
        ],
    )
    refuser.refresh_from_db()
    assert refuser.revisit_due_at <= timezone.now() + datetime.timedelta(hours=4)
    added = Patrol.objects.filter(cold=True)
    assert [p.team_id for p in added] == [near.pk]  # the team off duty gets none
    assert added.get().points.count() == 3
    switch = ColdSwitch.objects.get()
    assert (switch.revisits_brought_forward, switch.patrols_added, switch.teams_on_duty) == (1, 1, 1)
    assert any("寒潮模式" in words or "Cold mode" in words for words in said)
    assert [s.pk for s in selectors.cold_switches(actor=officer)] == [switch.pk]
    assert list(selectors.cold_switches(actor=user(Role.RESCUE_STATION, YINAN))) == []


def test_the_map_draws_the_counties_incidents_teams_and_routes(officer, teams, points, settings):
    from safetynet.rescue import geo

    shapes = geo.county_shapes(geo.frame(()))
    assert len(shapes) == 13 and {"371302", "371371"} <= {s["code"] for s in shapes}  # 高新区 drawn too
    incident = call(officer)
    client = Client()
    client.force_login(officer)
    page = client.get("/rescue/map/").content.decode()
    assert f'data-incident="{incident.pk}"' in page and f'data-team="{teams[0].pk}"' in page
    assert 'data-county="371302"' in page and 'data-county="371321"' not in page  # the officer's county only
    assert "<image" not in page  # no tile server: the outlines are the base map
    settings.SAFETYNET_MAP_TILES = "http://tiles.intranet/{z}/{x}/{y}.png"
    city = Client()
    city.force_login(user(Role.CITY_BUREAU, "3713"))
    whole = city.get("/rescue/map/").content.decode()
    assert 'data-county="371329"' in whole and "http://tiles.intranet/" in whole


def test_a_public_photo_is_checked_and_shown_to_the_area_only(officer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safetynet.core.tests import sample_files

    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xffnot really a picture")
    refused = Client().post("/public/rescue/", {"place": "桥下", "persons": "1", "photo": fake})
    assert refused.status_code == 400 and not StreetIncident.objects.exists()
    photo = SimpleUploadedFile("photo.jpg", sample_files.jpeg())
    sent = Client().post("/public/rescue/", {"place": "兰山区桥下", "persons": "1", "photo": photo})
    assert sent.status_code == 200
    incident = StreetIncident.objects.get()
    client = Client()
    client.force_login(officer)
    shown = client.get(f"/rescue/incidents/{incident.pk}/photo/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    stranger = Client()
    stranger.force_login(user(Role.RESCUE_STATION, YINAN))
    assert stranger.get(f"/rescue/incidents/{incident.pk}/photo/").status_code == 404
    assert client.get("/rescue/figures/?from=0001-01-01&to=9999-12-31").status_code == 200


def test_a_person_met_is_linked_to_a_registered_person_of_the_area_only(
    officer, teams, members, make_household, lanshan_village, yinan_village
):
    from safetynet.registry.models import Person

    near, _far = teams
    county = user(Role.COUNTY_BUREAU, LANSHAN)
    household = make_household(lanshan_village, county)
    theirs = make_household(yinan_village, user(Role.COUNTY_BUREAU, YINAN))
    incident = call(officer)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    contact = services.contact_record(
        actor=members[0], incident_id=incident.pk, data={"outcome": "accepted", "description": "男，约70岁"}
    )
    with pytest.raises(ValidationError):
        services.contact_link_person(actor=county, contact_id=contact.pk, person_id=theirs.head_id)
    before = Person.objects.values_list("pk", "name", "residence_division_id").order_by("pk")
    before = list(before)
    services.contact_link_person(actor=county, contact_id=contact.pk, person_id=household.head_id)
    contact.refresh_from_db()
    assert contact.person_id == household.head_id
    assert list(Person.objects.values_list("pk", "name", "residence_division_id").order_by("pk")) == before
    other = make_household(lanshan_village, county, members=[("李四", 1, "02", datetime.date(1955, 1, 1))])
    with pytest.raises(ValidationError):
        services.contact_link_person(actor=county, contact_id=contact.pk, person_id=other.head_id)
    with pytest.raises(PermissionDenied):
        services.contact_link_person(
            actor=user(Role.COUNTY_BUREAU, YINAN), contact_id=contact.pk, person_id=household.head_id
        )


def test_a_form_sent_twice_records_one_contact_and_the_team_is_on_scene(officer, teams, members):
    near, _far = teams
    incident = call(officer)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    submission = uuid.uuid4()
    data = {"outcome": "sick", "description": "女，约50岁，发烧"}
    first = services.contact_record(
        actor=members[0], incident_id=incident.pk, data=data, close=False, submission=submission
    )
    near.refresh_from_db()
    assert near.state == "on_scene"
    again = services.contact_record(
        actor=members[1], incident_id=incident.pk, data=data, close=False, submission=submission
    )
    assert again.pk == first.pk and StreetContact.objects.count() == 1
    other = call(officer, place="火车站")
    with pytest.raises(ValidationError):
        services.contact_record(actor=officer, incident_id=other.pk, data=data, submission=submission)


def test_cold_mode_switches_once_for_overlapping_warnings(officer, teams, points):
    from safetynet.core.weather.services import weather_warnings_create
    from safetynet.rescue.models import ColdSwitch, Patrol

    now = timezone.now()
    county = user(Role.COUNTY_BUREAU, LANSHAN)
    warning = {
        "county": LANSHAN,
        "kind": "cold_wave",
        "level": "blue",
        "lowest_temperature": Decimal("-8"),
        "starts_at": now,
        "ends_at": now + datetime.timedelta(days=2),
    }
    weather_warnings_create(actor=county, source="entered", items=[warning])
    low = {**warning, "kind": "low_temperature", "level": "", "starts_at": now + datetime.timedelta(hours=6)}
    weather_warnings_create(actor=county, source="entered", items=[low])
    assert ColdSwitch.objects.count() == 1 and Patrol.objects.filter(cold=True).count() == 2


def test_open311_tells_the_status_of_public_reports_only_and_keeps_line_breaks(officer):
    hotline = call(officer)
    client = Client()
    assert client.get(f"/open311/v2/requests/{hotline.reference}.json").status_code == 404
    posted = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": "rough_sleeper",
            "address_string": "兰山区 沂河大桥下",
            "description": "一位老人\n衣着单薄",
        },
    )
    assert posted.status_code == 200
    assert StreetIncident.objects.get(source="open311").description == "一位老人\n衣着单薄"


def test_a_member_reads_the_teams_incident_while_it_is_fresh_not_its_history(officer, teams, members):
    near, _far = teams
    incident = call(officer)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    services.contact_record(
        actor=members[0], incident_id=incident.pk, data={"outcome": "accepted", "description": "男，约60岁"}
    )
    assert selectors.incident_get(actor=members[0], pk=incident.pk).pk == incident.pk
    StreetIncident.objects.filter(pk=incident.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=2)
    )
    helper = user(Role.CAREGIVER, LANSHAN)  # a member who reads nothing by area
    near.members.add(helper)
    with pytest.raises(StreetIncident.DoesNotExist):
        selectors.incident_get(actor=helper, pk=incident.pk)  # closed two days ago: history, not the team's


def test_teams_and_hotspots_are_set_up_on_a_page_and_bad_values_change_nothing(officer, members):
    from safetynet.rescue.models import Hotspot

    client = Client()
    client.force_login(officer)
    assert client.get("/rescue/teams/").status_code == 200
    made = client.post(
        "/rescue/teams/new/",
        {
            "county": LANSHAN,
            "name": "夜巡队",
            "vehicle": "鲁Q·1",
            "staff_count": "3",
            "latitude": "35.07",
            "longitude": "118.34",
            "members": [str(members[0].pk)],
        },
    )
    assert made.status_code == 302
    team = RescueTeam.objects.get(name="夜巡队")
    assert list(team.members.all()) == [members[0]] and team.base_latitude == Decimal("35.07")
    again = client.post("/rescue/teams/new/", {"county": LANSHAN, "name": "夜巡队", "staff_count": "2"})
    assert again.status_code == 400 and "已有同名" in again.content.decode()
    half = client.post(
        "/rescue/teams/new/", {"county": LANSHAN, "name": "半队", "staff_count": "2", "latitude": "35"}
    )
    assert half.status_code == 400
    elsewhere = client.post("/rescue/teams/new/", {"county": YINAN, "name": "外县队", "staff_count": "2"})
    assert elsewhere.status_code == 400
    assert RescueTeam.objects.count() == 1
    assert (
        client.post(
            "/rescue/hotspots/new/", {"county": LANSHAN, "name": "北桥洞", "kind": "bridge"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/rescue/hotspots/new/", {"county": LANSHAN, "name": "北桥洞", "kind": "bridge"}
        ).status_code
        == 400
    )
    assert (
        client.post("/rescue/hotspots/new/", {"county": LANSHAN, "name": "x", "kind": "castle"}).status_code
        == 400
    )
    assert Hotspot.objects.count() == 1
    reader = Client()
    reader.force_login(user(Role.CITY_BUREAU, "3713"))
    assert "team-form" not in reader.get("/rescue/teams/").content.decode()


def test_a_dispatch_goes_by_sms_only_to_a_member_with_no_page_open(officer, teams, members, client):
    from safetynet.core import sms
    from safetynet.core.models import SmsMessage, SmsRule

    SmsRule.objects.create(kind=services.NOTICE_DISPATCHED, role=Role.RESCUE_STATION)
    watching, away = members
    for number, member in enumerate(members):
        member.phone = f"1390539020{number}"
        member.save()
    near, _far = teams
    incident = call(officer)
    services.team_dispatch(actor=officer, incident_id=incident.pk, version=incident.version, team_id=near.pk)
    held = SmsMessage.objects.filter(notice__kind=services.NOTICE_DISPATCHED)
    assert held.count() == 2 and all(m.due_at is not None for m in held)
    assert "0" in sms.sms_send_queued()  # kept back while an open page may show the notice
    assert set(held.values_list("status", flat=True)) == {SmsMessage.Status.QUEUED}

    client.force_login(watching)  # the watching member's page, in view, shows the notice and says so
    shown = Notice.objects.get(user=watching, kind=services.NOTICE_DISPATCHED)
    assert client.post("/live/seen/", {"ids": f"{shown.pk}"}).status_code == 204
    for nonsense in ("", "1,x", ",".join(["1"] * 51), "9" * 19, "\x00"):
        assert client.post("/live/seen/", {"ids": nonsense}).status_code == 400
    assert client.post("/live/seen/", {"ids": f"{Notice.objects.get(user=away).pk}"}).status_code == 204
    assert Notice.objects.get(user=watching, kind=services.NOTICE_DISPATCHED).delivered_at is not None
    assert Notice.objects.get(user=away, kind=services.NOTICE_DISPATCHED).delivered_at is None

    later = timezone.now() + sms.UNSEEN_AFTER + datetime.timedelta(seconds=1)
    assert "1" in sms.sms_send_queued(now=later)
    assert held.get(user=watching).status == SmsMessage.Status.SEEN
    sent = held.get(user=away)
    assert sent.status == SmsMessage.Status.SENT and sent.phone == "13905390201" and "沂河大桥下" in sent.text
    assert "0" in sms.sms_send_queued(now=later)  # and once only


def test_station_staff_read_their_own_stations_work_only(officer, teams, client):
    from safetynet.core.grants import grant_create
    from safetynet.core.models import Division
    from safetynet.institutions.selectors import GRANT_KIND
    from safetynet.institutions.services import institution_create

    county = user(Role.COUNTY_BUREAU, LANSHAN)
    station = institution_create(
        actor=county,
        division=Division.objects.get(code="371302001"),
        data={"name": "兰山区救助站", "kind": "rescue_station", "address": "沂河路1号"},
    )
    near, far = teams
    RescueTeam.objects.filter(pk=near.pk).update(station=station)
    ours, theirs = call(officer), call(officer, place="火车站广场")
    services.team_dispatch(actor=officer, incident_id=ours.pk, version=ours.version, team_id=near.pk)
    services.team_dispatch(actor=officer, incident_id=theirs.pk, version=theirs.version, team_id=far.pk)

    staff = user(Role.INSTITUTION_STAFF, LANSHAN)
    assert not selectors.may_read(staff)  # no station granted yet: nothing
    client.force_login(staff)
    assert client.get("/rescue/").status_code == 403
    grant_create(actor=county, user=staff, kind=GRANT_KIND, object_id=station.pk)

    assert list(selectors.incidents(actor=staff)) == [ours]
    assert list(selectors.teams(actor=staff)) == [near]
    board = client.get("/rescue/").content.decode()
    assert "沂河大桥下" in board and "火车站广场" not in board
    assert client.get(f"/rescue/incidents/{ours.pk}/").status_code == 200
    assert client.get(f"/rescue/incidents/{theirs.pk}/").status_code == 404
    # Reading, not keeping the duty: a station's staff account sends no team and closes nothing.
    closing = client.post(f"/rescue/incidents/{ours.pk}/close/", {"version": 2, "closing": "not_found"})
    assert closing.status_code == 403
    # A contracted inspector holds the same kind of grant to inspect the station: it reads no street work.
    inspector = user(Role.INSPECTOR, LANSHAN)
    grant_create(actor=county, user=inspector, kind=GRANT_KIND, object_id=station.pk)
    assert not selectors.may_read(inspector) and not selectors.incidents(actor=inspector).exists()
    day = datetime.timedelta(days=1)
    counted = selectors.figures(actor=staff, since=timezone.now() - day, until=timezone.now() + day)
    assert counted["total"]["incidents"] == 1
