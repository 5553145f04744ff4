"""The payroll pages and API as the county's officers, its finance officer, another county and an
auditor use them: scoped, account numbers masked except to the finance officer who asks (logged),
a refused bank result listed line by line with nothing changed, absurd input answered plainly."""

import pytest
from django.test import Client

from conftest import user
from safetynet.core.models import Role, UnmaskLog
from safetynet.core.services import api_token_create
from safetynet.payments import services
from safetynet.payments.models import PayrollLine, PayrollRun
from safetynet.payments.tests.conftest import SEPTEMBER, approved

pytestmark = pytest.mark.django_db
WHOLE = "6228480000000000029"


def client_of(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def api_of(account) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=account, name='t')[1]}"})


def test_the_county_drafts_from_the_page_and_sees_what_moved(county):
    page = client_of(county["maker"])
    response = page.post("/payments/", {"county": "371302", "month": "2026-09"})
    run = PayrollRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/runs/{run.pk}/"
    body = page.get(response["Location"]).content.decode()
    assert "新增" in body and "暂缓：无账户" in body and "1200.00" in body
    assert WHOLE not in body and "***************0029" in body
    again = page.post("/payments/", {"county": "371302", "month": "2026-09"})
    assert again.status_code == 400 and "已经生成" in again.content.decode()
    assert PayrollRun.objects.count() == 1
    for month in ("2026-13", "20261", "\x00", "9999999999999999999-01"):
        assert page.post("/payments/", {"county": "371302", "month": month}).status_code == 400
    assert page.post("/payments/", {"county": "371321", "month": "2026-10"}).status_code == 400
    assert PayrollRun.objects.count() == 1
    # The run's search: a name, a household number, and numbers no household has.
    household = county["households"][0]
    found = page.get(f"/payments/runs/{run.pk}/", {"q": str(household.pk)}).content.decode()
    assert "王一" in found and "李二" not in found
    assert "李二" in page.get(f"/payments/runs/{run.pk}/", {"q": "李二"}).content.decode()
    for absurd in ("9" * 20, "²", "-1"):
        response = page.get(f"/payments/runs/{run.pk}/", {"q": absurd})
        assert response.status_code == 200 and "王一" not in response.content.decode()
    assert page.get(f"/payments/runs/{run.pk}/", {"q": "1\x00"}).status_code == 200  # read as no search


def test_another_county_and_the_wrong_roles_see_nothing(county):
    run = approved(county, SEPTEMBER)
    yinan = client_of(user(Role.COUNTY_BUREAU, "371321"))
    assert yinan.get(f"/payments/runs/{run.pk}/").status_code == 404
    assert "2026-09" not in yinan.get("/payments/").content.decode()
    head = county["households"][0].head_id
    assert yinan.get(f"/payments/people/{head}/accounts/").status_code == 404
    grid = client_of(user(Role.GRID_WORKER, county["households"][0].village_id))
    assert grid.get("/payments/").status_code == 403
    assert grid.get(f"/payments/runs/{run.pk}/").status_code == 403


def test_an_account_is_whole_only_to_the_finance_officer_who_asks(county):
    head = county["households"][1].head_id
    url = f"/payments/people/{head}/accounts/"
    officer = client_of(county["maker"]).get(url + "?whole=1").content.decode()
    assert WHOLE not in officer and "0029" in officer and "show-whole" not in officer
    finance = client_of(county["checker"])
    masked = finance.get(url).content.decode()
    assert WHOLE not in masked and 'id="show-whole"' in masked
    assert not UnmaskLog.objects.filter(subject_type="payeeaccount").exists()
    whole = finance.get(url + "?whole=1").content.decode()
    assert WHOLE in whole
    assert UnmaskLog.objects.filter(subject_type="payeeaccount", actor=county["checker"]).count() == 1


def test_an_account_is_recorded_from_the_page_and_bad_numbers_change_nothing(county):
    head = county["households"][2].head_id
    page = client_of(county["township"])
    url = f"/payments/people/{head}/accounts/"
    for number in ("12345", "6228480000000000037\x00", "六二二八四八", "1" * 33):
        response = page.post(url, {"kind": "one_card", "bank": "rcb", "number": number})
        assert response.status_code == 400
    assert (
        "8至32位数字"
        in page.post(url, {"kind": "one_card", "bank": "rcb", "number": "12345"}).content.decode()
    )
    assert (
        page.post(url, {"kind": "one_card", "bank": "nobank", "number": "6228480000000000037"}).status_code
        == 400
    )
    done = page.post(url, {"kind": "one_card", "bank": "rcb", "number": "6228 4800 0000 0000 037"})
    assert done.status_code == 302
    assert "***************0037" in page.get(url).content.decode()
    # A grid worker reads no account and records none.
    grid = client_of(user(Role.GRID_WORKER, county["households"][2].village_id))
    assert (
        grid.post(url, {"kind": "one_card", "bank": "rcb", "number": "6228480000000000045"}).status_code
        == 404
    )


