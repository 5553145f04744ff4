"""Visits to 特困 persons cared for at home (issue 14, item 5): the two visiting groups select the
right households (placed persons out, high-risk weekly), their visits fall due on the village's
desk by the registry's rules and within 24 hours of a cold wave, the care checklist is answered in
their homes and a hazard found there is followed to its repair; caregivers and providers visit the
households of the persons granted to them and no other; a caregiver's desk shows the visits its
agreements ask for; and the figures count visits against due and the problems found and solved."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.care.models import CareAgreement, Placement
from safetynet.care.visits import selectors
from safetynet.core import hooks
from safetynet.core.grants import grant_create
from safetynet.core.models import Case, Division, Evidence, Role
from safetynet.core.weather.services import weather_warnings_create
from safetynet.core.workflows.evidence import evidence_add
from safetynet.core.workflows.services import case_transition
from safetynet.programmes.models import Enrolment
from safetynet.registry.codes import SelfCare
from safetynet.registry.models import Household, Person, Problem, Visit, VisitRule
from safetynet.registry.visits import selectors as registry_visits
from safetynet.registry.visits.groups import visit_group
from safetynet.registry.visits.services import visit_record

pytestmark = pytest.mark.django_db

HOUSEHOLD_FINE = {
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
CARE_FINE = HOUSEHOLD_FINE | {
    "caregiver_present": ["yes"],
    "caring_as_agreed": ["yes"],
    "hygiene": ["good"],
    "centralised_wish": ["stay"],
}


def _jpeg(colour=(200, 30, 30), name="photo.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _years_ago(years: int) -> datetime.date:
    day = timezone.localdate()
    return day.replace(year=day.year - years, day=min(day.day, 28))


@pytest.fixture
def lanshan(db):
    return village(LANSHAN_TOWNSHIP + "201")


@pytest.fixture
def homes(make_household, lanshan, county_user):
    """Five households of Lanshan: a 特困 person aged 70 partly unable to look after themselves
    (high-risk), one aged 66 able to (ordinary), one like the first now in an institution (placed), one
    whose 特困 support ended, and a household on no programme."""

    def one(name, years, tekun=True, **person):
        household = make_household(lanshan, county_user, members=[(name, 1, "02", _years_ago(years))])
        if person:
            Person.objects.filter(pk=household.head_id).update(**person)
        if tekun:
            Enrolment.objects.create(
                household=household,
                person_id=household.head_id,
                programme="tekun",
                amount=Decimal("900"),
                since=timezone.localdate() - datetime.timedelta(days=90),
                county_id="371302",
            )
        return household

    made = {
        "high": one("高风险", 70, self_care=SelfCare.PARTLY_LOST),
        "ordinary": one("普通", 66),
        "placed": one("入院", 70, self_care=SelfCare.PARTLY_LOST),
        "ended": one("终止", 66),
        "none": one("非特困", 66, tekun=False),
    }
    Enrolment.objects.filter(person_id=made["ended"].head_id).update(until=timezone.localdate())
    from safetynet.institutions import services as institutions

    home = institutions.institution_create(
        actor=county_user,
        division=Division.objects.get(code=LANSHAN_TOWNSHIP),
        data={
            "name": "兰山街道敬老院",
            "kind": "elderly_public",
            "address": "兰山街道1号",
            "beds": 80,
            "residents": 60,
            "staff": 12,
            "heating": "gas",
            "co_alarms": 10,
            "co_rooms_heated": 10,
            "co_rooms_covered": 10,
            "co_last_tested": datetime.date(2022, 12, 1),
        },
    )
    Placement.objects.create(
        person_id=made["placed"].head_id,
        division=lanshan,
        institution=home,
        requested_on=timezone.localdate() - datetime.timedelta(days=30),
        state=Placement.State.PLACED,
        admitted_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    return made


@pytest.fixture
def grid(lanshan):
    return user(Role.GRID_WORKER, lanshan.code, username="grid-care")


def _record(actor, household, answers=None, **extra):
    kwargs = {
        "data": {"purpose": "routine"},
        "answers": answers or CARE_FINE,
        "submission": uuid.uuid4(),
    } | extra
    return visit_record(actor=actor, household=household, **kwargs)


def _ids(households) -> set[int]:
    return set(households.values_list("pk", flat=True))


# --- groups and rules --------------------------------------------------------------------------------------


def test_the_groups_take_persons_at_home_not_the_placed_and_high_risk_weekly(homes):
    everyone = Household.objects.all()
    assert _ids(selectors.cared_at_home(everyone)) == {homes["high"].pk, homes["ordinary"].pk}
    assert _ids(selectors.cared_at_home_high_risk(everyone)) == {homes["high"].pk}
    # Aged 80 or over makes one high-risk too, as does losing self-care fully.
    Person.objects.filter(pk=homes["ordinary"].head_id).update(birth_date=_years_ago(81))
    assert _ids(selectors.cared_at_home_high_risk(everyone)) == {homes["high"].pk, homes["ordinary"].pk}
    # The groups are registered where the registry looks for them, and their rules are seeded.
    assert visit_group(selectors.DISPERSED_GROUP).narrow is selectors.cared_at_home
    rules = {
        rule.group: (rule.every_days, rule.cold_wave_hours, rule.active) for rule in VisitRule.objects.all()
    }
    assert rules[selectors.HIGH_RISK_GROUP] == (7, 24, True)
    assert rules[selectors.DISPERSED_GROUP] == (30, 24, True)


def test_their_visits_fall_due_on_the_village_desk_weekly_or_monthly(homes, grid):
    now = timezone.now()
    due = registry_visits.visits_due(actor=grid, until=now + datetime.timedelta(days=8))
    high_risk = str(visit_group(selectors.HIGH_RISK_GROUP).label)
    assert [(d.household, d.reason) for d in due] == [(homes["high"], high_risk)]
    assert due[0].due_at - homes["high"].created_at == datetime.timedelta(days=7)
    later = registry_visits.visits_due(actor=grid, until=now + datetime.timedelta(days=31))
    assert {d.household.pk for d in later} == {homes["high"].pk, homes["ordinary"].pk}
    # A visit puts the household's next one a week (the high-risk) on from it.
    visit = _record(grid, homes["high"])
    due = registry_visits.visits_due(actor=grid, until=now + datetime.timedelta(days=31))
    assert {(d.household.pk, d.due_at) for d in due} == {
        (homes["high"].pk, visit.visited_at + datetime.timedelta(days=7)),
        (homes["ordinary"].pk, homes["ordinary"].created_at + datetime.timedelta(days=30)),
    }
    # Another county's grid worker is shown none of them.
    assert (
        registry_visits.visits_due(
            actor=user(Role.GRID_WORKER, village(YINAN_TOWNSHIP + "201").code),
            until=now + datetime.timedelta(days=31),
        )
        == []
    )


def test_a_cold_wave_makes_every_person_at_home_due_within_24_hours(homes, grid):
    city = user(Role.CITY_BUREAU, "3713")
    starts = timezone.now() - datetime.timedelta(hours=1)
    _made, said = weather_warnings_create(
        actor=city,
        source="entered",
        items=[
            {
                "county": "371302",
                "kind": "cold_wave",
                "level": "orange",
                "lowest_temperature": Decimal("-12"),
                "starts_at": starts,
                "ends_at": starts + datetime.timedelta(days=3),
                "note": "",
            }
        ],
    )
    assert any("2" in line for line in said)
    due = registry_visits.visits_due(actor=grid, until=timezone.now() + datetime.timedelta(hours=1))
    assert {(d.household.pk, d.due_at) for d in due} == {
        (homes["high"].pk, starts + datetime.timedelta(hours=24)),
        (homes["ordinary"].pk, starts + datetime.timedelta(hours=24)),
    }
    _record(grid, homes["ordinary"], data={"purpose": "cold_wave"})
    due = registry_visits.visits_due(actor=grid, until=timezone.now() + datetime.timedelta(hours=1))
    assert [d.household for d in due] == [homes["high"]]


# --- the care checklist and its problems ---------------------------------------------------------------


def test_their_homes_answer_the_care_checklist_others_the_household_one(homes, grid):
    assert _record(grid, homes["high"]).checklist.code == "care.visit"
    assert _record(grid, homes["none"], HOUSEHOLD_FINE).checklist.code == "registry.household_visit"
    assert _record(grid, homes["placed"], HOUSEHOLD_FINE).checklist.code == "registry.household_visit"
    with pytest.raises(ValidationError) as refused:
        _record(grid, homes["ordinary"], HOUSEHOLD_FINE)
    assert {"item_caregiver_present", "item_hygiene"} <= set(refused.value.message_dict)
    assert Visit.objects.filter(household=homes["ordinary"]).count() == 0


def test_neglect_found_opens_a_problem_closed_only_with_a_photo_of_the_remedy(homes, grid):
    with pytest.raises(ValidationError) as refused:
        _record(grid, homes["high"], CARE_FINE | {"hygiene": ["poor"]})
    assert "photo_hygiene" in refused.value.message_dict
    assert (Visit.objects.count(), Problem.objects.count(), Case.objects.count()) == (0, 0, 0)
    visit = _record(
        grid,
        homes["high"],
        CARE_FINE | {"hygiene": ["poor"], "caregiver_present": ["no"]},
        photos={"hygiene": _jpeg()},
    )
    problems = {problem.item: problem for problem in visit.problems.all()}
    assert set(problems) == {"hygiene", "caregiver_present"}
    case = problems["hygiene"].case
    assert (case.state, case.division_id) == ("open", homes["high"].village_id)
    with pytest.raises(ValidationError):
        case_transition(actor=grid, case_id=case.pk, transition="report_fixed", version=case.version)
    remedy = evidence_add(actor=grid, case=case, kind="photo", upload=_jpeg((20, 200, 20), "cleaned.jpg"))
    fixed = case_transition(
        actor=grid, case_id=case.pk, transition="report_fixed", version=case.version, evidence=[remedy.pk]
    )
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    assert (
        case_transition(actor=township, case_id=case.pk, transition="verify", version=fixed.version).state
        == "closed"
    )


# --- caregivers and providers ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.SERVICE_PROVIDER])
def test_a_caregiver_or_provider_visits_its_granted_persons_household_and_no_other(homes, role):
    visitor = user(role, "371302")
    with pytest.raises(PermissionDenied):
        _record(visitor, homes["high"])
    grant_create(actor=None, user=visitor, kind="registry.person", object_id=homes["high"].head_id)
    visit = _record(visitor, homes["high"], CARE_FINE | {"wiring": ["aged"]}, photos={"wiring": _jpeg()})
    assert (visit.visitor, visit.problems.get().category) == (visitor, "wiring")
    for other in ("ordinary", "none"):
        with pytest.raises(PermissionDenied):
            _record(visitor, homes[other], HOUSEHOLD_FINE)
    assert Visit.objects.count() == 1 and Problem.objects.count() == 1
    assert Evidence.objects.count() == 1


# --- a caregiver's desk ------------------------------------------------------------------------------------


def _agreement(person_id, caregiver, county_user, lanshan, **changes) -> CareAgreement:
    day = timezone.localdate()
    values = {
        "person_id": person_id,
        "division": lanshan,
        "caregiver_kind": "person",
        "caregiver_name": "邻居刘",
        "caregiver_user": caregiver,
        "duties": "送餐、打扫",
        "visit_every_days": 7,
        "starts_on": day - datetime.timedelta(days=10),
        "ends_on": day + datetime.timedelta(days=355),
        "state": CareAgreement.State.SIGNED,
        "signed_on": day - datetime.timedelta(days=10),
        "created_by": county_user,
        "created_at": timezone.now(),
    }
    return CareAgreement.objects.create(**values | changes)


def test_a_caregivers_desk_shows_the_visits_its_agreements_ask_for(homes, county_user, lanshan):
    caregiver = user(Role.CAREGIVER, "371302")
    high, ordinary = homes["high"].head_id, homes["ordinary"].head_id
    _agreement(high, caregiver, county_user, lanshan)
    _agreement(ordinary, caregiver, county_user, lanshan, visit_every_days=30)
    grant_create(actor=None, user=caregiver, kind="registry.person", object_id=high)
    grant_create(actor=None, user=caregiver, kind="registry.person", object_id=ordinary)
    until = timezone.now() + datetime.timedelta(days=1)
    items = hooks.desk_items(caregiver, until)
    assert [item.title for item in items] == ["高风险"]  # 10 days since the start, every 7: overdue
    assert items[0].url == f"/registry/households/{homes['high'].pk}/visits/new/"
    assert items[0].due_at == selectors.start_of_day(timezone.localdate() - datetime.timedelta(days=3))
    visit = _record(caregiver, homes["high"])
    assert hooks.desk_items(caregiver, until) == []
    items = hooks.desk_items(caregiver, timezone.now() + datetime.timedelta(days=21))
    assert [(item.title, item.due_at) for item in items] == [
        ("高风险", visit.visited_at + datetime.timedelta(days=7)),
        ("普通", selectors.start_of_day(timezone.localdate() + datetime.timedelta(days=20))),
    ]
    # Someone else's visit is not the caregiver's; nor does another caregiver see these persons.
    assert hooks.desk_items(user(Role.CAREGIVER, "371302"), until) == []
    assert hooks.desk_items(user(Role.GRID_WORKER, lanshan.code), until) != items


def test_a_person_not_granted_or_placed_is_not_on_the_caregivers_desk(homes, county_user, lanshan):
    caregiver = user(Role.CAREGIVER, "371302")
    _agreement(homes["high"].head_id, caregiver, county_user, lanshan)
    _agreement(homes["placed"].head_id, caregiver, county_user, lanshan)
    grant_create(actor=None, user=caregiver, kind="registry.person", object_id=homes["placed"].head_id)
    assert selectors.agreement_visits_due(actor=caregiver, until=timezone.now()) == []


# --- figures ----------------------------------------------------------------------------------------------


def test_the_figures_count_visits_against_due_and_problems_found_and_solved(homes, grid, county_user):
    now = timezone.now()
    for days_ago in (1, 2, 3):
        _record(
            grid,
            homes["ordinary"],
            data={"purpose": "routine", "visited_at": now - datetime.timedelta(days=days_ago)},
        )
    visit = _record(
        grid, homes["high"], CARE_FINE | {"food": ["short"], "gas": ["aged"]}, photos={"gas": _jpeg()}
    )
    _record(grid, homes["none"], HOUSEHOLD_FINE | {"food": ["short"]})  # not a 特困 household
    food, gas = (visit.problems.get(item=item).case for item in ("food", "gas"))
    remedy = evidence_add(actor=grid, case=food, kind="photo", upload=_jpeg((1, 99, 1)))
    fixed = case_transition(
        actor=grid, case_id=food.pk, transition="report_fixed", version=food.version, evidence=[remedy.pk]
    )
    case_transition(
        actor=user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        case_id=food.pk,
        transition="verify",
        version=fixed.version,
    )
    end = timezone.localdate()
    figures = selectors.visit_figures(actor=county_user, start=end - datetime.timedelta(days=27), end=end)
    # 28 days: the high-risk household owes 4 visits, the ordinary one 1 (its 3 count as 1).
    expected = {"households": 2, "due": 5, "done": 2, "visits": 4, "found": 2, "solved": 1}
    assert {key: figures["total"][key] for key in expected} == expected
    assert figures["total"]["done_rate"] == 40.0
    [county] = figures["counties"]
    assert county["county"] == "371302" and [t["township"] for t in county["townships"]] == [LANSHAN_TOWNSHIP]
    # Before the visits: nothing done, nothing found; another county sees none of it.
    earlier = selectors.visit_figures(
        actor=county_user, start=end - datetime.timedelta(days=60), end=end - datetime.timedelta(days=30)
    )
    assert (earlier["total"]["done"], earlier["total"]["found"]) == (0, 0)
    assert (
        selectors.visit_figures(actor=user(Role.COUNTY_BUREAU, "371321"), start=end, end=end)["counties"]
        == []
    )
    assert selectors.visit_figures(actor=grid, start=end, end=end)["counties"] == []
    assert gas.state == "open"


def test_a_caregiver_records_the_visit_on_the_phone_form_of_its_granted_persons_home_only(client, homes):
    from django.urls import reverse

    caregiver = user(Role.CAREGIVER, "371302")
    grant_create(actor=None, user=caregiver, kind="registry.person", object_id=homes["high"].head_id)
    client.force_login(caregiver)
    form = client.get(reverse("registry:visit_new", args=[homes["high"].pk]))
    assert form.status_code == 200 and 'name="item_caregiver_present"' in form.content.decode()
    assert client.get(reverse("registry:visit_new", args=[homes["ordinary"].pk])).status_code == 404
    post = {f"item_{code}": values[0] for code, values in CARE_FINE.items()} | {
        "purpose": "routine",
        "submission": str(uuid.uuid4()),
    }
    refused = client.post(reverse("registry:visit_new", args=[homes["ordinary"].pk]), post)
    assert refused.status_code == 404 and Visit.objects.count() == 0
    saved = client.post(reverse("registry:visit_new", args=[homes["high"].pk]), post)
    assert saved.status_code == 302 and saved["Location"] == reverse("registry:person_list")
    assert Visit.objects.get().visitor == caregiver
    # The registry's own pages stay closed to it.
    assert client.get(reverse("registry:household_detail", args=[homes["high"].pk])).status_code in (403, 404)
