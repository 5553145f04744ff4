"""The operator's system page is the operator's alone; the auditor's reports show who was shown
whose numbers, who looked up whole numbers day by day, and staff shown the numbers of what may be
their own family — for the staff of the auditor's area only."""

import datetime

import pytest
from django.db import connection

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.models import IdentifierLookup, Role, UnmaskLog, User
from safetynet.core.services import change_record, unmask_log
from safetynet.registry.audit_reports import relatives_lookups

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role, division", [(Role.CITY_BUREAU, "3713"), (Role.COUNTY_BUREAU, "371302"),
                                            (Role.AUDITOR, "3713"), (Role.FINANCE_OFFICER, "3713"),
                                            (Role.GRID_WORKER, None)])
def test_only_the_operator_reaches_the_system_page(client, role, division, lanshan_village):
    client.force_login(user(role, division or lanshan_village.code))
    assert client.get("/system/").status_code == 403


def test_the_system_page_shows_counts_version_database_and_account_changes(client):
    operator = user(Role.OPERATOR, "3713", username="op")
    county = user(Role.COUNTY_BUREAU, "371302", username="lanshan-x")
    change_record(actor=operator, subject=county, entity=county, action="update", before={"is_active": True},
                  after={"is_active": False})
    client.force_login(operator)
    page = client.get("/system/")
    assert page.status_code == 200
    assert page.context["users"] == User.objects.count() == 2
    assert page.context["sessions"] >= 1
    engine = page.context["database"].split()[0]
    assert {"SQLite": "sqlite", "PostgreSQL": "postgresql"}[engine] == connection.vendor
    assert "lanshan-x" in page.text and "0.1" in page.context["version"]


def test_only_the_auditor_reaches_the_audit_page(client, lanshan_village):
    others = [(Role.CITY_BUREAU, "3713"), (Role.OPERATOR, "3713"), (Role.COUNTY_BUREAU, "371302")]
    for role, division in others:
        client.force_login(user(role, division))
        assert client.get("/audit/").status_code == 403


def test_the_auditor_sees_who_was_shown_whose_numbers_in_its_area(client, make_household, lanshan_village,
                                                                   yinan_village):
    lanshan = user(Role.COUNTY_BUREAU, "371302", username="lanshan-clerk")
    yinan = user(Role.COUNTY_BUREAU, "371321", username="yinan-clerk")
    household = make_household(lanshan_village, lanshan)
    for _time in range(4):
        unmask_log(actor=lanshan, subject=household.head, fields="id_number", channel="page")
    theirs = make_household(yinan_village, yinan)
    unmask_log(actor=yinan, subject=theirs.head, fields="id_number", channel="page")
    client.force_login(user(Role.AUDITOR, "371302"))
    page = client.get("/audit/")
    assert [row["actor__username"] for row in page.context["by_actor"]] == ["lanshan-clerk"]
    assert page.context["by_actor"][0]["showings"] == 4
    assert page.context["repeated"][0]["showings"] == 4
    assert "yinan-clerk" not in page.text


def test_the_auditor_sees_days_of_many_lookups_and_refusals(client, lanshan_village):
    grid = user(Role.GRID_WORKER, lanshan_village.code, username="busy-grid")
    calm = user(Role.GRID_WORKER, lanshan_village.code, username="calm-grid")
    for _n in range(6):
        IdentifierLookup.objects.create(actor=grid, area=grid.division_id, kind="id_number", shown="3713**",
                                        channel="page", outcome=IdentifierLookup.Outcome.NOT_FOUND)
    IdentifierLookup.objects.create(actor=grid, area=grid.division_id, kind="id_number", shown="3713**",
                                    channel="page", outcome=IdentifierLookup.Outcome.REFUSED)
    IdentifierLookup.objects.create(actor=calm, area=calm.division_id, kind="phone", shown="139**",
                                    channel="page", outcome=IdentifierLookup.Outcome.FOUND)
    client.force_login(user(Role.AUDITOR, "371302"))
    rows = client.get("/audit/").context["lookups"]
    assert [(r["actor__username"], r["lookups"], r["refused"]) for r in rows] == [("busy-grid", 6, 1)]


def test_staff_shown_the_numbers_of_their_own_family_are_listed(client, make_household, lanshan_village):
    county = user(Role.COUNTY_BUREAU, "371302")
    born = datetime.date(1950, 1, 1)
    family = make_household(lanshan_village, county, members=[("欧阳大山", 1, "02", born)],
                            phone="13700000001")
    stranger = make_household(lanshan_village, county, members=[("赵路人", 1, "02", born)])
    # A grid worker of the same village and surname; a township clerk whose phone is the family's.
    grid = user(Role.GRID_WORKER, lanshan_village.code, username="grid-ouyang")
    User.objects.filter(pk=grid.pk).update(first_name="欧阳小明")
    clerk = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, username="clerk-phone")
    User.objects.filter(pk=clerk.pk).update(first_name="钱多多", phone="13700000001")
    for actor, subject in [(grid, family.head), (clerk, family), (grid, stranger.head), (clerk, stranger)]:
        UnmaskLog.objects.create(actor=actor, subject_type=subject._meta.model_name, subject_id=subject.pk,
                                 fields="id_number", channel="page")
    auditor = user(Role.AUDITOR, "371302")
    rows = relatives_lookups(actor=auditor)
    found = {(row["staff"].username, row["household"].pk): row["rules"] for row in rows}
    assert set(found) == {("grid-ouyang", family.pk), ("clerk-phone", family.pk)}
    client.force_login(auditor)
    page = client.get("/audit/").text
    assert "grid-ouyang" in page and "clerk-phone" in page and "赵路人" not in page
    # Another county's auditor sees none of it.
    assert relatives_lookups(actor=user(Role.AUDITOR, "371321")) == []
