"""Household visits, the first consumer of the casework kernel: a grid worker records a visit on a
phone and finds a wiring hazard; the problem goes on the township's desk with its deadline, goes
overdue and up to the county, and closes with a photo of the repair; the record prints as DOCX and
PDF that read back in Chinese; a cold wave puts the high-risk households due within 24 hours; and
everything a form would not send is refused with nothing stored."""

import datetime
import io
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Case, ChangeRecord, Evidence, GeneratedDocument, Notice, Role
from safetynet.core.weather.services import weather_warnings_create
from safetynet.core.workflows.selectors import desk
from safetynet.core.workflows.services import case_transition, cases_sweep
from safetynet.registry.models import Problem, Visit
from safetynet.registry.visits import documents, selectors
from safetynet.registry.visits.services import visit_record

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FINE = {"heating": ["2"], "co_alarm": ["yes"], "co_alarm_works": ["yes"], "stove": ["ok"], "wiring": ["ok"],
        "gas": ["none"], "food": ["enough"], "clothing": ["enough"], "medicines": ["none_needed"],
        "house": ["safe"]}


def _jpeg(colour=(200, 30, 30), name="电线.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def home(make_household, lanshan_village, county_user):
    return make_household(lanshan_village, county_user, heating="2", co_alarm=False)


@pytest.fixture
def grid(lanshan_village):
    return user(Role.GRID_WORKER, lanshan_village.code, username="grid-wang")


def _record(actor, household, answers=None, **extra):
    kwargs = {"data": {"purpose": "routine"}, "answers": answers or FINE, "submission": uuid.uuid4()} | extra
    return visit_record(actor=actor, household=household, **kwargs)


def test_a_grid_worker_finds_a_wiring_hazard_and_the_township_sees_the_problem_with_its_deadline(home, grid):
    visit = _record(grid, home, FINE | {"wiring": ["aged"]}, photos={"wiring": _jpeg()})
    problem = Problem.objects.get()
    assert (problem.visit, problem.category, problem.description) == (visit, "wiring",
                                                                      "电线和插座：老化或破损")
    case = problem.case
    assert (case.workflow, case.state, case.division_id) == ("registry.problem", "open", home.village_id)
    assert case.due_at > visit.visited_at
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    shown = desk(actor=township)
    assert [row.title for row in shown.coming + shown.today] == [case.title]
    # The photo of the hazard is kept with the visit, named by its item.
    assert list(Evidence.objects.values_list("subject_kind", "note")) == [("registry.visit", "电线和插座")]
    # What the visitor saw of the heating goes into the registry, recorded as seen on the visit.
    home.refresh_from_db()
    assert (home.heating, home.co_alarm) == ("2", True)
    assert ChangeRecord.objects.filter(entity_type="household",
                                       event="household.conditions_seen").count() == 1
    assert ChangeRecord.objects.filter(entity_type="visit", event="visit.recorded").count() == 1


def test_the_problem_goes_overdue_up_to_the_county_and_closes_only_with_a_photo_of_the_repair(home, grid):
    _record(grid, home, FINE | {"wiring": ["overloaded"]}, photos={"wiring": _jpeg()})
    case = Problem.objects.get().case
    county = user(Role.COUNTY_BUREAU, "371302", username="county-li")
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    cases_sweep(case.due_at + datetime.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.escalated_to == "county"
    assert Notice.objects.filter(user=county, kind="case_escalated").count() == 1
    assert [row.title for row in desk(actor=county,
                                      now=case.due_at + datetime.timedelta(hours=1)).overdue] == [
        case.title]

    with pytest.raises(ValidationError, match="修复后的照片"):
        case_transition(actor=grid, case_id=case.pk, transition="report_fixed", version=case.version)
    from safetynet.core.workflows.evidence import evidence_add

    repair = evidence_add(actor=grid, case=case, kind="photo", upload=_jpeg((20, 200, 20), "修好了.jpg"))
    fixed = case_transition(actor=grid, case_id=case.pk, transition="report_fixed", version=case.version,
                            evidence=[repair.pk])
    assert (fixed.state, fixed.escalated_to) == ("fixed", "")
    with pytest.raises(PermissionDenied):  # the grid worker does not verify their own report
        case_transition(actor=grid, case_id=case.pk, transition="verify", version=fixed.version)
    closed = case_transition(actor=township, case_id=case.pk, transition="verify", version=fixed.version)
    assert closed.state == "closed" and closed.closed_at is not None
    assert desk(actor=county).counts["overdue"] == 0


def test_nothing_is_stored_when_a_hazard_has_no_photo_or_a_photo_is_not_one(home, grid):
    with pytest.raises(ValidationError) as refused:
        _record(grid, home, FINE | {"wiring": ["aged"]})
    assert "photo_wiring" in refused.value.message_dict
    disguised = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"not a picture" * 20)
    with pytest.raises(ValidationError):
        _record(grid, home, FINE | {"wiring": ["aged"]}, photos={"wiring": disguised})
    assert (Visit.objects.count(), Problem.objects.count(), Case.objects.count(),
            Evidence.objects.count()) == (
        0, 0, 0, 0)


def test_what_no_form_sends_is_refused(home, grid):
    submission = uuid.uuid4()
    _record(grid, home, submission=submission)
    with pytest.raises(ValidationError, match="两次|twice"):
        _record(grid, home, submission=submission)
    with pytest.raises(ValidationError) as twice:
        _record(grid, home, FINE | {"wiring": ["ok", "aged"]})
    assert "item_wiring" in twice.value.message_dict
    with pytest.raises(ValidationError):
        _record(grid, home, FINE | {"wiring": ["burning"]})
    with pytest.raises(ValidationError):
        _record(grid, home, FINE | {"no_such_item": ["1"]})
    with pytest.raises(ValidationError):
        _record(grid, home, FINE | {"indoor_temperature": ["1e9"]})
    with pytest.raises(ValidationError):
        _record(grid, home, FINE | {"indoor_temperature": ["NaN"]})
    with pytest.raises(ValidationError):
        _record(grid, home, data={"purpose": "routine",
                                  "visited_at": timezone.now() + datetime.timedelta(days=2)})
    with pytest.raises(ValidationError):
        _record(grid, home, data={"purpose": "routine", "note": "a\x00b"})
    with pytest.raises(ValidationError):
        _record(grid, home, people=[999999])
    assert Visit.objects.count() == 1


def test_an_answer_to_a_question_that_does_not_apply_is_dropped(home, grid):
    visit = _record(grid, home, FINE | {"heating": ["4"], "co_alarm": ["no"]})
    assert "co_alarm" not in visit.answers and Problem.objects.count() == 0


def test_who_may_record_a_visit(home, yinan_village):
    with pytest.raises(PermissionDenied):
        _record(user(Role.GRID_WORKER, yinan_village.code), home)
    with pytest.raises(PermissionDenied):
        _record(user(Role.AUDITOR, "371302"), home)
    _record(user(Role.VILLAGE_COORDINATOR, home.village_id), home)
    assert Visit.objects.count() == 1


def test_the_visit_record_prints_as_docx_and_pdf_that_read_back_in_chinese(home, grid):
    visit = _record(grid, home, FINE | {"wiring": ["aged"]}, photos={"wiring": _jpeg()})
    docx = documents.visit_record_document(actor=grid, visit=visit, fmt="docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "兰山区民政局" in text and "家庭走访记录" in text and "电线和插座" in text and "老化或破损" in text
    assert f"走访〔{timezone.localtime(visit.visited_at).year}〕{visit.pk}号" in text
    assert "{{" not in text
    pdf = documents.visit_record_document(actor=grid, visit=visit, fmt="pdf")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.content))
    read = "".join(page.extract_text() for page in reader.pages)
    assert "家庭走访记录" in read and "兰山区民政局" in read and "电线和插座" in read
    fonts = [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert any("/FontFile2" in str(font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                                   .get_object().keys()) for font in fonts)
    import hashlib

    stored = GeneratedDocument.objects.order_by("pk")
    assert [d.fmt for d in stored] == ["docx", "pdf"]
    assert stored[1].sha256 == hashlib.sha256(pdf.content).hexdigest() == hashlib.sha256(
        stored[1].file.read()).hexdigest()


def test_visits_fall_due_by_the_rules_and_within_24_hours_of_a_cold_wave(make_household, county_user):
    lanshan = village(LANSHAN_TOWNSHIP + "201")
    alone = make_household(lanshan, county_user, members=[("李奶奶", 2, "02", datetime.date(1938, 3, 1))])
    make_household(lanshan, county_user, members=[("王叔", 1, "02", datetime.date(1980, 3, 1))], heating="4")
    grid = user(Role.GRID_WORKER, lanshan.code)
    # Registered just now: the weekly visit of the woman living alone at 88 falls due within 7 days.
    now = timezone.now()
    due = selectors.visits_due(actor=grid, until=now + datetime.timedelta(days=8))
    assert [d.household for d in due] == [alone]
    assert selectors.visits_due(actor=grid, until=now + datetime.timedelta(days=1)) == []
    # A cold wave over Lanshan: due within 24 hours of its start, and on the desk today.
    city = user(Role.CITY_BUREAU, "3713")
    starts = now - datetime.timedelta(hours=1)
    _made, said = weather_warnings_create(actor=city, source="entered", items=[{
        "county": "371302", "kind": "cold_wave", "level": "orange", "lowest_temperature": Decimal("-12"),
        "starts_at": starts, "ends_at": starts + datetime.timedelta(days=3), "note": ""}])
    assert any("1" in line for line in said)
    due = selectors.visits_due(actor=grid, until=now + datetime.timedelta(hours=12))
    assert [(d.household, d.due_at) for d in due] == [(alone, starts + datetime.timedelta(hours=24))]
    assert desk(actor=grid).counts["today"] + desk(actor=grid).counts["coming"] >= 1
    _record(grid, alone, FINE | {"heating": ["4"]})
    assert selectors.visits_due(actor=grid, until=now + datetime.timedelta(hours=12)) == []


# --- pages ---------------------------------------------------------------------------------------------


def test_a_grid_worker_records_a_visit_from_the_phone_form(client, home, grid):
    client.force_login(grid)
    form = client.get(reverse("registry:visit_new", args=[home.pk]))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'capture="environment"' in page and 'data-show-item="heating"' in page
    submission = str(uuid.uuid4())
    post = {f"item_{k}": v for k, v in (FINE | {"wiring": ["aged"]}).items()} | {
        "purpose": "routine", "submission": submission}
    refused = client.post(reverse("registry:visit_new", args=[home.pk]), post)
    assert refused.status_code == 400 and "请为“电线和插座”拍照" in refused.content.decode()
    done = client.post(reverse("registry:visit_new", args=[home.pk]), post | {"photo_wiring": _jpeg()})
    assert done.status_code == 302
    visit = Visit.objects.get()
    detail = client.get(done.url).content.decode()
    assert "电线和插座" in detail and "老化或破损" in detail
    # The phone lost the answer and sends the same form again: shown the saved visit, nothing doubled.
    again = client.post(reverse("registry:visit_new", args=[home.pk]), post | {"photo_wiring": _jpeg()},
                        follow=True)
    assert "已经保存过" in again.content.decode() and Visit.objects.count() == 1
    assert again.redirect_chain[-1][0] == done.url
    pdf = client.get(reverse("registry:visit_pdf", args=[visit.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    problem = Problem.objects.get()
    page = client.get(reverse("registry:problem_detail", args=[problem.pk])).content.decode()
    assert "修复后的照片" in page and 'id="evidence-add"' in page
    assert client.get(reverse("registry:household_detail", args=[home.pk])).content.decode().count(
        'id="household-problems"') == 1
    # Nonsense in the form's hidden parts and lists.
    bad = client.post(reverse("registry:visit_new", args=[home.pk]), post | {"submission": "x"})
    assert bad.status_code == 400
    bad = client.post(reverse("registry:visit_new", args=[home.pk]), post | {
        "submission": str(uuid.uuid4()), "people_seen": "99999999999999999999999"})
    assert bad.status_code == 400 and Visit.objects.count() == 1


def test_the_city_bureau_sets_the_visiting_rules_and_no_one_else(client, county_user):
    from safetynet.registry.models import VisitRule

    rule = VisitRule.objects.get(group="alone_over_80")
    client.force_login(county_user)
    assert client.post(reverse("registry:visit_rules"),
                       {"rule": rule.pk, f"{rule.pk}-every_days": 3,
                        f"{rule.pk}-active": "on"}).status_code == 403
    assert client.post(reverse("registry:visit_rules"),
                       {"rule": "99999999999999999999999"}).status_code == 404
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    page = client.get(reverse("registry:visit_rules")).content.decode()
    assert "独居" in page
    saved = client.post(reverse("registry:visit_rules"),
                        {"rule": rule.pk, f"{rule.pk}-every_days": 3, f"{rule.pk}-cold_wave_hours": 12,
                         f"{rule.pk}-active": "on"})
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert (rule.every_days, rule.cold_wave_hours) == (3, 12)


# --- what the review found ------------------------------------------------------------------------------


def test_roles_without_casework_neither_read_nor_add_to_it(client, home, grid):
    from safetynet.core.services import api_token_create
    from safetynet.core.workflows.evidence import evidence_add

    visit = _record(grid, home, FINE | {"wiring": ["aged"]}, photos={"wiring": _jpeg()})
    problem = visit.problems.get()
    photo = Evidence.objects.get()
    for role, area in ((Role.OPERATOR, "3713"), (Role.FINANCE_OFFICER, "3713"), (Role.INSPECTOR, "371302"),
                       (Role.RESCUE_STATION, "3713")):
        outsider = user(role, area)
        client.force_login(outsider)
        assert client.get(reverse("evidence_download", args=[photo.pk])).status_code == 404, role
        assert client.post(reverse("case_evidence_add", args=[problem.case_id]),
                           {"kind": "photo", "file": _jpeg((1, 1, 1))}).status_code == 404, role
        key = api_token_create(user=outsider, name="t")[1]
        assert client.get(f"/api/v1/cases/{problem.case_id}",
                          headers={"Authorization": f"Bearer {key}"}).status_code == 404, role
    auditor = user(Role.AUDITOR, "371302")
    client.force_login(auditor)
    assert client.get(reverse("registry:problem_detail", args=[problem.pk])).status_code == 200
    assert 'id="evidence-add"' not in client.get(reverse("registry:problem_detail",
                                                         args=[problem.pk])).content.decode()
    with pytest.raises(PermissionDenied):
        evidence_add(actor=auditor, case=problem.case, kind="photo", upload=_jpeg((2, 2, 2)))
    assert Evidence.objects.count() == 1


def test_whoever_reported_the_fix_does_not_verify_it(home, grid):
    from safetynet.core.workflows.evidence import evidence_add

    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, username="township-zhao")
    _record(grid, home, FINE | {"wiring": ["aged"]}, photos={"wiring": _jpeg()})
    case = Problem.objects.get().case
    repair = evidence_add(actor=township, case=case, kind="photo", upload=_jpeg((9, 9, 9)))
    fixed = case_transition(actor=township, case_id=case.pk, transition="report_fixed", version=case.version,
                            evidence=[repair.pk])
    with pytest.raises(ValidationError, match="其他工作人员"):
        case_transition(actor=township, case_id=case.pk, transition="verify", version=fixed.version)
    other = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    assert case_transition(actor=other, case_id=case.pk, transition="verify",
                           version=fixed.version).state == "closed"


def test_a_household_living_alone_stays_due_after_two_visits(make_household, county_user):
    from safetynet.registry.models import VisitRule

    lanshan = village(LANSHAN_TOWNSHIP + "201")
    alone = make_household(lanshan, county_user, members=[("李奶奶", 2, "02", datetime.date(1938, 3, 1))],
                           heating="4")
    VisitRule.objects.update(in_force_since=timezone.now() - datetime.timedelta(days=60))
    grid = user(Role.GRID_WORKER, lanshan.code)
    for days_ago in (20, 15):
        _record(grid, alone, FINE | {"heating": ["4"]},
                data={"purpose": "routine", "visited_at": timezone.now() - datetime.timedelta(days=days_ago)})
    due = selectors.visits_due(actor=grid, until=timezone.now())
    assert [d.household for d in due] == [alone]
    assert due[0].due_at < timezone.now() - datetime.timedelta(days=7)


def test_a_household_moved_to_another_village_takes_its_problems_and_photos_along(home, grid, county_user):
    from safetynet.registry.services import household_update

    _record(grid, home, FINE | {"wiring": ["aged"]}, photos={"wiring": _jpeg()})
    elsewhere = village(LANSHAN_TOWNSHIP + "202")
    home.refresh_from_db()  # the visit changed its heating: a new version
    household_update(actor=county_user, household=home, version=home.version,
                     data={"village": elsewhere, "address": home.address, "urban_rural": home.urban_rural})
    assert set(Case.objects.values_list("division_id", flat=True)) == {elsewhere.code}
    assert set(Evidence.objects.values_list("division_id", flat=True)) == {elsewhere.code}
    new_grid = user(Role.GRID_WORKER, elsewhere.code)
    assert len(selectors.visit_photos(actor=new_grid, visit=Visit.objects.get())) == 1
    assert selectors.visit_photos(actor=grid, visit=Visit.objects.get()) == []


def test_odd_photos_and_numbers_are_handled(home, grid):
    from PIL import Image

    image = Image.new("RGB", (8, 8), (10, 10, 10))
    exif = image.getexif()
    exif.get_ifd(0x8769)[0x9003] = "0001:01:01 00:00:00"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    unset_clock = SimpleUploadedFile("old.jpg", out.getvalue())
    same = _jpeg()
    visit = _record(grid, home, FINE | {"wiring": ["aged"], "gas": ["leak"]},
                    photos={"wiring": unset_clock, "gas": SimpleUploadedFile("same.jpg", unset_clock.read())})
    assert Evidence.objects.filter(subject_id=visit.pk).count() == 1
    assert Evidence.objects.get().taken_at is None
    for odd in ("1_0", "１２", "-0e5", "Infinity"):
        with pytest.raises(ValidationError):
            _record(grid, home, FINE | {"indoor_temperature": [odd]}, photos={"wiring": same})
    assert _record(grid, home,
                   FINE | {"indoor_temperature": ["-3.5"]}).answers["indoor_temperature"] == "-3.5"


def test_printing_a_visit_twice_hands_out_the_copy_made_first(home, grid):
    visit = _record(grid, home)
    first = documents.visit_record_document(actor=grid, visit=visit, fmt="pdf")
    again = documents.visit_record_document(actor=user(Role.AUDITOR, "371302"), visit=visit, fmt="pdf")
    assert first.content == again.content
    assert GeneratedDocument.objects.count() == 1


def test_a_rule_switched_back_on_counts_from_then(client):
    from safetynet.registry.models import VisitRule
    from safetynet.registry.visits.services import visit_rule_set

    city = user(Role.CITY_BUREAU, "3713")
    rule = VisitRule.objects.get(group="alone_over_80")
    VisitRule.objects.filter(pk=rule.pk).update(in_force_since=timezone.now() - datetime.timedelta(days=400))
    rule = visit_rule_set(actor=city, rule=VisitRule.objects.get(pk=rule.pk), every_days=7,
                          cold_wave_hours=24,
                          active=False)
    rule = visit_rule_set(actor=city, rule=rule, every_days=7, cold_wave_hours=24, active=True)
    assert rule.in_force_since > timezone.now() - datetime.timedelta(minutes=1)
