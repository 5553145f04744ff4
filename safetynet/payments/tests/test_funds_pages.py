"""The funds pages: the year's statistics (and their .xlsx) equal the ledger's sum, the ledger and
balances, the townships' reserve funds and the forms that move them — each in the user's area, and
refused to the roles that do not keep money."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user
from safetynet.core.models import Role
from safetynet.payments.models import LedgerEntry, ReserveMovement
from safetynet.payments.tests.funds_data import build_year, paid_in_year

pytestmark = pytest.mark.django_db

YEAR = 2026
TWENTY_DIGITS = "9" * 20


@pytest.fixture
def year(county, make_household, lanshan_village, yinan_village):
    return {**county, **build_year(county, make_household, lanshan_village, yinan_village)}


def _signed_in(client, account):
    client.force_login(account)
    return client


def table(html: str, table_id: str) -> str:
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert found, f"no table {table_id}"
    return found.group(0)


def amounts(html: str, table_id: str, part: str = "tbody", key: str = "") -> dict[str, list[Decimal]]:
    """{row key: [amounts]} of a table's body (rows keyed by their data-`key` attribute)."""
    body = re.search(rf"<{part}>(.*?)</{part}>", table(html, table_id), re.S).group(1)
    rows = {}
    for number, row in enumerate(re.findall(r"<tr(.*?)</tr>", body, re.S)):
        name = re.search(rf'data-{key}="([^"]*)"', row).group(1) if key else str(number)
        rows[name] = [Decimal(value) for value in re.findall(r'data-amount="([^"]*)"', row)]
    return rows


def total_on(html: str) -> Decimal:
    return Decimal(re.search(r'id="total" data-amount="([^"]*)"', html).group(1))


# --- the funds statistics ------------------------------------------------------------------------


