"""The privacy policy serves any app's identifiers: an app declares its table (here a payee's bank
account, as payments will) and every surface masks, reveals and logs them by the one decision."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from conftest import user, village
from safetynet.core import privacy
from safetynet.core.masking import mask_account, mask_date
from safetynet.core.models import ChangeRecord, Role, UnmaskLog

pytestmark = pytest.mark.django_db

LANSHAN_VILLAGE, YINAN_VILLAGE = "371302001201", "371321101201"
ACCOUNT = "6228480012345678901"


@pytest.fixture(autouse=True)
def villages(db):
    return village(LANSHAN_VILLAGE), village(YINAN_VILLAGE)


@pytest.fixture(autouse=True)
def payee_table(monkeypatch):
    table = privacy.Identifiers(entity="payee", masks={"account": mask_account}, area=lambda r: r.village,
                                revealing={"opened_on": mask_date})
    monkeypatch.setitem(privacy._TABLES, "payee", table)
    return table


def payee(village=LANSHAN_VILLAGE, pk=7):
    return SimpleNamespace(_meta=SimpleNamespace(model_name="payee"), pk=pk, village=village,
                           account=ACCOUNT, opened_on="2020-05-01")


def logged(actor) -> list[tuple]:
    return list(UnmaskLog.objects.filter(actor=actor).values_list("subject_type", "subject_id", "fields",
                                                                   "channel"))


@pytest.mark.parametrize(("role", "division", "may"), [
    (Role.CITY_BUREAU, "3713", True),
    (Role.COUNTY_BUREAU, "371302", True),
    (Role.TOWNSHIP_OFFICE, "371302001", True),
    (Role.COUNTY_BUREAU, "371321", False),  # another county's payee
    (Role.VILLAGE_COORDINATOR, LANSHAN_VILLAGE, False),
    (Role.GRID_WORKER, LANSHAN_VILLAGE, False),
    (Role.INSPECTOR, "3713", False),
])
def test_one_decision_for_who_sees_a_declared_identifier_whole(role, division, may):
    actor = user(role, division)
    shown = privacy.Disclosure(actor, channel="api", whole=True).show(payee())
    assert shown["account"] == (ACCOUNT if may else "*" * 15 + "8901")
    assert shown["opened_on"] == ("2020-05-01" if may else "****-**-**")
    assert logged(actor) == ([("payee", 7, "account", "api")] if may else [])
    if not may:
        with pytest.raises(PermissionDenied):
            privacy.reveal(actor=actor, record=payee(), channel="page")


def test_masked_until_asked_then_logged_once_per_record_and_response():
    county = user(Role.COUNTY_BUREAU, "371302")
    masked = privacy.Disclosure(county, channel="page").show(payee())
    assert (masked["account"], masked["unmasked"], masked["may_reveal"]) == ("*" * 15 + "8901", False, True)
    assert logged(county) == []
    export = privacy.Disclosure(county, channel="export", whole=True, batched=True)
    for _row in range(3):
        assert export.show(payee())["account"] == ACCOUNT
    export.show(payee(YINAN_VILLAGE, pk=8))  # outside the county: masked, not logged
    assert logged(county) == []  # kept until the export flushes
    export.flush()
    assert logged(county) == [("payee", 7, "account", "export")]


def test_history_masks_a_declared_identifier_unless_revealed_where_the_actor_may():
    county = user(Role.COUNTY_BUREAU, "371302")
    record = ChangeRecord(entity_type="payee", entity_id=7, action=ChangeRecord.Action.UPDATE,
                          before={"account": "6228480000000000001"}, after={"account": ACCOUNT})
    other = ChangeRecord(entity_type="household", entity_id=1, action=ChangeRecord.Action.UPDATE,
                         before={}, after={"account": ACCOUNT})  # an identifier's name elsewhere
    page = privacy.Disclosure(county, channel="page")
    assert page.change(record, area_code=LANSHAN_VILLAGE)[1] == {"account": "*" * 15 + "8901"}
    assert page.withheld and logged(county) == []
    whole = privacy.Disclosure(county, channel="page", whole=True)
    assert whole.change(record, area_code=LANSHAN_VILLAGE) == ({"account": "6228480000000000001"},
                                                                {"account": ACCOUNT})
    assert whole.change(record, area_code=None)[1] == {"account": "*" * 15 + "8901"}  # moved away
    assert whole.change(other, area_code=LANSHAN_VILLAGE)[1] == {"account": "*" * 15 + "8901"}
    assert logged(county) == [("payee", 7, "account", "page")]
