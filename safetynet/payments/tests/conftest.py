import datetime

import pytest

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.models import Role
from safetynet.payments import services
from safetynet.programmes.services import enrolment_start

SEPTEMBER = datetime.date(2026, 9, 1)
OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER = datetime.date(2026, 12, 1)


@pytest.fixture
def county(make_household, lanshan_village):
    """Lanshan with three officers (maker, checker, approver), a finance officer, and three
    households on 低保 since September, two with accounts, one without."""
    maker = user(Role.COUNTY_BUREAU, "371302", "maker")
    checker = user(Role.FINANCE_OFFICER, "371302", "checker")
    approver = user(Role.COUNTY_BUREAU, "371302", "approver")
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, "township")
    households = []
    for index, name in enumerate(("王一", "李二", "赵三")):
        household = make_household(
            lanshan_village, maker, members=[(name, 1, "02", datetime.date(1960, 1, 1))]
        )
        enrolment_start(
            actor=maker,
            household=household,
            programme="dibao",
            since=SEPTEMBER,
            amount=str(300 + 100 * index),
        )
        households.append(household)
    for household, number in zip(
        households[:2], ("6228480000000000011", "6228480000000000029"), strict=False
    ):
        services.account_open(
            actor=township,
            holder_kind="person",
            holder_id=household.head_id,
            kind="one_card",
            bank="rcb",
            number=number,
        )
    services.payroll_setting_save(actor=maker, county="371302", draft_day=5, bank="psbc")
    return {
        "maker": maker,
        "checker": checker,
        "approver": approver,
        "township": township,
        "households": households,
    }


def approved(county, month):
    run = services.payroll_draft(actor=county["maker"], county="371302", month=month)
    run = services.payroll_step(
        actor=county["checker"], run_id=run.pk, step="check", version=run.case.version
    )
    run.case.refresh_from_db()
    services.payroll_step(actor=county["approver"], run_id=run.pk, step="approve", version=run.case.version)
    run.refresh_from_db()
    run.case.refresh_from_db()
    return run