def test_the_years_total_is_the_sum_of_the_ledgers_paid_rows(client, year):
    page = _signed_in(client, year["maker"]).get("/payments/funds/", {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    # Summed independently, in SQL over the ledger: the bank's paid rows and temporary aid paid.
    assert total_on(html) == Decimal(paid_in_year(YEAR, "371302")) == Decimal("2200.00")
    programmes = amounts(html, "by-programme", key="programme")
    assert programmes == {
        "dibao": [Decimal("1000.00")],
        "edge": [Decimal("400.00")],
        "temporary": [Decimal("800.00")],
    }
    assert amounts(html, "by-county", key="county") == {"371302": [Decimal("2200.00")]}
    months = amounts(html, "by-month", key="month")
    assert len(months) == 12 and sum(value for [value] in months.values()) == Decimal("2200.00")
    assert months["2026-09"] == [Decimal("500.00")] and months["2026-10"] == [Decimal("900.00")]
    assert months["2026-12"] == [Decimal("800.00")] and months["2026-01"] == [Decimal("0.00")]
    assert amounts(html, "by-county-programme", key="county") == {
        "371302": [Decimal("1000.00"), Decimal("400.00"), Decimal("800.00"), Decimal("2200.00")]
    }
    assert amounts(html, "by-county-programme", part="tfoot")["0"][-1] == Decimal("2200.00")
    assert amounts(html, "by-fund", key="fund") == {
        "central": [Decimal("1000.00")],
        "county": [Decimal("1200.00")],
    }
    assert 'id="ledger-note"' in html


def test_the_xlsx_holds_the_pages_numbers(client, year):
    response = _signed_in(client, year["maker"]).get("/payments/funds/export/", {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]
    summary, by_programme, by_county, by_month, cross, by_fund = sheets
    expected = Decimal(paid_in_year(YEAR, "371302"))
    assert Decimal(str(summary[2][1])) == expected
    assert summary[1][1] == str(YEAR)
    assert [Decimal(str(row[1])) for row in by_programme[1:]] == [
        Decimal("1000"),
        Decimal("400"),
        Decimal("800"),
        expected,
    ]
    assert by_county[1][:2] == ["371302", "兰山区"] and Decimal(str(by_county[1][2])) == expected
    assert len(by_month) == 1 + 12 + 1
    assert {row[0]: Decimal(str(row[1])) for row in by_month[1:-1]}["2026-10"] == Decimal("900")
    assert sum(Decimal(str(row[1])) for row in by_month[1:-1]) == expected
    assert [Decimal(str(value)) for value in cross[1][2:]] == [
        Decimal("1000"),
        Decimal("400"),
        Decimal("800"),
        expected,
    ]
    assert Decimal(str(cross[-1][-1])) == expected
    assert sum(Decimal(str(row[1])) for row in by_fund[1:-1]) == expected


def test_the_city_sees_every_county_and_a_county_only_its_own(client, year):
    city = user(Role.CITY_BUREAU, "3713")
    html = _signed_in(client, city).get("/payments/funds/", {"year": YEAR}).content.decode()
    assert total_on(html) == Decimal(paid_in_year(YEAR)) == Decimal("2850.00")
    assert amounts(html, "by-county", key="county") == {
        "371302": [Decimal("2200.00")],
        "371321": [Decimal("650.00")],
    }
    assert "兰山区" in html and "沂南县" in html
    yinan = user(Role.COUNTY_BUREAU, "371321")
    html = _signed_in(client, yinan).get("/payments/funds/", {"year": YEAR}).content.decode()
    assert total_on(html) == Decimal("650.00")
    assert "371302" not in amounts(html, "by-county", key="county") and "兰山区" not in html
    export = client.get("/payments/funds/export/", {"year": YEAR}).content
    book = openpyxl.load_workbook(io.BytesIO(export), read_only=True)
    assert Decimal(str(list(book.worksheets[0].iter_rows(values_only=True))[2][1])) == Decimal("650")


def test_another_year_is_its_own(client, year):
    html = _signed_in(client, year["maker"]).get("/payments/funds/", {"year": 2025}).content.decode()
    assert total_on(html) == Decimal(paid_in_year(2025, "371302")) == Decimal("100.00")
    assert total_on(client.get("/payments/funds/", {"year": 2024}).content.decode()) == Decimal("0.00")


@pytest.mark.parametrize("bad", ["abc", TWENTY_DIGITS, "1e400", "-1", "0", "１２３", "2026.5"])
def test_a_year_that_is_no_year_shows_this_year_and_says_so(client, year, bad):
    this_year = datetime.date.today().year
    for path in ("/payments/funds/", "/payments/funds/export/", "/payments/balances/"):
        response = _signed_in(client, year["maker"]).get(path, {"year": bad})
        assert response.status_code == 200, (path, bad)
    html = client.get("/payments/funds/", {"year": bad}).content.decode()
    assert 'class="form-errors"' in html
    assert f'value="{this_year}"' in html


def test_a_control_character_in_the_query_is_refused(client, year):
    client = _signed_in(client, year["maker"])
    for path in ("/payments/funds/", "/payments/ledger/", "/payments/balances/", "/payments/funds/export/"):
        assert client.get(path, {"year": "20\x0026"}).status_code == 400
    assert client.get("/payments/ledger/", {"household": "1\x00"}).status_code == 400


@pytest.mark.parametrize(
    "role",
    [
        Role.SERVICE_PROVIDER,
        Role.CAREGIVER,
        Role.GRID_WORKER,
        Role.VILLAGE_COORDINATOR,
        Role.TOWNSHIP_OFFICE,
        Role.INSPECTOR,
    ],
)
def test_roles_that_keep_no_money_are_refused_the_funds(client, year, role):
    division = {
        Role.GRID_WORKER: LANSHAN_TOWNSHIP + "201",
        Role.VILLAGE_COORDINATOR: LANSHAN_TOWNSHIP + "201",
        Role.TOWNSHIP_OFFICE: LANSHAN_TOWNSHIP,
    }.get(role, "371302")
    client = _signed_in(client, user(role, division))
    for path in ("/payments/funds/", "/payments/funds/export/", "/payments/ledger/", "/payments/balances/"):
        response = client.get(path, {"year": YEAR})
        assert response.status_code == 403, (path, role)
        assert b"2200" not in response.content
    # The reserve funds are the township office's too; not the others'.
    expected = 200 if role == Role.TOWNSHIP_OFFICE else 403
    assert client.get("/payments/reserves/").status_code == expected
    assert client.get(f"/payments/reserves/{LANSHAN_TOWNSHIP}/").status_code == expected


def test_the_auditor_and_the_finance_officer_read_the_funds(client, year):
    for account in (user(Role.AUDITOR, "371302"), year["checker"]):
        html = _signed_in(client, account).get("/payments/funds/", {"year": YEAR}).content.decode()
        assert total_on(html) == Decimal("2200.00")


# --- the ledger ----------------------------------------------------------------------------------


def _ledger_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-entry="[0-9]+" data-kind="([a-z_]+)"', html)


def test_the_ledger_lists_the_areas_entries_and_filters_them(client, year):
    client = _signed_in(client, year["maker"])
    html = client.get("/payments/ledger/").content.decode()
    assert len(_ledger_rows(html)) == LedgerEntry.objects.filter(county_id="371302").count() == 22
    assert _ledger_rows(client.get("/payments/ledger/", {"kind": "paid"}).content.decode()) == ["paid"] * 5
    september = client.get("/payments/ledger/", {"month": "2026-09", "kind": "failed"}).content.decode()
    assert _ledger_rows(september) == ["failed"]
    household = year["households"][1]
    rows = _ledger_rows(client.get("/payments/ledger/", {"household": household.pk}).content.decode())
    assert sorted(rows) == ["entitled", "entitled", "failed", "paid", "sent", "sent"]
    run = year["october"]
    assert len(_ledger_rows(client.get("/payments/ledger/", {"run": run.pk}).content.decode())) == 10
    # Another county's officer sees none of it.
    yinan = _signed_in(client, user(Role.COUNTY_BUREAU, "371321")).get("/payments/ledger/").content.decode()
    assert _ledger_rows(yinan) == ["aid_paid"]
    assert _ledger_rows(client.get("/payments/ledger/", {"run": run.pk}).content.decode()) == []


@pytest.mark.parametrize(
    "query",
    [
        {"household": TWENTY_DIGITS},
        {"run": TWENTY_DIGITS},
        {"run": "-1"},
        {"kind": "stolen"},
        {"month": "2026-13"},
        {"month": "99999-01"},
        {"month": "1e400"},
        {"household": "abc"},
    ],
)
def test_ledger_filters_that_cannot_be_read_say_so_and_list_nothing(client, year, query):
    response = _signed_in(client, year["maker"]).get("/payments/ledger/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    assert _ledger_rows(html) == []


@pytest.mark.parametrize("page", [TWENTY_DIGITS, "-" + TWENTY_DIGITS, "1e400", "abc", "0"])
def test_an_absurd_page_number_shows_a_page(client, year, page):
    response = _signed_in(client, year["maker"]).get("/payments/ledger/", {"page": page})
    assert response.status_code == 200
    assert len(_ledger_rows(response.content.decode())) == 22
    assert client.get("/payments/balances/", {"by": "household", "page": page}).status_code == 200


def test_the_ledger_is_paged(client, year, monkeypatch):
    from safetynet.payments.funds import views

    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    client = _signed_in(client, year["maker"])
    first = _ledger_rows(client.get("/payments/ledger/").content.decode())
    third = _ledger_rows(client.get("/payments/ledger/", {"page": 3}).content.decode())
    assert (len(first), len(third)) == (10, 2)
    assert len(_ledger_rows(client.get("/payments/ledger/", {"page": TWENTY_DIGITS}).content.decode())) == 2


# --- balances ------------------------------------------------------------------------------------


def _balance_rows(html: str) -> dict[str, list[Decimal]]:
    return amounts(html, "balances", key="key")


def test_balances_by_programme_county_month_and_household(client, year):
    client = _signed_in(client, year["maker"])
    html = client.get("/payments/balances/", {"by": "programme", "year": YEAR}).content.decode()
    d = Decimal
    # entitled, paid, failed, re-issued, aid paid, owed
    assert _balance_rows(html) == {
        "dibao": [d("2400.00"), d("1000.00"), d("400.00"), d("0.00"), d("0.00"), d("1400.00")],
        "edge": [d("400.00"), d("400.00"), d("0.00"), d("0.00"), d("0.00"), d("0.00")],
        "temporary": [d("0.00"), d("0.00"), d("0.00"), d("0.00"), d("800.00"), d("0.00")],
    }
    assert amounts(html, "balances", part="tfoot")["0"] == [
        d("2800.00"),
        d("1400.00"),
        d("400.00"),
        d("0.00"),
        d("800.00"),
        d("1400.00"),
    ]
    by_county = _balance_rows(
        client.get("/payments/balances/", {"by": "county", "year": YEAR}).content.decode()
    )
    assert list(by_county) == ["371302"]
    by_month = _balance_rows(
        client.get("/payments/balances/", {"by": "month", "year": YEAR}).content.decode()
    )
    assert list(by_month) == ["2026-09", "2026-10", "2026-12"]
    by_household = _balance_rows(
        client.get("/payments/balances/", {"by": "household", "year": YEAR}).content.decode()
    )
    held = year["households"][2]  # no account: entitled, never sent
    assert by_household[str(held.pk)] == [
        d("1000.00"),
        d("0.00"),
        d("0.00"),
        d("0.00"),
        d("0.00"),
        d("1000.00"),
    ]
    assert by_household[""][4] == d("800.00")  # the traveller's emergency aid: no household


def test_balances_with_a_grouping_that_is_none_fall_back_to_programmes(client, year):
    response = _signed_in(client, year["maker"]).get("/payments/balances/", {"by": "password", "year": YEAR})
    assert response.status_code == 200
    assert set(_balance_rows(response.content.decode())) == {"dibao", "edge", "temporary"}


def test_balances_of_another_county_are_not_shown(client, year):
    html = (
        _signed_in(client, user(Role.COUNTY_BUREAU, "371321"))
        .get("/payments/balances/", {"by": "household", "year": YEAR})
        .content.decode()
    )
    assert _balance_rows(html) == {"": [Decimal("0.00")] * 4 + [Decimal("650.00"), Decimal("0.00")]}


# --- the reserve funds ---------------------------------------------------------------------------


def _balance_of(township: str) -> Decimal:
    return sum(
        ReserveMovement.objects.filter(township_id=township).values_list("amount", flat=True), Decimal("0.00")
    )


def test_the_reserve_funds_list_each_township_of_the_area(client, year):
    html = _signed_in(client, year["maker"]).get("/payments/reserves/").content.decode()
    rows = amounts(html, "reserves", key="township")
    # balance, topped up, drawn, returned
    assert rows[LANSHAN_TOWNSHIP] == [Decimal("-900.00"), Decimal("0.00"), Decimal("900.00"), Decimal("0.00")]
    assert all(code.startswith("371302") for code in rows) and len(rows) > 5  # every township of 兰山区
    assert YINAN_TOWNSHIP not in rows
    township_office = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    html = _signed_in(client, township_office).get("/payments/reserves/").content.decode()
    assert list(amounts(html, "reserves", key="township")) == [LANSHAN_TOWNSHIP]
    city = _signed_in(client, user(Role.CITY_BUREAU, "3713")).get("/payments/reserves/").content.decode()
    assert amounts(city, "reserves", key="township")[YINAN_TOWNSHIP][0] == Decimal("-650.00")


def test_the_county_tops_up_takes_back_and_counts_a_reserve(client, year):
    client = _signed_in(client, year["maker"])
    base = f"/payments/reserves/{LANSHAN_TOWNSHIP}/"
    response = client.post(base + "movements/", {"kind": "top_up", "amount": "5,000.00元", "note": "十二月"})
    assert response.status_code == 302 and response["Location"] == base
    assert _balance_of(LANSHAN_TOWNSHIP) == Decimal("4100.00")
    assert client.post(base + "movements/", {"kind": "returned", "amount": "100"}).status_code == 302
    assert client.post(base + "counts/", {"counted": "4000"}).status_code == 302  # it agrees: no note needed
    assert client.post(base + "counts/", {"counted": "3990", "note": "少10元，待查"}).status_code == 302
    assert list(
        ReserveMovement.objects.filter(township_id=LANSHAN_TOWNSHIP, actor__isnull=False)
        .order_by("pk")
        .values_list("kind", "amount", "counted")
    ) == [
        ("top_up", Decimal("5000.00"), None),
        ("returned", Decimal("-100.00"), None),
        ("counted", Decimal("0.00"), Decimal("4000.00")),
        ("counted", Decimal("-10.00"), Decimal("3990.00")),
    ]
    html = client.get(base).content.decode()
    assert re.search(r'id="reserve-balance" data-amount="3990.00"', html)
    assert len(re.findall(r'<tr data-kind="', html)) == 6
    # The finance officer tops up too.
    _signed_in(client, year["checker"]).post(base + "movements/", {"kind": "top_up", "amount": "10"})
    assert _balance_of(LANSHAN_TOWNSHIP) == Decimal("4000.00")


@pytest.mark.parametrize(
    "path,data",
    [
        ("movements/", {"kind": "top_up", "amount": "-50"}),
        ("movements/", {"kind": "top_up", "amount": "0"}),
        ("movements/", {"kind": "top_up", "amount": "0.001"}),
        ("movements/", {"kind": "top_up", "amount": TWENTY_DIGITS}),
        ("movements/", {"kind": "top_up", "amount": "五百"}),
        ("movements/", {"kind": "top_up", "amount": "50", "note": "备注\x00"}),
        ("movements/", {"kind": "top_up", "amount": "50", "note": "备注\x07"}),
        ("movements/", {"kind": "top_up", "amount": "50", "note": "长" * 201}),
        ("movements/", {"kind": "counted", "amount": "50"}),
        ("movements/", {"kind": "drawn", "amount": "50"}),
        ("movements/", {"kind": "returned", "amount": "1000000"}),  # more than the reserve holds
        ("movements/", {}),
        ("counts/", {"counted": "-1"}),
        ("counts/", {"counted": "123"}),  # differs from the balance: a note is needed
        ("counts/", {"counted": ""}),
        ("counts/", {"counted": "100", "note": "\x00"}),
    ],
)
def test_a_reserve_movement_that_cannot_be_is_refused_on_its_form_and_changes_nothing(
    client, year, path, data
):
    client = _signed_in(client, year["maker"])
    client.post(f"/payments/reserves/{LANSHAN_TOWNSHIP}/movements/", {"kind": "top_up", "amount": "500"})
    before = list(ReserveMovement.objects.values_list("pk", flat=True))
    response = client.post(f"/payments/reserves/{LANSHAN_TOWNSHIP}/{path}", data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert list(ReserveMovement.objects.values_list("pk", flat=True)) == before


def test_the_township_counts_its_reserve_but_does_not_top_it_up(client, year):
    township_office = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    client = _signed_in(client, township_office)
    base = f"/payments/reserves/{LANSHAN_TOWNSHIP}/"
    html = client.get(base).content.decode()
    assert 'id="reserve-count"' in html and 'id="reserve-move"' not in html
    assert client.post(base + "movements/", {"kind": "top_up", "amount": "500"}).status_code == 403
    assert (
        client.post(base + "counts/", {"counted": "0", "note": "现金已用完，待县局拨付"}).status_code == 302
    )
    assert ReserveMovement.objects.filter(township_id=LANSHAN_TOWNSHIP, kind="top_up").count() == 0
    assert ReserveMovement.objects.filter(
        township_id=LANSHAN_TOWNSHIP, kind="counted"
    ).get().amount == Decimal("900.00")
    # Another township of the same county is not its own.
    other = "371302002"
    assert client.get(f"/payments/reserves/{other}/").status_code == 404
    assert (
        client.post(f"/payments/reserves/{other}/counts/", {"counted": "0", "note": "x"}).status_code == 404
    )


def test_the_city_and_the_auditor_read_the_reserves_and_change_nothing(client, year):
    base = f"/payments/reserves/{LANSHAN_TOWNSHIP}/"
    before = ReserveMovement.objects.count()
    for account in (user(Role.CITY_BUREAU, "3713"), user(Role.AUDITOR, "371302")):
        client = _signed_in(client, account)
        html = client.get(base).content.decode()
        assert 'id="reserve-balance"' in html and '<form method="post" action="/payments/res' not in html
        assert client.post(base + "movements/", {"kind": "top_up", "amount": "500"}).status_code == 403
        assert client.post(base + "counts/", {"counted": "0", "note": "x"}).status_code == 403
    assert ReserveMovement.objects.count() == before


@pytest.mark.parametrize(
    "code", [YINAN_TOWNSHIP, "371302", "371302001201", "abc", "37130200１", TWENTY_DIGITS, "999999999"]
)
def test_a_township_outside_the_area_or_no_township_is_not_found(client, year, code):
    client = _signed_in(client, year["maker"])
    before = ReserveMovement.objects.count()
    assert client.get(f"/payments/reserves/{code}/").status_code == 404
    assert (
        client.post(f"/payments/reserves/{code}/movements/", {"kind": "top_up", "amount": "5"}).status_code
        == 404
    )
    assert client.post(f"/payments/reserves/{code}/counts/", {"counted": "0", "note": "x"}).status_code == 404
    assert ReserveMovement.objects.count() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_returning_the_same_money_at_once_return_it_once():
    """The second clerk's return waits for the first's and reads the balance it left: the reserve is
    never taken below zero (without the lock both read 1000 and both return 600)."""
    import threading

    from django.db import connection, transaction

    from safetynet.payments import services

    clerks = [user(Role.COUNTY_BUREAU, "371302", f"clerk-{n}") for n in range(2)]
    services.reserve_record(actor=clerks[0], township=LANSHAN_TOWNSHIP, kind="top_up", amount="1000")
    recorded, release = threading.Event(), threading.Event()
    outcomes = []

    def first():
        try:
            with transaction.atomic():
                services.reserve_record(
                    actor=clerks[0], township=LANSHAN_TOWNSHIP, kind="returned", amount="600"
                )
                recorded.set()
                release.wait(10)
            outcomes.append("first returned")
        finally:
            recorded.set()
            connection.close()

    def second():
        try:
            services.reserve_record(actor=clerks[1], township=LANSHAN_TOWNSHIP, kind="returned", amount="600")
            outcomes.append("second returned")
        except Exception as error:  # noqa: BLE001 - what it was told is asserted below
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    recorded.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(1)  # it waits for the first clerk's transaction
    release.set()
    one.join(10)
    two.join(10)
    assert "first returned" in outcomes and len(outcomes) == 2, outcomes
    told = next(outcome for outcome in outcomes if outcome != "first returned")
    # PostgreSQL queues the second behind the row lock and tells it what is left; the tests' shared
    # in-memory SQLite answers "locked" at once. Either way it returns nothing.
    assert told in (
        ("ValidationError",) if connection.vendor == "postgresql" else ("ValidationError", "OperationalError")
    )
    assert _balance_of(LANSHAN_TOWNSHIP) == Decimal("400.00")


def test_the_total_is_also_said_as_the_briefings_say_it():
    from safetynet.payments.funds.views import in_large_units

    assert "13.00" in in_large_units(Decimal("1300000000.00"))
    assert "5.60" in in_large_units(Decimal("56000.00"))
    assert in_large_units(Decimal("2200.00")) == ""


def test_the_menu_leads_to_the_funds_for_those_who_read_them(client, county):
    def menu(account) -> str:
        client.force_login(account)
        html = client.get("/").content.decode()
        return re.search(r'<nav class="main-menu".*?</nav>', html, re.S).group(0)

    county_menu = menu(county["maker"])
    assert all(
        path in county_menu for path in ("/payments/funds/", "/payments/ledger/", "/payments/reserves/")
    )
    township_menu = menu(county["township"])
    assert "/payments/reserves/" in township_menu and "/payments/funds/" not in township_menu
    grid_menu = menu(user(Role.GRID_WORKER, LANSHAN_TOWNSHIP + "201"))
    assert "/payments/" not in grid_menu
