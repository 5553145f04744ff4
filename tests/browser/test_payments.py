"""Issue 15's "Done when", walked in the browser as the people named: a county officer drafts the
month's payroll, the finance officer checks it, a second county officer approves it and the first
exports the bank file; the bank's result comes back with a failure and is imported; the township
corrects the payee's account from its queue; next month's payroll pays the failed line again, once."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.models import Role
from safetynet.payments import services
from safetynet.payments.models import LedgerEntry, PayrollLine, PayrollRun
from safetynet.programmes.services import enrolment_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _answer(payment_file: bytes, failing: str) -> bytes:
    """The bank's result for a CSV payment file: every line paid but `failing`'s."""
    rows = []
    for row in csv.reader(io.StringIO(payment_file.decode("gb18030"))):
        if row and row[0].isdigit() and len(row[0]) == 12:
            row = [*row, "失败", "账户已销户"] if row[1] == failing else [*row, "成功", ""]
        rows.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("gb18030")


def test_a_month_from_draft_to_the_bank_and_a_failure_paid_again_next_month(
    logged_in_page, asgi_server, make_household, lanshan_village, tmp_path, shot
):
    maker_user = user(Role.COUNTY_BUREAU, "371302", "lanshan")
    finance_user = user(Role.FINANCE_OFFICER, "3713", "finance")
    approver_user = user(Role.COUNTY_BUREAU, "371302", "lanshan2")
    township_user = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, "lanshan-lanshan")
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    for name, amount, number in (
        ("王大", "520", "6228480000000000011"),
        ("李二", "380", "6228480000000000029"),
    ):
        household = make_household(
            lanshan_village, maker_user, members=[(name, 1, "02", datetime.date(1958, 1, 1))]
        )
        enrolment_start(
            actor=maker_user, household=household, programme="dibao", since=last_month, amount=amount
        )
        services.account_open(
            actor=township_user,
            holder_kind="person",
            holder_id=household.head_id,
            kind="one_card",
            bank="psbc",
            number=number,
        )
    services.payroll_setting_save(actor=maker_user, county="371302", draft_day=5, bank="psbc")

    # 兰山区 drafts last month's payroll.
    maker = logged_in_page(maker_user, base_url=asgi_server.url)
    maker.goto("/payments/")
    maker.locator("#draft-form input[name=month]").fill(f"{last_month:%Y-%m}")
    maker.get_by_role("button", name="生成当月发放名册").click()
    expect(maker.locator("#run-changes")).to_contain_text("新增: 2")
    expect(maker.locator("#run-total")).to_have_text("900.00")
    expect(maker.locator("#line-table")).to_contain_text("***************0011")
    shot(maker, "payroll-drafted")
    run_url = maker.url

    # The maker may not check it; the finance officer does.
    expect(maker.locator("form[data-step=check]")).to_have_count(1)
    maker.locator("form[data-step=check] button").click()
    expect(maker.locator("body")).to_contain_text("这个名册是您生成的")
    finance = logged_in_page(finance_user, base_url=asgi_server.url)
    finance.goto(run_url)
    finance.locator("form[data-step=check] button").click()
    expect(finance.locator("#case-state")).to_have_text("已审核，待批准")

    # A second county officer approves; the first exports the bank file.
    approver = logged_in_page(approver_user, base_url=asgi_server.url)
    approver.goto(run_url)
    approver.locator("form[data-step=approve] button").click()
    expect(approver.locator("#case-state")).to_have_text("已批准，待导出")
    maker.goto(run_url)
    maker.locator("form[data-step=export] button").click()
    expect(maker.locator("#case-state")).to_have_text("已送银行，待对账")
    with maker.expect_download() as download:
        maker.locator("#bank-files a").first.click()
    payment_file = download.value.path().read_bytes()
    assert b"6228480000000000029" in payment_file and b"900.00" in payment_file

    # The bank pays 王大 and fails 李二 (account closed): the result is imported.
    result = tmp_path / "回盘.csv"
    result.write_bytes(_answer(payment_file, "李二"))
    maker.locator("#result-form input[type=file]").set_input_files(str(result))
    maker.get_by_role("button", name="导入回盘").click()
    expect(maker.locator("body")).to_contain_text("银行回盘已导入：成功1笔，失败1笔")
    expect(maker.locator("#by-status")).to_contain_text("失败")
    shot(maker, "payroll-reconciled")
    # The same file again is refused and changes nothing.
    maker.locator("#result-form input[type=file]").set_input_files(str(result))
    maker.get_by_role("button", name="导入回盘").click()
    expect(maker.locator("#result-errors")).to_contain_text("已经导入过")
    maker.goto(run_url)
    maker.locator("form[data-step=close] button").click()
    expect(maker.locator("#case-state")).to_have_text("已结束")

    # The township finds the failure on its queue and records 李二's new account.
    township = logged_in_page(township_user, base_url=asgi_server.url)
    township.goto("/")
    township.get_by_role("link", name="发放失败或暂缓，等待收款人账户").click()
    expect(township.locator("#waiting")).to_contain_text("账户已销户")
    township.get_by_role("link", name="李二").click()
    township.get_by_label("账号").fill("6217 0000 0000 0000 077")
    township.get_by_label("原因（新账户替换正在使用的账户）").fill("原卡已销户，换新卡")
    township.get_by_role("button", name="登记").click()
    expect(township.locator("#account-table")).to_contain_text("***************0077")
    expect(township.locator("#account-table")).to_contain_text("原卡已销户，换新卡")
    expect(township.locator("#account-table")).not_to_contain_text("6217000000000000077")

    # This month's payroll pays 李二's failed month again, to the new account, once.
    maker.goto("/payments/")
    maker.locator("#draft-form input[name=month]").fill(f"{this_month:%Y-%m}")
    maker.get_by_role("button", name="生成当月发放名册").click()
    expect(maker.locator("#run-changes")).to_contain_text("重新发放: 1")
    maker.locator("#line-filter select[name=kind]").select_option("reissue")
    maker.get_by_role("button", name="显示").click()
    expect(maker.locator("#line-table tbody tr")).to_have_count(1)
    expect(maker.locator("#line-table")).to_contain_text("***************0077")
    shot(maker, "payroll-reissue")
    assert PayrollRun.objects.count() == 2
    assert PayrollLine.objects.filter(kind="reissue").count() == 1
    assert sum(LedgerEntry.objects.filter(kind="paid").values_list("amount", flat=True)) == 520
