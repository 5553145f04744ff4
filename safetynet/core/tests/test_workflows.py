"""The casework kernel's workflows: a table declared once; a transition that locks, checks the
version, the role, the area, the guards and the evidence, records its event and sets the next
deadline on the official calendar; the overdue sweep escalating up the ladder with notices; the
work desk; provisional deadlines reckoned again when a year's calendar is entered."""

import datetime
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core import jobs
from safetynet.core.models import Case, CaseEvent, Evidence, Notice, Role
from safetynet.core.services import ConflictError
from safetynet.core.workdays.calendar import WorkCalendar
from safetynet.core.workflows import table
from safetynet.core.workflows.chart import state_chart_svg
from safetynet.core.workflows.evidence import evidence_add
from safetynet.core.workflows.selectors import desk
from safetynet.core.workflows.services import case_open, case_transition, cases_sweep, deadlines_reckon_again
from safetynet.core.workflows.table import Evidence as Needs
from safetynet.core.workflows.table import Limit, State, Transition, Workflow

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
VILLAGE = LANSHAN_TOWNSHIP + "201"


def _not_on_holiday(case, actor, data):
    return "节假日不得验收" if data.get("holiday") else None


FLOW = Workflow(
    code="test.problem",
    label="测试问题",
    initial="open",
    states=[
        State("open", "待整改", office=table.TOWNSHIP, limit=Limit(3)),
        State("fixed", "待验收", office=table.TOWNSHIP, limit=Limit(24, table.HOURS)),
        State("closed", "已销号", final=True),
        State("dropped", "已撤销", final=True),
    ],
    transitions=[
        Transition(
            "report_fixed",
            "报告已整改",
            ("open",),
            "fixed",
            roles=table.roles(Role.GRID_WORKER, Role.TOWNSHIP_OFFICE),
            evidence=(Needs("photo", "整改后照片"),),
        ),
        Transition(
            "reopen",
            "退回重改",
            ("fixed",),
            "open",
            roles=table.roles(Role.TOWNSHIP_OFFICE),
            reason_required=True,
        ),
        Transition(
            "close",
            "验收销号",
            ("fixed",),
            "closed",
            roles=table.roles(Role.TOWNSHIP_OFFICE),
            guards=(_not_on_holiday,),
        ),
        Transition(
            "drop_by_office",
            "乡镇撤销",
            ("open",),
            "dropped",
            roles=table.roles(Role.TOWNSHIP_OFFICE),
            reason_required=True,
        ),
        Transition(
            "drop",
            "撤销",
            (table.ANY_STATE,),
            "dropped",
            roles=table.roles(Role.COUNTY_BUREAU),
            reason_required=True,
        ),
    ],
    subject_url=lambda case: f"/things/{case.subject_id}/",
)


@pytest.fixture(autouse=True)
def registered():
    saved = table.snapshot()
    table.register_workflow(FLOW)
    village(VILLAGE)
    yield
    table.restore(saved)


def _jpeg(colour=(200, 30, 30)) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "JPEG")
    return SimpleUploadedFile("修好了.jpg", out.getvalue(), content_type="image/jpeg")


def _open(at=datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), subject_id=1, division=VILLAGE) -> Case:
    return case_open(
        actor=None,
        workflow_code=FLOW.code,
        division_code=division,
        title="电线老化",
        subject_kind="test.thing",
        subject_id=subject_id,
        at=at,
    )


# --- the table --------------------------------------------------------------------------------------------


def test_a_table_that_does_not_hold_together_is_refused_when_declared():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            code="x",
            label="x",
            initial="a",
            states=[State("a", "a")],
            transitions=[Transition("go", "go", ("a",), "b", roles=table.roles(Role.GRID_WORKER))],
        )
    with pytest.raises(ValueError, match="never reached"):
        Workflow(code="x", label="x", initial="a", states=[State("a", "a"), State("b", "b")], transitions=[])
    with pytest.raises(ValueError, match="leaves a final state"):
        Workflow(
            code="x",
            label="x",
            initial="a",
            states=[State("a", "a"), State("z", "z", final=True)],
            transitions=[
                Transition("go", "go", ("a",), "z", roles=table.roles(Role.GRID_WORKER)),
                Transition("back", "back", ("z",), "a", roles=table.roles(Role.GRID_WORKER)),
            ],
        )


