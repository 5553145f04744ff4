"""A county user never sees another county's people: every page, walked with the other county's ids.

The URL patterns are read from the resolver, so a page added later is walked too; a page with a
path parameter this test does not know fails it until someone says which object the id names.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import user
from conftest import village as village_of
from safetynet.care import services as care
from safetynet.care.models import Placement
from safetynet.care.purchase import services as purchase
from safetynet.core.campaigns.services import campaign_create
from safetynet.core.checklists import checklist_current
from safetynet.core.grants import grant_create
from safetynet.core.models import ChangeRecord, Role, UnmaskLog, User, WeatherWarning
from safetynet.core.tests import sample_files
from safetynet.core.workflows.evidence import evidence_add
from safetynet.institutions.inspections.services import inspection_assign, inspection_record
from safetynet.institutions.safety import services as safety
from safetynet.institutions.services import institution_create
from safetynet.payments import services as payments
from safetynet.programmes.aid.services import aid_pay, emergency_report
from safetynet.programmes.applications.complaints import complaint_receive
from safetynet.programmes.applications.services import application_start, self_care_change_report
from safetynet.programmes.life import services as life
from safetynet.programmes.services import eligibility_run, enrolment_start
from safetynet.registry import services
from safetynet.registry.models import ImportJob
from safetynet.registry.visits.services import visit_record

pytestmark = pytest.mark.django_db

# The first segment of a route with an id, and which object's id it takes.
ID_KINDS = {
    "imports": "import_job",
    "households": "household",
    "members": "membership",
    "people": "person",
    "documents": "document",
    "income": "income",
    "asset": "asset",
    "expense": "expense",
    "supporter": "supporter",
    "grants": "grant",
    "users": "user",
    "weather": "weather_warning",
    "campaigns": "campaign",
    "visits": "visit",
    "problems": "problem",
    "cases": "case",
    "evidence": "evidence",
    "eligibility": "eligibility_run",
    "enrolments": "enrolment",
    "applications": "application",
    "self-care-reports": "self_care_report",
    "complaints": "complaint",
    "aid": "temporary_aid",
    "reviews": "review",
    "decisions": "decision",
    "transfers": "transfer",
    "institutions": "institution",
    "inspections": "inspection",
    "hazards": "hazard",
    "providers": "service_provider",
    "contracts": "service_contract",
    "service-logs": "service_log",
    "my-persons": "person",
    "runs": "payroll_run",
    "files": "bank_file",
    "caregivers": "care_agreement",
}
# Routes whose id is not the first known segment's: the safety records under an institution's URLs.
ROUTE_KINDS = {
    "institutions/safety/trainings/": "safety_training",
    "institutions/safety/plans/": "emergency_plan",
    "institutions/safety/drills/": "drill",
    "institutions/safety/watch/": "watch_night",
    "institutions/safety/incidents/": "incident",
    "care/persons/": "tekun_person",
    "care/placements/": "placement",
    "care/agreements/": "care_agreement",
    "rescue/incidents/": "street_incident",
    "rescue/teams/": "rescue_team",
    "rescue/patrols/": "patrol",
    "rescue/contacts/": "street_contact",
    "rescue/stations/": "rescue_station",
    "rescue/stays/": "station_stay",
}
# Served to anyone or not about registry data: the login machinery, health, admin (own auth), API
# (walked by test_every_api_route_as_other_county).
NOT_WALKED = ("admin/", "api/", "i18n/", "healthz", "login/", "logout/", "static/")


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def page_routes() -> list[str]:
    return sorted({r for r in _routes(get_resolver().url_patterns) if not r.startswith(NOT_WALKED)})


def _case(make_household, village, actor, settings, tmp_path) -> dict:
    settings.MEDIA_ROOT = tmp_path
    household = make_household(
        village,
        actor,
        members=[
            ("欧阳秘密", 1, "02", datetime.date(1951, 2, 3)),
            ("欧阳小妹", 2, "30", datetime.date(1990, 5, 6)),
        ],
        phone="13912345678",
    )
    # Every kind of identifier on record, changed through the service so the history holds them too.
    head = household.head
    services.person_update(actor=actor, person=head, version=head.version, data={
        "phone": "13700001111", "disability_category": 4, "disability_grade": 2,
        "disability_cert_no": head.id_number + "42",
    })
    head.refresh_from_db()
    period = {"period_start": datetime.date(2022, 1, 1), "period_end": datetime.date(2022, 12, 31)}
    income = services.income_item_create(
        actor=actor, household=household, data={"category": "wage", "amount": Decimal("1000"), **period}
    )
    asset = services.asset_item_create(
        actor=actor, household=household, data={"asset_type": "101", "value": Decimal("500")}
    )
    expense = services.expense_create(
        actor=actor,
        household=household,
        data={"expense_type": "medical", "amount": Decimal("300"), "incurred_on": datetime.date(2022, 5, 1)},
    )
    supporter = services.supporter_create(
        actor=actor, household=household,
        data={"person": household.head, "name": "欧阳儿子", "relation": "child",
              "birth_date": datetime.date(1975, 1, 1), "income_year": Decimal("50000")},
    )
    document = services.document_upload(
        actor=actor,
        household=household,
        material_type="202",
        upload=SimpleUploadedFile("a.pdf", sample_files.pdf(), content_type="application/pdf"),
    )
    job = ImportJob.objects.create(created_by=actor, original_name="欧阳秘密.xlsx", file="imports/none.xlsx")
    provider = user(Role.SERVICE_PROVIDER, actor.division_id)
    grant = grant_create(actor=actor, user=provider, kind="registry.person", object_id=head.pk)
    # A grid worker's account of the village: user administration is walked too.
    worker = user(Role.GRID_WORKER, village.code)
    User.objects.filter(pk=worker.pk).update(first_name="司马秘书", phone="13811112222")
    # A cold wave of the other county, with a note that names nobody: its withdrawal is walked too.
    yinan_cold = WeatherWarning.objects.create(
        county_id=actor.division_id[:6], kind="cold_wave", starts_at=timezone.now(), source="entered",
        ends_at=timezone.now() + datetime.timedelta(days=2), entered_at=timezone.now())
    # A campaign of the other county alone (a city-wide one is everyone's).
    own_drive = campaign_create(actor=actor, data={
        "name": "欧阳秘密遍访", "kind": "visiting", "area": actor.division_id[:6],
        "starts_on": datetime.date(2022, 12, 1), "ends_on": datetime.date(2023, 2, 28)})
    # A visit that found a hazard: the visit, its problem, the problem's case and a photo on it.
    visit = visit_record(actor=actor, household=household, data={"purpose": "routine"},
                         answers={"heating": ["2"], "co_alarm": ["no"], "stove": ["ok"], "wiring": ["ok"],
                                  "gas": ["none"], "food": ["enough"], "clothing": ["enough"],
                                  "medicines": ["none_needed"], "house": ["safe"]},
                         submission=uuid.uuid4(), people=[head.pk])
    problem = visit.problems.get()
    photo = evidence_add(actor=actor, case=problem.case, kind="photo",
                         upload=SimpleUploadedFile("欧阳秘密.jpg", sample_files.jpeg()))
    # The rules run over the other county: its run, its townships' lists of households.
    run = eligibility_run(actor=actor, area_code=actor.division_id[:6], on=timezone.localdate())
    # An emergency of the head, aided where it happened (the village), paid first by the county.
    aid = emergency_report(actor=actor, area_code=village.code, cause="fire", what="欧阳秘密家失火",
                           person_id=head.pk)
    aid_pay(actor=actor, aid_id=aid.pk, version=aid.version, amount="500", means="cash")
    enrolment = enrolment_start(actor=actor, household=household, programme="dibao",
                                since=datetime.date(2022, 1, 1), amount="100", decision="欧阳秘密号")
    # A 特困 application for the head, handed in by the township of the village; the daughter receives
    # 特困 and a change of her self-care ability is reported.
    township = user(Role.TOWNSHIP_OFFICE, village.code[:9])
    application = application_start(actor=township, household_id=household.pk, programme="tekun",
                                    channel="household", person_id=head.pk)
    daughter = household.memberships.get(relation="30").person
    enrolment_start(actor=actor, household=household, programme="tekun", since=datetime.date(2022, 1, 1),
                    amount="900", person=daughter)
    report = self_care_change_report(actor=township, person_id=daughter.pk, what="欧阳秘密报告")
    # The daughter's care bought from a provider of the county, and a service it logged for her.
    care_provider = purchase.provider_create(actor=actor, data={
        "name": "欧阳秘密服务社", "credit_code": f"52{actor.division_id[:6]}MJD000099X",
        "contact": "欧阳秘密", "phone": "13900001111"})
    care_worker = user(Role.SERVICE_PROVIDER, actor.division_id[:6])
    purchase.provider_staff_add(actor=actor, provider=care_provider, user=care_worker)
    care_contract = purchase.contract_create(actor=actor, provider=care_provider, data={
        "area": actor.division_id[:6], "title": "欧阳秘密合同", "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + datetime.timedelta(days=30), "budget": "1000",
        "kinds": ["visiting_care"]})
    purchase.contract_person_add(actor=actor, contract=care_contract, person_id=daughter.pk)
    # Covered from today: the service is logged within today's local date, whatever the hour (an
    # hour back just after midnight in Beijing would be yesterday, before the cover began).
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    service_log = purchase.service_log_create(
        actor=care_worker, person_id=daughter.pk, submission=uuid.uuid4(),
        data={"kind": "visiting_care", "started_at": max(now - datetime.timedelta(hours=1), midnight),
              "ended_at": now, "place": "欧阳秘密家", "done": "欧阳秘密照料"})
    # The daughter asked about centralised care (willing: she waits for a bed) and a care agreement
    # drawn up for her meanwhile.
    care.survey_record(actor=actor, person_id=daughter.pk, data={
        "surveyed_on": timezone.localdate(), "willing": True, "consent_by": "relatives",
        "consenter": "欧阳儿子"})
    care_agreement = care.agreement_draft(actor=actor, person_id=daughter.pk, data={
        "caregiver_kind": "person", "caregiver_name": "欧阳秘密护理", "duties": "照料", "visit_every_days": 7,
        "monthly_fee": "300", "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + datetime.timedelta(days=300), "caregiver_user": None,
        "visiting_officer": None})
    complaint = complaint_receive(actor=actor, kind="real_name", complainant="欧阳儿子",
                                  contact="13911112222", text="欧阳秘密 has income",
                                  household_id=household.pk)
    # A review of the household's 低保, decided (its notice); and a household handed over to this
    # county from 罗庄, waiting for this county to confirm it.
    review = life.review_start(actor=actor, enrolment_id=enrolment.pk, reason="reported",
                               what="欧阳秘密收入变化")
    review = life.review_visit_record(actor=actor, review_id=review.pk, version=review.version,
                                      visitors=["司马甲", "司马乙"], visited_on=timezone.localdate(),
                                      findings="欧阳秘密 情况属实")
    life.review_decide(actor=actor, review_id=review.pk, version=review.version, outcome="continue",
                       reasons="")
    luozhuang = user(Role.COUNTY_BUREAU, "371311")
    moving = make_household(village_of("371311001201"), luozhuang,
                            members=[("欧阳迁入", 1, "02", datetime.date(1955, 1, 1))])
    enrolment_start(actor=luozhuang, household=moving, programme="dibao", since=datetime.date(2022, 1, 1),
                    amount="300")
    transfer = life.transfer_hand_over(actor=luozhuang, household_id=moving.pk, village_code=village.code)
    # An institution of the county, named for the walk to look for.
    institution = institution_create(actor=actor, division=village.parent, data={
        "name": "欧阳秘密敬老院", "kind": "elderly_public", "address": "欧阳路1号", "heating": "gas",
        "co_alarms": 2, "co_rooms_heated": 2, "co_rooms_covered": 2})
    # Inspected by a contracted inspector of the county, finding a gas-heating hazard.
    inspector = user(Role.INSPECTOR, actor.division_id)
    inspection = inspection_assign(actor=actor, institution=institution, data={
        "inspector": inspector, "checklist": "institutions.winter_safety", "due_on": timezone.localdate()})
    answers = {item["code"]: ["ok"] for item in checklist_current("institutions.winter_safety").items
               if item["kind"] == "choice" and not item.get("show_if")}
    answers |= {"heating": ["gas"], "gas_heater": ["unsafe"], "co_alarm": ["all"], "co_alarm_tested": ["ok"]}
    inspection_record(actor=inspector, inspection=inspection, submission=uuid.uuid4(), answers=answers,
        photos={"gas_heater": SimpleUploadedFile("欧阳秘密燃气.jpg", sample_files.jpeg())})
    # Its safety records, the trainer and the person on duty named for the walk to look for.
    safety = _safety_records(actor, institution)
    # The head's emergency aid in the ledger, and the township's reserve fund topped up.
    payments.aid_payments_book()
    payments.reserve_record(actor=actor, township=village.code[:9], kind="top_up", amount="1000",
                            note="欧阳秘密备用金")
    payroll = _payroll(actor, head)
    return {
        **safety,
        **payroll,
        **_street(actor),
        "tekun_person": daughter.pk,
        "placement": Placement.objects.get(person_id=daughter.pk).pk,
        "care_agreement": care_agreement.pk,
        "service_provider": care_provider.pk,
        "service_contract": care_contract.pk,
        "service_log": service_log.pk,
        "inspection": inspection.pk,
        "hazard": inspection.hazards.get().pk,
        "village": village.code,
        "township": village.code[:9],
        "institution": institution.pk,
        "review": review.pk,
        "decision": review.decisions.get().pk,
        "transfer": transfer.pk,
        "application": application.pk,
        "self_care_report": report.pk,
        "complaint": complaint.pk,
        "eligibility_run": run.pk,
        "temporary_aid": aid.pk,
        "enrolment": enrolment.pk,
        "visit": visit.pk,
        "problem": problem.pk,
        "case": problem.case_id,
        "evidence": photo.pk,
        "campaign": own_drive.pk,
        "weather_warning": yinan_cold.pk,
        "grant": grant.pk,
        "user": worker.pk,
        "import_job": job.pk,
        "household": household.pk,
        "membership": household.memberships.get(relation="30").pk,
        "person": household.head_id,
        "document": document.pk,
        "income": income.pk,
        "asset": asset.pk,
        "expense": expense.pk,
        "supporter": supporter.pk,
        "names": ["欧阳秘密", "欧阳小妹", "司马秘书", "欧阳儿子", "欧阳迁入", "欧阳秘密敬老院"],
        "id_number": head.id_number,
        # What a role that sees identifiers masked must never see whole.
        "whole": [
            *(m.person.id_number for m in household.memberships.all()),
            head.disability_cert_no, head.phone, household.phone, "1951-02-03", "1990-05-06",
            "6228481234567890123",
        ],
    }


def _payroll(actor, head) -> dict:
    """This month's payroll of the county, exported: the head's account whole only in its bank file."""
    county = actor.division_id[:6]
    payments.account_open(actor=actor, holder_kind="person", holder_id=head.pk, kind="one_card", bank="rcb",
                          number="6228481234567890123")
    run = payments.payroll_draft(actor=actor, county=county, month=timezone.localdate().replace(day=1))
    run = payments.payroll_step(actor=user(Role.FINANCE_OFFICER, county), run_id=run.pk, step="check",
                                version=run.case.version)
    run = payments.payroll_step(actor=user(Role.COUNTY_BUREAU, county), run_id=run.pk, step="approve",
                                version=run.case.version)
    bank_file = payments.payroll_export(actor=actor, run_id=run.pk, version=run.case.version)
    return {"payroll_run": run.pk, "bank_file": bank_file.pk}


def _street(actor) -> dict:
    """A street team of the county sent to a public report, and the person it met (named for the walk)."""
    from safetynet.rescue import services as rescue
    from safetynet.rescue.models import Hotspot

    county = actor.division_id[:6]
    team = rescue.team_create(actor=actor, county=county, name="欧阳秘密队",
                              base=(Decimal("35.1"), Decimal("118.3")))
    incident = rescue.public_report(data={"place": "沂河大桥下", "division": county}, sender="walk",
                                    photo=SimpleUploadedFile("桥下.jpg", sample_files.jpeg()))
    rescue.team_dispatch(actor=actor, incident_id=incident.pk, version=incident.version, team_id=team.pk)
    contact = rescue.contact_record(actor=actor, incident_id=incident.pk, close=False,
                                    data={"outcome": "refused", "description": "欧阳秘密，约60岁",
                                          "card_given": True})
    point = Hotspot.objects.create(county_id=county, name="欧阳秘密桥洞", kind="bridge")
    patrol = rescue.patrol_plan(actor=actor, team_id=team.pk, planned_for=timezone.now(),
                                hotspot_ids=[point.pk])
    station = _station(actor, county)
    return {"street_incident": incident.pk, "rescue_team": team.pk, "street_reference": incident.reference,
            "patrol": patrol.pk, "street_contact": contact.pk, **station}


def _station(actor, county: str) -> dict:
    """The county's rescue station with a store and a leader's shift (named for the walk)."""
    from safetynet.core.models import Division
    from safetynet.institutions.services import institution_create
    from safetynet.rescue.station import services as station_services

    station = institution_create(actor=actor, division=Division.objects.get(code=f"{county}001"), data={
        "name": "欧阳秘密救助站", "kind": "rescue_station", "address": "欧阳秘密路1号"})
    station_services.stock_receive(actor=actor, station_id=station.pk, item="coat", quantity=3,
                                   supplier="欧阳秘密被服厂")
    shift = station_services.shift_book(actor=actor, station_id=station.pk, post="leader", user_id=actor.pk,
                                        starts_at=timezone.now() + datetime.timedelta(hours=1),
                                        ends_at=timezone.now() + datetime.timedelta(hours=9))
    stay = station_services.stay_receive(actor=actor, station_id=station.pk, data={
        "arrival": "patrol", "name": "欧阳秘密", "features": "欧阳秘密，约60岁"})
    return {"rescue_station": station.pk, "duty_shift": shift.pk, "station_stay": stay.pk}


def _safety_records(actor, institution) -> dict:
    today = timezone.localdate()
    training = safety.training_record(actor=actor, institution_id=institution.pk, data={
        "held_on": today, "topic": "fire", "trainer": "欧阳秘密教官", "attendee_count": 5})
    plan = safety.plan_record(actor=actor, institution_id=institution.pk, data={
        "title": "欧阳秘密预案", "scenarios": ["fire"], "approved_on": today, "review_due": today})
    drill = safety.drill_record(actor=actor, plan_id=plan.pk, data={
        "held_on": today, "scenario": "fire", "residents_evacuated": 3, "evacuation_seconds": 60,
        "problems": "欧阳秘密门"})
    watch = safety.watch_record(actor=actor, institution_id=institution.pk, data={
        "night": today, "on_duty": "欧阳秘密值班", "leader": "欧阳秘密带班", "rounds": 2,
        "handover_done": True})
    incident = safety.incident_report(actor=actor, institution_id=institution.pk, data={
        "kind": "fall", "major": False, "occurred_at": timezone.now(), "reported_by": "欧阳秘密",
        "description": "欧阳秘密跌倒", "deaths": 0, "injured": 1})
    return {"safety_training": training.pk, "emergency_plan": plan.pk, "drill": drill.pk,
            "watch_night": watch.pk, "incident": incident.pk}


# Path parameters that are not ids, and the value a user would send.
PARAM_VALUES = {"<open311fmt:fmt>": "json", "<slug:service_code>": "rough_sleeper",
                "<str:extension>": "xlsx", "<int:year>": "2024", "<str:code>": "registry.problem",
                "<slug:programme>": "dibao", "<str:township>": "371321001",
                "<slug:record>": "investigation", "<slug:kind>": "file", "<slug:fmt>": "pdf",
                "<slug:form>": "registration"}


def _has_id(route: str) -> bool:
    return "<int:pk>" in route


def _url(route: str, ids: dict) -> str:
    if "notices/" in route:  # a village's notice board and its poster name the village
        route = route.replace("<str:code>", ids["village"])
    if route.startswith("open311/v2/requests/"):  # a public report's status: by its random id
        route = route.replace("<slug:reference>", ids["street_reference"])
    if route.startswith("rescue/stations/"):  # a station's shift: the station and the shift
        route = route.replace("<int:shift>", str(ids["duty_shift"]))
    if route.startswith("payments/reserves/"):  # a township's reserve fund names the township
        route = route.replace("<str:township>", ids["township"])
    for param, value in PARAM_VALUES.items():
        route = route.replace(param, value)
    if not _has_id(route):
        assert "<" not in route, f"{route}: a parameter this test does not know, add it to PARAM_VALUES"
        return "/" + route
    parts = route.split("/")
    # The record the id names: the segment just before it ("inspections/<int:pk>/" an inspection,
    # "institutions/<int:pk>/inspections/new/" an institution), else the first known one.
    before = parts[parts.index("<int:pk>") - 1] if "<int:pk>" in parts else ""
    kind = (next((kind for prefix, kind in ROUTE_KINDS.items() if route.startswith(prefix)), None)
            or ID_KINDS.get(before) or next((ID_KINDS[part] for part in parts if part in ID_KINDS), None))
    assert kind is not None, f"{route}: add its first segment to ID_KINDS"
    assert route.count("<") == 1, f"{route}: more than one parameter, teach this test"
    return "/" + route.replace("<int:pk>", str(ids[kind]))


@pytest.fixture
def two_counties(make_household, lanshan_village, yinan_village, settings, tmp_path):
    lanshan = user(Role.COUNTY_BUREAU, "371302")
    yinan = user(Role.COUNTY_BUREAU, "371321")
    theirs = _case(make_household, yinan_village, yinan, settings, tmp_path)
    mine = make_household(lanshan_village, lanshan, members=[("张自己", 1, "02", datetime.date(1960, 1, 1))])
    return lanshan, theirs, mine


def searches(ids: dict) -> list:
    """The list filters read `q`, the person pickers `person_q`: each search sends both."""
    return [("get", None, {"q": term, "person_q": term, "housed": housed})
            for term in (ids["names"][0], ids["id_number"][-6:]) for housed in ("0", "1")]


def test_the_walk_covers_the_registry_pages():
    routes = page_routes()
    assert "registry/households/<int:pk>/" in routes
    assert len(routes) >= 20


def test_every_page_as_other_county(client, two_counties):
    lanshan, theirs, _mine = two_counties
    client.force_login(lanshan)
    changes, unmasks = ChangeRecord.objects.count(), UnmaskLog.objects.count()
    leaks = []
    for route in page_routes():
        url = _url(route, theirs)
        probes = [("get", url, {}), ("post", url, {"version": "1", "address": "x", "left_on": "2022-01-01"})]
        if not _has_id(route):
            probes += searches(theirs) + [("get", url, {"division": "371321"})]
            probes = [(method, url, data) for method, _url, data in probes]
        for method, target, data in probes:
            response = getattr(client, method)(target, data)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            if _has_id(route) and response.status_code not in (404, 405):
                leaks.append(f"{method.upper()} {target} → {response.status_code}")
            # The search box echoes what was typed: look only for what the user did not type.
            secrets = [v for v in [*theirs["names"], theirs["id_number"]] if v not in data.values()]
            if any(secret in text for secret in secrets) or b"secret" in body:
                leaks.append(f"{method.upper()} {target} {data} shows the other county's data")
    assert leaks == []
    assert ChangeRecord.objects.count() == changes
    assert UnmaskLog.objects.count() == unmasks


def test_the_same_pages_open_for_ones_own_county(client, make_household, lanshan_village, settings, tmp_path):
    lanshan = user(Role.COUNTY_BUREAU, "371302")
    ids = _case(make_household, lanshan_village, lanshan, settings, tmp_path)
    client.force_login(lanshan)
    statuses = {route: client.get(_url(route, ids)).status_code for route in page_routes()}
    assert statuses["registry/households/<int:pk>/"] == 200
    # A download of a file the record does not have yet is rightly "not found" even at home.
    statuses.pop("registry/imports/<int:pk>/rejected/", None)
    statuses.pop("programmes/complaints/<int:pk>/answer.<slug:fmt>", None)  # not answered yet
    # The operator's and the auditor's pages are theirs alone (tests/test_system_and_audit_pages.py).
    assert statuses.pop("system/") == 403 and statuses.pop("audit/") == 403
    assert statuses["users/<int:pk>/"] == 200
    # The county decides applications; the village and the township hand them in.
    assert statuses.pop("programmes/households/<int:pk>/apply/") == 403
    assert statuses.pop("programmes/people/<int:pk>/self-care-report/") == 403  # the county assesses
    # A provider's worker logs services to the persons its provider covers; the county does not.
    assert statuses.pop("care/my-persons/") == 403
    assert statuses.pop("care/my-persons/<int:pk>/log/") == 403
    # A team's own page is its members'; Open311 lists requests only by the ids asked for.
    assert statuses.pop("rescue/team/") == 403
    assert statuses.pop("open311/v2/requests.<open311fmt:fmt>") == 400
    assert {route: status for route, status in statuses.items() if status not in (200, 302, 405)} == {}


def test_every_page_as_a_masked_role_of_the_same_area(client, make_household, yinan_village, settings,
                                                       tmp_path):
    """A grid worker of the village reads every page of its households and never a whole identifier."""
    county = user(Role.COUNTY_BUREAU, "371321")
    ids = _case(make_household, yinan_village, county, settings, tmp_path)
    client.force_login(user(Role.GRID_WORKER, yinan_village.code))
    unmasks = UnmaskLog.objects.count()
    seen, leaks = 0, []
    for route in page_routes():
        url = _url(route, ids)
        probes = [("get", url, {})] + ([] if _has_id(route) else [(m, url, d) for m, _u, d in searches(ids)])
        for method, target, data in probes:
            response = getattr(client, method)(target, data)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            seen += response.status_code == 200 and any(name in text for name in ids["names"])
            shown = [whole for whole in ids["whole"] if whole in text]
            if shown:
                leaks.append(f"GET {target} {data} shows {shown}")
    assert leaks == []
    assert seen >= 3  # the walk did reach their pages: the household, its search, the person picker
    assert UnmaskLog.objects.count() == unmasks
