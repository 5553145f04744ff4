"""Money in the ledger for the funds tests, made the way the county makes it: payrolls drafted,
checked, approved, exported and reconciled with the bank's result file (the Postal Savings Bank's
CSV in gb18030, some lines failed), and temporary aid paid by a township from its reserve."""

import csv
import io

from django.db import connection

from conftest import user
from safetynet.core.models import Role
from safetynet.payments import services
from safetynet.payments.tests.conftest import approved
from safetynet.programmes.aid.services import aid_pay, emergency_report


def result_file(content: bytes, *, failed_accounts=()) -> bytes:
    """The bank's answer to its payment file: each line as sent with 状态 and 原因 added (those paid
    into `failed_accounts` failed), the header and trailer as they were."""
    rows = list(csv.reader(io.StringIO(content.decode("gb18030"))))
    out = []
    for row in rows:
        if row[0] in ("县区", "参考号", "合计"):
            out.append(row)
        elif row[2] in failed_accounts:
            out.append([*row, "失败", "账户已冻结"])
        else:
            out.append([*row, "成功", ""])
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(out)
    return text.getvalue().encode("gb18030")


def paid_month(county: dict, month, *, failed_accounts=()):
    """The county's payroll for `month` approved, sent to the bank and reconciled."""
    run = approved(county, month)
    bank_file = services.payroll_export(actor=county["maker"], run_id=run.pk, version=run.case.version)
    run.case.refresh_from_db()
    services.payroll_result_import(
        actor=county["checker"],
        run_id=run.pk,
        version=run.case.version,
        name="result.csv",
        data=result_file(bytes(bank_file.content), failed_accounts=failed_accounts),
    )
    run.refresh_from_db()
    return run


def emergency_paid(
    village, *, amount: str, person_id=None, from_reserve: bool = True, name: str = "路人甲", at=None
):
    """An emergency where `village` is, paid by its township (from its reserve fund by default) at
    `at` (now if None), and booked in the ledger and the reserve."""
    township = user(Role.TOWNSHIP_OFFICE, village.code[:9])
    aid = emergency_report(
        actor=township,
        area_code=village.code,
        cause="fire",
        what="家中失火",
        person_id=person_id,
        name="" if person_id else name,
        reported_at=at,
    )
    payment = aid_pay(
        actor=township,
        aid_id=aid.pk,
        version=aid.version,
        amount=amount,
        means="cash",
        from_reserve=from_reserve,
        paid_at=at,
    )
    services.aid_payments_book()
    return payment


def paid_in_year(year: int, county: str | None = None) -> str:
    """What the ledger says was paid in `year` (of `county`), summed by hand in SQL: the bank's paid
    rows and temporary aid paid, by their booking month."""
    sql = (
        "SELECT COALESCE(SUM(amount), 0) FROM payments_ledgerentry WHERE kind IN ('paid', 'aid_paid') "
        "AND month >= %s AND month < %s"
    )
    params = [f"{year}-01-01", f"{year + 1}-01-01"]
    if county:
        sql += " AND county_id = %s"
        params.append(county)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return f"{cursor.fetchone()[0]:.2f}"


def build_year(county: dict, make_household, lanshan_village, yinan_village) -> dict:
    """Lanshan's 2026: 低保 for three households (one without an account, held), 低保边缘 for a fourth,
    September and October paid by the bank (李二's September line failed), 800 yuan of emergency aid
    paid in December by 兰山街道 from its reserve and 100 yuan in December 2025; and 650 yuan of
    emergency aid paid in Yinan to a traveller named 沂南秘密."""
    import datetime

    from django.utils import timezone

    from safetynet.payments.tests.conftest import OCTOBER, SEPTEMBER
    from safetynet.programmes.services import enrolment_start

    edge = make_household(
        lanshan_village, county["maker"], members=[("钱四", 1, "02", datetime.date(1962, 1, 1))]
    )
    enrolment_start(actor=county["maker"], household=edge, programme="edge", since=SEPTEMBER, amount="200")
    services.account_open(
        actor=county["township"],
        holder_kind="person",
        holder_id=edge.head_id,
        kind="one_card",
        bank="rcb",
        number="6228480000000000037",
    )
    september = paid_month(county, SEPTEMBER, failed_accounts=("6228480000000000029",))
    october = paid_month(county, OCTOBER)
    last_year = timezone.make_aware(datetime.datetime(2025, 12, 20, 10, 0))
    emergency_paid(lanshan_village, amount="100", at=last_year)
    emergency_paid(lanshan_village, amount="800")
    emergency_paid(yinan_village, amount="650", name="沂南秘密")
    return {"september": september, "october": october, "edge": edge}