def test_the_state_chart_is_drawn_from_the_table():
    svg = state_chart_svg(FLOW)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for words in ("待整改", "待验收", "已销号", "报告已整改", "退回重改", "撤销"):
        assert words in svg
    assert svg.count('class="state"') == 4


# --- opening and deadlines ----------------------------------------------------------------------------------


def test_a_case_opened_before_national_day_is_due_on_the_adjusted_working_saturday():
    case = _open()
    # 2026-09-30 + 3 working days: 1–7 October are the holiday, the 8th and 9th count, and Saturday
    # the 10th is an adjusted working day.
    assert case.due_at == datetime.datetime(2026, 10, 10, 23, 59, 59, tzinfo=SHANGHAI)
    assert not case.due_provisional
    assert CaseEvent.objects.get(case=case).kind == "opened"


def test_a_deadline_past_the_last_year_entered_is_provisional_and_moves_when_the_year_is_entered():
    case = _open(at=datetime.datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI))
    # Monday to Friday assumed for 2027: 31 Dec, Fri 1 Jan, Mon 4 Jan.
    assert case.due_provisional
    assert case.due_at.astimezone(SHANGHAI).date() == datetime.date(2027, 1, 4)
    entered = WorkCalendar(holidays=[datetime.date(2027, 1, 1)], years=[2026, 2027])
    lines = deadlines_reckon_again(entered, frozenset({2027}))
    case.refresh_from_db()
    assert not case.due_provisional
    assert case.due_at.astimezone(SHANGHAI).date() == datetime.date(2027, 1, 5)
    assert lines and "1" in lines[0]
    assert case.events.filter(kind="reckoned").count() == 1


# --- transitions --------------------------------------------------------------------------------------------


def test_a_step_needs_its_evidence_and_records_who_did_what_with_it():
    grid = user(Role.GRID_WORKER, VILLAGE)
    case = _open()
    with pytest.raises(ValidationError, match="整改后照片"):
        case_transition(actor=grid, case_id=case.pk, transition="report_fixed", version=1)
    case.refresh_from_db()
    assert (case.state, case.version) == ("open", 1)
    photo = evidence_add(actor=grid, case=case, kind="photo", upload=_jpeg())
    at = datetime.datetime(2026, 10, 9, 15, 0, tzinfo=SHANGHAI)
    moved = case_transition(
        actor=grid,
        case_id=case.pk,
        transition="report_fixed",
        version=1,
        evidence=[photo.pk],
        reason="已更换电线",
        at=at,
    )
    assert (moved.state, moved.version) == ("fixed", 2)
    assert moved.due_at == at + datetime.timedelta(hours=24)
    event = moved.events.get(kind="moved")
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        grid,
        "open",
        "fixed",
        "已更换电线",
    )
    assert event.evidence == {"photo": [photo.pk]}
    photo.refresh_from_db()
    assert photo.event_id == event.pk


def test_two_people_acting_at_once_one_wins_and_the_other_is_told_who_and_when():
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, username="wang")
    case = _open()
    photo = evidence_add(actor=township, case=case, kind="photo", upload=_jpeg())
    case_transition(
        actor=township, case_id=case.pk, transition="report_fixed", version=1, evidence=[photo.pk]
    )
    other = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    with pytest.raises(ConflictError, match="wang"):
        case_transition(actor=other, case_id=case.pk, transition="report_fixed", version=1)
    assert Case.objects.get(pk=case.pk).version == 2


