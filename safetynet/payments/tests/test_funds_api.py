"""/api/v1/payments: the funds statistics (the same figures as the page, the ledger's sum), the
ledger paged like every list, balances, and the townships' reserve funds with the movements
recorded through it — in the token owner's area, bad input refused with nothing changed."""

from decimal import Decimal

import pytest

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user
from safetynet.core.models import Role
from safetynet.payments.models import ReserveMovement
from safetynet.payments.tests.funds_data import build_year, paid_in_year
from safetynet.registry.tests.test_api_scope import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1/payments"
TWENTY_DIGITS = "9" * 20


@pytest.fixture
def year(county, make_household, lanshan_village, yinan_village):
    return {**county, **build_year(county, make_household, lanshan_village, yinan_village)}


def test_the_funds_total_is_the_ledgers_sum_and_the_pages(client, year):
    api = token_client(year["maker"])
    body = api.get(f"{API}/funds", {"year": 2026}).json()
    assert body["year"] == 2026
    assert body["total"] == paid_in_year(2026, "371302") == "2200.00"
    assert {row["programme"]: row["amount"] for row in body["by_programme"]} == {
        "dibao": "1000.00",
        "edge": "400.00",
        "temporary": "800.00",
    }
    assert body["by_county"] == [{"county": "371302", "name": "兰山区", "amount": "2200.00"}]
    assert len(body["by_month"]) == 12 and body["by_month"][9] == {"month": "2026-10", "amount": "900.00"}
    assert sum(Decimal(row["amount"]) for row in body["by_county_programme"]) == Decimal("2200.00")
    assert {row["fund"]: row["amount"] for row in body["by_fund"]} == {
        "central": "1000.00",
        "county": "1200.00",
    }
    assert body["note"]
    # The page says the same.
    client.force_login(year["maker"])
    assert (
        'id="total" data-amount="2200.00"' in client.get("/payments/funds/", {"year": 2026}).content.decode()
    )
    # The city has both counties; another county only its own.
    assert (
        token_client(user(Role.CITY_BUREAU, "3713")).get(f"{API}/funds", {"year": 2026}).json()["total"]
        == paid_in_year(2026)
        == "2850.00"
    )
    yinan = token_client(user(Role.COUNTY_BUREAU, "371321")).get(f"{API}/funds", {"year": 2026}).json()
    assert yinan["total"] == "650.00" and [row["county"] for row in yinan["by_county"]] == ["371321"]


@pytest.mark.parametrize("bad", ["abc", TWENTY_DIGITS, "1999", "2101", "-1", "1e400", "2026\x00"])
def test_a_year_that_is_no_year_is_refused(year, bad):
    api = token_client(year["maker"])
    for path in ("funds", "balances"):
        response = api.get(f"{API}/{path}", {"year": bad})
        assert response.status_code == 422, (path, bad)
        assert response.json()["detail"][0]["field"] == "year"


