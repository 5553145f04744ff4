"""Real-name reports and 12349 complaints: recorded by the county, checked by the township within 10
working days, answered in writing by the county within 15 of receipt, the answer a document; another
county neither sees nor touches them; what no form would send changes nothing."""

import datetime
import io

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Case, Role
from safetynet.core.workdays.selectors import work_calendar
from safetynet.programmes.applications import complaints, selectors
from safetynet.programmes.models import Complaint

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"


@pytest.fixture
def setting(make_household):
    home = village(VILLAGE)
    county = user(Role.COUNTY_BUREAU, "371302")
    return {
        "county": county,
        "township": user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        "household": make_household(home, county, members=[("韩三", 1, "02", datetime.date(1960, 1, 1))]),
    }


def test_a_real_name_report_is_checked_and_answered_in_writing(client, setting):
    county, township = setting["county"], setting["township"]
    client.force_login(county)
    response = client.post(
        "/programmes/complaints/",
        {
            "kind": "real_name",
            "complainant": "王五",
            "contact": "13800001234",
            "household": setting["household"].pk,
            "area": "",
            "text": "该户有子女在外地经商，收入较高",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    case = Case.objects.get(pk=complaint.case_id)
    due = timezone.localtime(case.due_at).date()
    assert work_calendar().working_days_between(timezone.localdate(), due) == 1
    page = f"/programmes/complaints/{complaint.pk}/"
    move = client.post(f"/cases/{case.pk}/move/", {"transition": "send", "version": case.version})
    assert move.status_code == 302
    case.refresh_from_db()
    assert (
        work_calendar().working_days_between(timezone.localdate(), timezone.localtime(case.due_at).date())
        == 10
    )

    client.force_login(township)
    shown = client.get(page).content.decode()
    assert 'id="findings-form"' in shown
    assert "王五" not in shown and "13800001234" not in shown  # the reporter is protected
    empty = client.post(
        page, {"record": "findings", "substantiated": "1", "findings": "", "version": case.version}
    )
    assert empty.status_code == 400 and Complaint.objects.get().findings == ""
    assert (
        client.post(
            page,
            {
                "record": "findings",
                "substantiated": "0",
                "version": case.version,
                "findings": "经入户核查，子女务工收入已计入，举报不属实",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(page, {"record": "answer", "answer": "x", "version": case.version + 1}).status_code == 403
    )

    client.force_login(county)
    case.refresh_from_db()
    assert (
        client.post(
            page,
            {
                "record": "answer",
                "version": case.version,
                "answer": "经核查，该户家庭收入已如实计算，举报事项不属实。感谢您的监督。",
            },
        ).status_code
        == 302
    )
    complaint.refresh_from_db()
    assert complaint.answered_at and Case.objects.get(pk=complaint.case_id).closed_at is not None
    client.force_login(township)  # the answer names who reported: the county alone sends it
    assert client.get(f"/programmes/complaints/{complaint.pk}/answer.docx").status_code == 403
    client.force_login(user(Role.VILLAGE_COORDINATOR, VILLAGE))  # the village's staff may be who it is about
    assert client.get(f"/programmes/complaints/{complaint.pk}/").status_code == 404
    client.force_login(county)
    written = client.get(f"/programmes/complaints/{complaint.pk}/answer.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(written.content)).paragraphs)
    assert "举报事项不属实" in text
    history = client.get(f"/registry/households/{setting['household'].pk}/").content.decode()
    assert "举报" in history.split('id="timeline"')[1]


def test_another_county_and_other_roles_neither_see_nor_record(setting):
    complaint = complaints.complaint_receive(
        actor=setting["county"],
        kind="hotline",
        complainant="",
        contact="",
        text="乡镇办理拖延",
        area_code=LANSHAN_TOWNSHIP,
    )
    assert complaint.complainant == "匿名"
    other = user(Role.COUNTY_BUREAU, "371321")
    assert not selectors.complaints(actor=other).exists()
    with pytest.raises(Complaint.DoesNotExist):
        complaints.complaint_findings(
            actor=other, pk=complaint.pk, version=1, substantiated=True, findings="x"
        )
    with pytest.raises(PermissionDenied):
        complaints.complaint_receive(
            actor=user(Role.GRID_WORKER, VILLAGE),
            kind="hotline",
            complainant="",
            contact="",
            text="x",
            area_code=VILLAGE,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "letter"}, "kind"),
        ({"kind": "real_name", "complainant": ""}, "complainant"),
        ({"text": ""}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"contact": "138abc"}, "contact"),
        ({"area_code": "3713"}, "area"),
        ({"area_code": "37\x0002"}, "area"),
        ({"text": "举\x00报"}, "text"),
    ],
)
def test_what_no_form_would_send_is_refused(setting, changes, field):
    data = {
        "kind": "hotline",
        "complainant": "",
        "contact": "",
        "text": "拖延",
        "area_code": LANSHAN_TOWNSHIP,
    }
    with pytest.raises(ValidationError) as refused:
        complaints.complaint_receive(actor=setting["county"], **(data | changes))
    assert field in refused.value.message_dict
    assert not Complaint.objects.exists() and not Case.objects.exists()


def test_the_same_through_the_api_with_the_reporter_kept_from_the_township(setting):
    from django.test import Client

    from safetynet.core.services import api_token_create

    def api(actor):
        return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})

    county, township = api(setting["county"]), api(setting["township"])
    made = county.post(
        "/api/v1/programmes/complaints",
        {
            "kind": "hotline",
            "complainant": "赵六",
            "contact": "13900001111",
            "area": VILLAGE,
            "text": "村里漏报",
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["complainant"] == "赵六"
    number, case = made.json()["id"], made.json()["case_id"]
    county.post(
        f"/api/v1/cases/{case}/steps",
        {"transition": "send", "version": made.json()["case_version"]},
        content_type="application/json",
    )
    seen = township.get("/api/v1/programmes/complaints").json()[0]
    assert seen["complainant"] == "" and seen["contact"] == "" and seen["state"] == "checking"
    checked = township.post(
        f"/api/v1/programmes/complaints/{number}/findings",
        {"version": seen["case_version"], "substantiated": True, "findings": "属实，已提醒村委"},
        content_type="application/json",
    )
    assert checked.status_code == 200 and checked.json()["state"] == "checked"
    refused = township.post(
        f"/api/v1/programmes/complaints/{number}/answer",
        {"version": checked.json()["case_version"], "answer": "已整改"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    answered = county.post(
        f"/api/v1/programmes/complaints/{number}/answer",
        {"version": checked.json()["case_version"], "answer": "已整改，感谢监督"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"


def test_the_steps_that_carry_findings_and_the_answer_cannot_be_taken_bare(setting):
    from safetynet.core.workflows.services import case_transition

    complaint = complaints.complaint_receive(
        actor=setting["county"], kind="hotline", complainant="", contact="", text="拖延", area_code=VILLAGE
    )
    case = Case.objects.get(pk=complaint.case_id)
    case = case_transition(actor=setting["county"], case_id=case.pk, transition="send", version=case.version)
    with pytest.raises(ValidationError, match="核查结果"):
        case_transition(
            actor=setting["township"], case_id=case.pk, transition="checked", version=case.version
        )
    case = complaints.complaint_findings(
        actor=setting["township"],
        pk=complaint.pk,
        version=case.version,
        substantiated=False,
        findings="不属实",
    ).case
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="书面答复"):
        case_transition(actor=setting["county"], case_id=case.pk, transition="answer", version=case.version)
    assert Case.objects.get(pk=case.pk).state == "checked"


def test_a_household_number_outside_the_area_is_a_form_error_not_a_crash(client, setting):
    client.force_login(setting["county"])
    response = client.post("/programmes/complaints/", {"kind": "hotline", "household": 2**40, "text": "x"})
    assert response.status_code == 400 and "没有这个家庭" in response.content.decode()
    assert client.get("/programmes/applications/?state=%00").status_code == 200
    assert not Complaint.objects.exists()