def test_a_step_the_table_does_not_allow_is_refused_with_the_reason_and_changes_nothing():
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    grid = user(Role.GRID_WORKER, VILLAGE)
    case = _open()
    with pytest.raises(ValidationError, match="待整改"):
        case_transition(actor=township, case_id=case.pk, transition="close", version=1)
    with pytest.raises(ValidationError):
        case_transition(actor=township, case_id=case.pk, transition="no-such-step", version=1)
    with pytest.raises(PermissionDenied, match="民政局"):
        case_transition(actor=grid, case_id=case.pk, transition="drop", version=1, reason="重复")
    county = user(Role.COUNTY_BUREAU, "371302")
    with pytest.raises(ValidationError):
        case_transition(actor=county, case_id=case.pk, transition="drop", version=1)  # no reason
    yinan = user(Role.TOWNSHIP_OFFICE, YINAN_TOWNSHIP)
    with pytest.raises(PermissionDenied):
        case_transition(actor=yinan, case_id=case.pk, transition="report_fixed", version=1)
    assert list(Case.objects.values_list("state", "version")) == [("open", 1)]
    assert CaseEvent.objects.filter(kind="moved").count() == 0
    dropped = case_transition(actor=county, case_id=case.pk, transition="drop", version=1, reason="重复登记")
    assert dropped.closed_at is not None and dropped.due_at is None


def test_a_guard_refuses_in_its_own_words():
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    case = _open()
    photo = evidence_add(actor=township, case=case, kind="photo", upload=_jpeg())
    case_transition(
        actor=township, case_id=case.pk, transition="report_fixed", version=1, evidence=[photo.pk]
    )
    with pytest.raises(ValidationError, match="节假日不得验收"):
        case_transition(
            actor=township, case_id=case.pk, transition="close", version=2, data={"holiday": True}
        )
    assert case_transition(actor=township, case_id=case.pk, transition="close", version=2).state == "closed"


def test_evidence_used_once_belongs_to_its_case_and_is_what_it_claims():
    grid = user(Role.GRID_WORKER, VILLAGE)
    first, second = _open(subject_id=1), _open(subject_id=2)
    photo = evidence_add(actor=grid, case=first, kind="photo", upload=_jpeg())
    with pytest.raises(ValidationError, match="重复"):
        evidence_add(actor=grid, case=first, kind="photo", upload=_jpeg())
    with pytest.raises(ValidationError):
        case_transition(
            actor=grid, case_id=second.pk, transition="report_fixed", version=1, evidence=[photo.pk]
        )
    disguised = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"MZ not a picture" * 10)
    with pytest.raises(ValidationError):
        evidence_add(actor=grid, case=first, kind="photo", upload=disguised)
    pdf_as_photo = SimpleUploadedFile("x.pdf", b"%PDF-1.4 junk")
    with pytest.raises(ValidationError):
        evidence_add(actor=grid, case=first, kind="photo", upload=pdf_as_photo)
    with pytest.raises(PermissionDenied):
        evidence_add(
            actor=user(Role.GRID_WORKER, village(YINAN_TOWNSHIP + "201").code),
            case=first,
            kind="photo",
            upload=_jpeg((1, 2, 3)),
        )
    assert Evidence.objects.count() == 1


def test_oversized_evidence_is_refused(settings):
    settings.SAFETYNET_MAX_DOCUMENT_BYTES = 100
    grid = user(Role.GRID_WORKER, VILLAGE)
    with pytest.raises(ValidationError, match="MB"):
        evidence_add(actor=grid, case=_open(), kind="photo", upload=_jpeg())