@pytest.mark.parametrize(
    "role", [Role.SERVICE_PROVIDER, Role.CAREGIVER, Role.GRID_WORKER, Role.TOWNSHIP_OFFICE]
)
def test_roles_that_keep_no_money_are_refused(year, role):
    division = {Role.GRID_WORKER: LANSHAN_TOWNSHIP + "201", Role.TOWNSHIP_OFFICE: LANSHAN_TOWNSHIP}.get(
        role, "371302"
    )
    api = token_client(user(role, division))
    for path in ("funds", "ledger", "balances"):
        assert api.get(f"{API}/{path}").status_code == 403, (path, role)
    expected = 200 if role == Role.TOWNSHIP_OFFICE else 403
    assert api.get(f"{API}/reserves").status_code == expected
    assert api.get(f"{API}/reserves/{LANSHAN_TOWNSHIP}/movements").status_code == expected
    response = api.post(
        f"{API}/reserves/{LANSHAN_TOWNSHIP}/movements",
        {"kind": "top_up", "amount": "5"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert ReserveMovement.objects.filter(kind="top_up").count() == 0


def test_the_ledger_is_paged_and_filtered(year):
    api = token_client(year["maker"])
    first = api.get(f"{API}/ledger", {"page_size": 10}).json()
    assert (first["count"], first["page"], len(first["items"])) == (22, 1, 10)
    third = api.get(f"{API}/ledger", {"page_size": 10, "page": 3}).json()
    assert len(third["items"]) == 2
    ids = {
        item["id"]
        for page in (1, 2, 3)
        for item in api.get(f"{API}/ledger", {"page_size": 10, "page": page}).json()["items"]
    }
    assert len(ids) == 22
    paid = api.get(f"{API}/ledger", {"kind": "paid"}).json()
    assert paid["count"] == 5 and {item["kind"] for item in paid["items"]} == {"paid"}
    assert sum(Decimal(item["amount"]) for item in paid["items"]) == Decimal("1400.00")
    failed = api.get(f"{API}/ledger", {"month": "2026-09", "kind": "failed"}).json()["items"]
    assert [(item["amount"], item["household_id"]) for item in failed] == [
        ("400.00", year["households"][1].pk)
    ]
    assert api.get(f"{API}/ledger", {"run_id": year["october"].pk}).json()["count"] == 10
    assert api.get(f"{API}/ledger", {"household_id": year["edge"].pk}).json()["count"] == 6
    assert (
        token_client(user(Role.COUNTY_BUREAU, "371321"))
        .get(f"{API}/ledger", {"run_id": year["october"].pk})
        .json()["count"]
        == 0
    )


@pytest.mark.parametrize(
    "query",
    [
        {"page": TWENTY_DIGITS},
        {"page": "0"},
        {"page_size": "201"},
        {"household_id": TWENTY_DIGITS},
        {"run_id": "-1"},
        {"kind": "stolen"},
        {"month": "2026-13"},
        {"month": "2026-1"},
        {"month": "1999-12"},
        {"month": "2026-09\x00"},
    ],
)
def test_ledger_queries_that_cannot_be_read_are_refused(year, query):
    response = token_client(year["maker"]).get(f"{API}/ledger", query)
    assert response.status_code == 422


def test_balances(year):
    api = token_client(year["maker"])
    body = api.get(f"{API}/balances", {"by": "programme", "year": 2026}).json()
    dibao = next(item for item in body["items"] if item["key"] == "dibao")
    assert (dibao["entitled"], dibao["paid"], dibao["failed"], dibao["owed"]) == (
        "2400.00",
        "1000.00",
        "400.00",
        "1400.00",
    )
    assert body["total"]["paid"] == "1400.00" and body["total"]["aid_paid"] == "800.00"
    by_household = api.get(f"{API}/balances", {"by": "household", "year": 2026, "page_size": 2}).json()
    assert by_household["count"] == 5 and len(by_household["items"]) == 2  # four households and no household
    by_month = api.get(f"{API}/balances", {"by": "month", "year": 2026}).json()
    assert [item["key"] for item in by_month["items"]] == ["2026-09", "2026-10", "2026-12"]
    assert api.get(f"{API}/balances", {"by": "person"}).status_code == 422


def test_reserves_and_their_movements(year):
    api = token_client(year["maker"])
    rows = {row["township"]: row for row in api.get(f"{API}/reserves").json()}
    assert (rows[LANSHAN_TOWNSHIP]["balance"], rows[LANSHAN_TOWNSHIP]["drawn"]) == ("-900.00", "900.00")
    assert YINAN_TOWNSHIP not in rows
    created = api.post(
        f"{API}/reserves/{LANSHAN_TOWNSHIP}/movements",
        {"kind": "top_up", "amount": "5000", "note": "十二月拨付"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert (created.json()["kind"], created.json()["amount"]) == ("top_up", "5000.00")
    counted = api.post(
        f"{API}/reserves/{LANSHAN_TOWNSHIP}/movements",
        {"kind": "counted", "counted": "4100.00"},
        content_type="application/json",
    )
    assert counted.status_code == 201 and counted.json()["amount"] == "0.00"
    movements = api.get(f"{API}/reserves/{LANSHAN_TOWNSHIP}/movements").json()
    assert movements["balance"] == "4100.00" and movements["count"] == 4
    assert [item["kind"] for item in movements["items"]][:2] == ["counted", "top_up"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "top_up", "amount": "-50"},
        {"kind": "top_up", "amount": "0"},
        {"kind": "top_up"},
        {"kind": "top_up", "amount": TWENTY_DIGITS},
        {"kind": "top_up", "amount": "五十"},
        {"kind": "top_up", "amount": "50", "note": "备注\x00"},
        {"kind": "top_up", "amount": "50", "secret": "x"},
        {"kind": "drawn", "amount": "50"},
        {"kind": "returned", "amount": "50"},  # the reserve is in the red: nothing to take back
        {"kind": "counted", "counted": "-1"},
        {"kind": "counted", "counted": "5"},  # differs from the balance, and no note says why
    ],
)
def test_a_movement_that_cannot_be_is_refused_and_changes_nothing(year, body):
    before = ReserveMovement.objects.count()
    response = token_client(year["maker"]).post(
        f"{API}/reserves/{LANSHAN_TOWNSHIP}/movements", body, content_type="application/json"
    )
    assert response.status_code == 422, response.json()
    assert ReserveMovement.objects.count() == before


@pytest.mark.parametrize(
    "role,division,code",
    [
        (Role.COUNTY_BUREAU, "371302", YINAN_TOWNSHIP),
        (Role.COUNTY_BUREAU, "371321", LANSHAN_TOWNSHIP),
        (Role.FINANCE_OFFICER, "371321", LANSHAN_TOWNSHIP),
        (Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, "371302002"),  # another township of its county
    ],
)
def test_a_township_outside_the_area_is_not_found(year, role, division, code):
    api = token_client(user(role, division))
    before = ReserveMovement.objects.count()
    assert api.get(f"{API}/reserves/{code}/movements").status_code == 404
    for body in ({"kind": "counted", "counted": "0", "note": "x"}, {"kind": "top_up", "amount": "5"}):
        response = api.post(f"{API}/reserves/{code}/movements", body, content_type="application/json")
        assert response.status_code == 404
    assert ReserveMovement.objects.count() == before


@pytest.mark.parametrize("code", ["371302", "37130200x", TWENTY_DIGITS])
def test_a_township_code_that_is_none_is_refused(year, code):
    api = token_client(year["maker"])
    assert api.get(f"{API}/reserves/{code}/movements").status_code in (404, 422)
    assert api.post(
        f"{API}/reserves/{code}/movements", {"kind": "top_up", "amount": "5"}, content_type="application/json"
    ).status_code in (404, 422)
    assert ReserveMovement.objects.filter(kind="top_up").count() == 0
