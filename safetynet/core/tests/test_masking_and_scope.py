import pytest

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.masking import mask_certificate, mask_id_number, mask_long_numbers, mask_phone
from safetynet.core.models import Division, Role
from safetynet.core.privacy import may_unmask
from safetynet.core.scope import in_scope, scope_q

OWN_VILLAGE = LANSHAN_TOWNSHIP + "201"  # a village of 兰山区 兰山街道 (the fixture lanshan_village)
NEXT_VILLAGE = "371302001202"  # the same township's next village
NEXT_TOWNSHIPS_VILLAGE = "371302002201"
OTHER_COUNTY_VILLAGE = "371321101201"


def test_id_number_masked_like_the_spec():
    assert mask_id_number("371302195001010013") == "3713**********0013"


def test_phone_masked_keeping_operator_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_disability_certificate_masked_like_the_id_number_it_holds():
    assert mask_certificate("37130219500101001342") == "3713**********001342"
    assert mask_certificate("") == ""


def test_long_numbers_in_free_text_are_masked_short_ones_kept():
    note = "由15位号码371302500101001升位，18位37130219500101001X，电话8123456"
    assert mask_long_numbers(note) == "由15位号码3713*******1001升位，18位3713**********001X，电话8123456"


def test_scope_is_the_division_subtree(lanshan_village):
    county = user(Role.COUNTY_BUREAU, "371302")
    assert in_scope(county, OWN_VILLAGE) and in_scope(county, "371302001")
    assert not in_scope(county, OTHER_COUNTY_VILLAGE)
    # The codes above share the first digits and are no part of the area.
    assert not in_scope(county, "3713")
    township = user(Role.TOWNSHIP_OFFICE, "371302001")
    assert in_scope(township, OWN_VILLAGE)  # its village: the township's nine digits and three more
    assert not in_scope(township, NEXT_TOWNSHIPS_VILLAGE)
    assert not in_scope(township, "371302")
    grid = user(Role.GRID_WORKER, OWN_VILLAGE)
    assert in_scope(grid, OWN_VILLAGE)
    assert not in_scope(grid, "371302001")  # its own township is above it
    assert not in_scope(grid, NEXT_VILLAGE)


@pytest.mark.django_db
def test_lists_and_object_checks_draw_the_same_line():
    """scope_q (lists, in the database) and in_scope (object checks) agree on every level."""
    for code in (OWN_VILLAGE, NEXT_VILLAGE, NEXT_TOWNSHIPS_VILLAGE, OTHER_COUNTY_VILLAGE):
        village(code)
    codes = ["3713", "371302", "371302001", "371302002", "371321", "371321101", OWN_VILLAGE, NEXT_VILLAGE,
             NEXT_TOWNSHIPS_VILLAGE, OTHER_COUNTY_VILLAGE]
    assert Division.objects.filter(code__in=codes).count() == len(codes)
    for role, bound in [(Role.CITY_BUREAU, "3713"), (Role.COUNTY_BUREAU, "371302"),
                        (Role.TOWNSHIP_OFFICE, "371302001"), (Role.GRID_WORKER, OWN_VILLAGE)]:
        actor = user(role, bound)
        listed = set(Division.objects.filter(code__in=codes).filter(scope_q(actor, "code"))
                     .values_list("code", flat=True))
        assert listed == {code for code in codes if in_scope(actor, code)}, bound


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "division", "allowed"),
    [
        (Role.CITY_BUREAU, "3713", True),
        (Role.COUNTY_BUREAU, "371302", True),
        (Role.TOWNSHIP_OFFICE, "371302001", True),
        (Role.TOWNSHIP_OFFICE, "371302002", False),  # the next township of the same county
        (Role.VILLAGE_COORDINATOR, OWN_VILLAGE, False),
        (Role.GRID_WORKER, OWN_VILLAGE, False),
    ],
)
def test_only_county_and_above_and_own_township_see_whole_numbers(role, division, allowed, lanshan_village):
    assert may_unmask(user(role, division), OWN_VILLAGE) is allowed
    assert may_unmask(user(role, division), OTHER_COUNTY_VILLAGE) is (role == Role.CITY_BUREAU)