def test_a_phone_photo_keeps_when_and_where_it_was_taken():
    from PIL import Image

    image = Image.new("RGB", (8, 8), (10, 120, 10))
    exif = image.getexif()
    exif.get_ifd(0x8769)[0x9003] = "2026:10:09 14:32:05"
    exif.get_ifd(0x8825).update({1: "N", 2: (35.0, 3.0, 36.0), 3: "E", 4: (118.0, 21.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    grid = user(Role.GRID_WORKER, VILLAGE)
    photo = evidence_add(
        actor=grid, case=_open(), kind="photo", upload=SimpleUploadedFile("IMG_0001.jpg", out.getvalue())
    )
    assert photo.taken_at == datetime.datetime(2026, 10, 9, 14, 32, 5, tzinfo=SHANGHAI)
    assert (float(photo.latitude), float(photo.longitude)) == (35.06, 118.35)


# --- overdue and escalation; the desk ---------------------------------------------------------


def test_an_overdue_case_escalates_to_the_county_with_a_notice_and_then_to_the_city():
    case = _open()
    lanshan = user(Role.COUNTY_BUREAU, "371302")
    yinan = user(Role.COUNTY_BUREAU, "371321")
    city = user(Role.CITY_BUREAU, "3713")
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    assert [r.title for r in desk(actor=township, now=case.opened_at).coming] == ["电线老化"]
    assert desk(actor=lanshan, now=case.opened_at).counts == {"overdue": 0, "today": 0, "coming": 0}

    late = datetime.datetime(2026, 10, 11, 8, 0, tzinfo=SHANGHAI)
    summary = cases_sweep(late)
    case.refresh_from_db()
    assert (case.escalated_to, case.overdue_since) == ("county", late)
    assert "1" in summary
    assert list(Notice.objects.values_list("user", "kind")) == [(lanshan.pk, "case_escalated")]
    assert [r.title for r in desk(actor=lanshan, now=late).overdue] == ["电线老化"]
    assert desk(actor=yinan, now=late).counts["overdue"] == 0
    assert desk(actor=township, now=late).counts["overdue"] == 1

    cases_sweep(late + datetime.timedelta(hours=1))  # nothing new
    assert Notice.objects.count() == 1
    cases_sweep(late + datetime.timedelta(days=8))
    case.refresh_from_db()
    assert case.escalated_to == "city"
    assert Notice.objects.filter(user=city).count() == 1


def test_the_sweep_is_a_recurring_job():
    assert "core.overdue_sweep" in {job.name for job in jobs.recurring_jobs()}


# --- pages -----------------------------------------------------------------------------------------


def test_the_desk_inbox_and_help_pages_and_a_step_taken_from_a_page(client):
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    case = _open()
    client.force_login(township)
    page = client.get(reverse("desk")).content.decode()
    assert "电线老化" in page and 'href="/things/1/"' in page
    help_page = client.get(reverse("workflow_help", args=["test.problem"])).content.decode()
    assert "<svg" in help_page and "报告已整改" in help_page and "整改后照片" in help_page
    assert client.get(reverse("workflow_help", args=["nope"])).status_code == 404
    assert client.get(reverse("inbox")).status_code == 200

    refused = client.post(reverse("case_move", args=[case.pk]), {"transition": "report_fixed", "version": 1})
    assert refused.status_code == 400 and "整改后照片" in refused.content.decode()
    added = client.post(reverse("case_evidence_add", args=[case.pk]), {"kind": "photo", "file": _jpeg()})
    assert added.status_code == 302
    photo = Evidence.objects.get()
    done = client.post(
        reverse("case_move", args=[case.pk]),
        {"transition": "report_fixed", "version": 1, "evidence": [photo.pk]},
    )
    assert done.status_code == 302 and done.url == "/things/1/"
    assert Case.objects.get(pk=case.pk).state == "fixed"
    stale = client.post(reverse("case_move", args=[case.pk]), {"transition": "close", "version": 1})
    assert stale.status_code == 400
    assert client.get(reverse("evidence_download", args=[photo.pk])).status_code == 200
    client.force_login(user(Role.TOWNSHIP_OFFICE, YINAN_TOWNSHIP))
    assert client.get(reverse("evidence_download", args=[photo.pk])).status_code == 404
    assert (
        client.post(reverse("case_move", args=[case.pk]), {"transition": "close", "version": 2}).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_pressing_at_the_same_moment_one_step_is_taken_once():
    import threading

    from django.db import connection

    village(VILLAGE)
    case = _open()
    people = [user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, username=f"clerk-{n}") for n in range(3)]
    start = threading.Barrier(len(people))
    outcomes: list = []

    def press(actor):
        try:
            start.wait()
            case_transition(actor=actor, case_id=case.pk, transition="drop_by_office", version=1,
                            reason="重复登记")
            outcomes.append("done")
        except ConflictError as error:
            outcomes.append(str(error))
        except Exception as error:  # noqa: BLE001 - reported below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(actor,)) for actor in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("done") == 1, outcomes
    losers = [outcome for outcome in outcomes if outcome != "done"]
    if connection.vendor == "postgresql":
        # The row lock queues them: each loser is told who acted and when.
        assert all("clerk-" in outcome for outcome in losers), outcomes
    else:
        # The tests' SQLite is one shared in-memory database, which answers "locked" at once where
        # the file database the system runs on waits its busy timeout and then tells them the same.
        assert all("clerk-" in outcome or "locked" in outcome for outcome in losers), outcomes
    assert CaseEvent.objects.filter(case=case, kind="moved").count() == 1


# --- API ------------------------------------------------------------------------------------------------


def test_the_desk_a_case_and_its_steps_through_the_api(client):
    from safetynet.core.services import api_token_create

    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, username="wang")
    _token, key = api_token_create(user=township, name="phone")
    auth = {"Authorization": f"Bearer {key}"}
    from django.utils import timezone

    case = _open(at=timezone.now())
    desk_json = client.get("/api/v1/desk", headers=auth).json()
    rows = desk_json["overdue"] + desk_json["today"] + desk_json["coming"]
    assert [row["title"] for row in rows] == ["电线老化"]
    late_in_the_year = _open(at=datetime.datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI), subject_id=2)
    assert client.get(f"/api/v1/cases/{late_in_the_year.pk}", headers=auth).json()["due_provisional"] is True
    shown = client.get(f"/api/v1/cases/{case.pk}", headers=auth).json()
    assert shown["due_provisional"] is False and shown["state"] == "open"
    assert {s["code"]: s["evidence_required"] for s in shown["steps"]} == {"report_fixed": ["photo"],
                                                                            "drop_by_office": []}
    refused = client.post(f"/api/v1/cases/{case.pk}/steps", {"transition": "report_fixed", "version": 1},
                          content_type="application/json", headers=auth)
    assert refused.status_code == 422 and "整改后照片" in refused.json()["detail"][0]["message"]
    done = client.post(f"/api/v1/cases/{case.pk}/steps",
                       {"transition": "drop_by_office", "version": 1, "reason": "重复"},
                       content_type="application/json", headers=auth)
    assert done.status_code == 200 and done.json()["closed_at"] is not None and done.json()["steps"] == []
    stale = client.post(f"/api/v1/cases/{case.pk}/steps", {"transition": "drop_by_office", "version": 1},
                        content_type="application/json", headers=auth)
    assert stale.status_code == 409 and "wang" in stale.json()["detail"]
    other = api_token_create(user=user(Role.TOWNSHIP_OFFICE, YINAN_TOWNSHIP), name="x")[1]
    assert client.get(f"/api/v1/cases/{case.pk}",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert client.post(f"/api/v1/cases/{case.pk}/steps", {"transition": "x", "version": 1,
                                                          "evidence": [2**70]},
                       content_type="application/json", headers=auth).status_code == 422
    # The two cases opened on the township's desk came with a notice each.
    assert [n["text"] for n in client.get("/api/v1/inbox", headers=auth).json()] == [
        "您的工作台有新事项：电线老化"] * 2
