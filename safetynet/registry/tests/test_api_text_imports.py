"""Control characters in what an import stores: registry.bulk (the import's way in) refuses them as
the services do for the pages and the API — the household comes back with the reason, never
stored, and never the import failing on PostgreSQL's refusal of NUL."""

import datetime

import pytest

from conftest import person_data
from safetynet.registry import bulk
from safetynet.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def _record(key: str, village, *, name: str, address: str = "幸福路1号", born=datetime.date(1950, 3, 1)):
    head = person_data(village, name=name, born=born) | {"relation": "02"}
    return bulk.HouseholdRecord(
        key=key, household={"village": village.code, "address": address, "urban_rural": "rural"},
        members=[head])


@pytest.mark.parametrize(("name", "address", "field"), [
    ("钱\x00一", "幸福路1号", "members[0].name"),
    ("钱\x01一", "幸福路1号", "members[0].name"),
    ("钱一", "幸福路\x001号", "household.address"),
])
def test_a_record_with_a_control_character_is_handed_back_and_the_others_stored(
    county_user, lanshan_village, name, address, field
):
    result = bulk.household_bulk_create(actor=county_user, records=[
        _record("1", lanshan_village, name=name, address=address),
        _record("2", lanshan_village, name="孙二", born=datetime.date(1952, 2, 2)),
    ])
    assert len(result.created) == 1
    [(key, errors)] = result.rejected
    assert key == "1"
    assert any("控制字符" in message for message in errors.get(field, [])), errors
    assert list(Person.objects.values_list("name", flat=True)) == ["孙二"]
    assert Household.objects.count() == 1