def test_a_refused_result_lists_its_problems_and_changes_nothing(county):
    run = approved(county, SEPTEMBER)
    services.payroll_export(actor=county["checker"], run_id=run.pk, version=run.case.version)
    run.case.refresh_from_db()
    page = client_of(county["checker"])
    body = "\r\n".join(["县区,371302,月份,202609,笔数,1,金额,1.00", "参考号,户名,账号,金额",
                        "000000999999,某人,6228480000000000011,1.00,成功,", "合计,1,,1.00", ""])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = page.post(
        f"/payments/runs/{run.pk}/result/",
        {"version": run.case.version, "file": SimpleUploadedFile("r.csv", body.encode("gb18030"))},
    )
    text = response.content.decode()
    assert response.status_code == 400 and "没有做任何更改" in text and "000000999999" in text
    assert set(PayrollLine.objects.filter(run=run, status__in=["paid", "failed"])) == set()


def test_the_bank_file_is_taken_by_the_county_and_finance_only_and_logged(county):
    run = approved(county, SEPTEMBER)
    bank_file = services.payroll_export(actor=county["checker"], run_id=run.pk, version=run.case.version)
    auditor = client_of(user(Role.AUDITOR, "3713"))
    assert auditor.get(f"/payments/files/{bank_file.pk}/").status_code == 403
    assert (
        client_of(user(Role.COUNTY_BUREAU, "371321")).get(f"/payments/files/{bank_file.pk}/").status_code
        == 404
    )
    response = client_of(county["maker"]).get(f"/payments/files/{bank_file.pk}/")
    assert response.status_code == 200 and WHOLE.encode() in response.content
    assert UnmaskLog.objects.filter(
        subject_type="bankfile", subject_id=bank_file.pk, actor=county["maker"]
    ).exists()


def test_the_api_drafts_pages_lines_and_unmasks_for_finance_only(county):
    maker = api_of(county["maker"])
    response = maker.post(
        "/api/v1/payroll-runs", {"county": "371302", "month": "2026-09"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["state"] == "draft" and run["total"] == "1200.00" and run["changes"]["new"] == 3
    again = maker.post(
        "/api/v1/payroll-runs", {"county": "371302", "month": "2026-09"}, content_type="application/json"
    )
    assert again.status_code == 422
    for month in ("2026-13", "0000-01", "9999-12"):
        bad = maker.post(
            "/api/v1/payroll-runs", {"county": "371302", "month": month}, content_type="application/json"
        )
        assert bad.status_code == 422
    lines = maker.get(f"/api/v1/payroll-runs/{run['id']}/lines?unmask=true").json()
    assert lines["count"] == 3 and all(line["account"] != WHOLE for line in lines["items"])
    assert maker.get(f"/api/v1/payroll-runs/{run['id']}/lines?page={10**20}").status_code == 422
    finance = api_of(county["checker"])
    items = finance.get(f"/api/v1/payroll-runs/{run['id']}/lines?unmask=true").json()["items"]
    assert WHOLE in {line["account"] for line in items}
    assert (
        api_of(user(Role.COUNTY_BUREAU, "371321")).get(f"/api/v1/payroll-runs/{run['id']}").status_code == 404
    )
    # The steps go through the kernel's case API.
    step = finance.post(
        f"/api/v1/cases/{run['case_id']}/steps",
        {"transition": "check", "version": run["case_version"]},
        content_type="application/json",
    )
    assert step.status_code == 200, step.content
    assert PayrollRun.objects.get().case.state == "checked"


def test_the_api_records_accounts_and_refuses_what_no_form_sends(county):
    township = api_of(county["township"])
    head = county["households"][2].head_id
    payload = {
        "holder_kind": "person",
        "holder_id": head,
        "kind": "one_card",
        "bank": "rcb",
        "number": "6228480000000000037",
    }
    for bad in ({"number": "62284800\u0000"}, {"holder_id": 10**20}, {"kind": "cash"}, {"extra": 1}):
        assert (
            township.post(
                "/api/v1/payee-accounts", payload | bad, content_type="application/json"
            ).status_code
            == 422
        )
    created = township.post("/api/v1/payee-accounts", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["number"].endswith("0037")
    assert created.json()["number"] != "6228480000000000037"
    listed = township.get(f"/api/v1/payee-accounts?holder_kind=person&holder_id={head}").json()
    assert [row["number"][-4:] for row in listed] == ["0037"]
    september = approved(county, SEPTEMBER)
    line = PayrollLine.objects.get(run=september, payee_name="赵三")
    assert line.status == "pending" and line.account.number == "6228480000000000037"


def test_the_township_sees_what_waits_for_an_account_and_the_household_page_shows_payments(county):
    run = approved(county, SEPTEMBER)
    township = client_of(county["township"])
    waiting = township.get("/payments/waiting/").content.decode()
    assert "赵三" in waiting and "王一" not in waiting
    desk = township.get("/").content.decode()
    assert "等待收款人账户" in desk
    household = county["households"][1]
    page = township.get(f"/registry/households/{household.pk}/").content.decode()
    assert 'id="household-payments"' in page and "400.00" in page and WHOLE not in page
    assert run.pk
    other = client_of(user(Role.TOWNSHIP_OFFICE, "371321001"))
    assert "赵三" not in other.get("/payments/waiting/").content.decode()
