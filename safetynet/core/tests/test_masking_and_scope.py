import pytest

from conftest import user
from safetynet.core.masking import mask_id_number, mask_phone
from safetynet.core.models import Role
from safetynet.core.scope import in_scope, may_unmask


def test_id_number_masked_like_the_spec():
    assert mask_id_number("371302195001010013") == "3713**********0013"


def test_phone_masked_keeping_operator_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.django_db
def test_scope_is_the_division_subtree():
    county = user(Role.COUNTY_BUREAU, "371302")
    assert in_scope(county, "371302001201")
    assert not in_scope(county, "371321101201")
    # A code that merely starts with the same digits at another level is no part of it.
    assert not in_scope(user(Role.TOWNSHIP_OFFICE, "371302001"), "371302002201")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "division", "allowed"),
    [
        (Role.CITY_BUREAU, "3713", True),
        (Role.COUNTY_BUREAU, "371302", True),
        (Role.TOWNSHIP_OFFICE, "371302001", True),
        (Role.VILLAGE_COORDINATOR, "371302001", False),
        (Role.GRID_WORKER, "371302001", False),
    ],
)
def test_only_county_and_above_and_own_township_see_whole_numbers(role, division, allowed):
    assert may_unmask(user(role, division), "371302001201") is allowed
    assert may_unmask(user(role, division), "371321101201") is (role == Role.CITY_BUREAU)
