import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from safetynet.core.ids import check_id_number, make_id_number

pytestmark = pytest.mark.django_db


def test_spec_examples_are_valid_and_describe_their_holder():
    man = check_id_number("371302195001010013")
    assert (man.birth_date, man.sex, man.warnings) == (datetime.date(1950, 1, 1), 1, [])
    woman = check_id_number("371321198206150020")
    assert (woman.birth_date, woman.sex) == (datetime.date(1982, 6, 15), 2)


def test_full_width_digits_spaces_and_lowercase_x_are_accepted():
    number = make_id_number("371302", datetime.date(1960, 3, 3), 5)
    if not number.endswith("X"):
        number = next(
            n
            for o in range(1, 999)
            if (n := make_id_number("371302", datetime.date(1960, 3, 3), o)).endswith("X")
        )
    typed = " " + number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + " x "
    assert check_id_number(typed).number == number


def test_wrong_check_digit_is_an_error():
    with pytest.raises(ValidationError) as error:
        check_id_number("371302195001010014")
    assert error.value.code == "id_check_digit"


def test_impossible_birth_date_is_an_error():
    with pytest.raises(ValidationError) as error:
        check_id_number("37130219500230" + "0013")
    assert error.value.code == "id_birth_date"


def test_birth_date_and_sex_entered_must_agree_with_the_number():
    with pytest.raises(ValidationError) as error:
        check_id_number("371302195001010013", birth_date=datetime.date(1950, 1, 2))
    assert error.value.code == "id_birth_mismatch"
    with pytest.raises(ValidationError) as error:
        check_id_number("371302195001010013", sex=2)
    assert error.value.code == "id_sex_mismatch"


def test_old_15_digit_number_is_converted_with_a_note():
    checked = check_id_number("371302500101001")
    assert checked.number == "371302195001010013"
    # The note says what happened without repeating the number: notes are shown to masked roles.
    assert checked.notes and "371302500101001" not in checked.notes[0]


def test_abolished_linyi_prefecture_code_is_known():
    # 临沂地区 郯城县 was 372822 until 1994: people born then still carry it.
    assert check_id_number(make_id_number("372822", datetime.date(1960, 5, 1), 11)).warnings == []


def test_high_tech_zone_statistical_code_is_known():
    assert check_id_number(make_id_number("371371", datetime.date(2000, 5, 1), 12)).warnings == []


def test_unknown_address_code_is_a_warning_not_an_error():
    checked = check_id_number(make_id_number("379999", datetime.date(1970, 1, 1), 21))
    assert checked.warnings and "379999" in checked.warnings[0]


@settings(max_examples=60, deadline=None)
@given(
    born=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2024, 12, 31)),
    order=st.integers(min_value=0, max_value=999),
)
def test_any_made_number_checks_and_derives_its_birth_date_and_sex(born, order):
    checked = check_id_number(make_id_number("371302", born, order))
    assert checked.birth_date == born
    assert checked.sex == (1 if order % 2 else 2)


@pytest.mark.parametrize("address_code", ["990101", "999999", "001234", "380101", "700000", "910000"])
def test_first_two_digits_that_are_no_province_or_region_are_an_error(address_code):
    number = make_id_number(address_code, datetime.date(1970, 1, 1), 21)  # check digit right
    with pytest.raises(ValidationError) as error:
        check_id_number(number)
    assert error.value.code == "id_province"
    assert address_code[:2] in str(error.value.message % error.value.params)


def test_an_old_15_digit_number_with_no_province_is_an_error_too():
    with pytest.raises(ValidationError) as error:
        check_id_number("990101700101211")
    assert error.value.code == "id_province"


@pytest.mark.parametrize("address_code", ["810000", "820000", "830000", "710000"])
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_accepted(address_code):
    checked = check_id_number(make_id_number(address_code, datetime.date(1985, 7, 1), 33))
    assert checked.number.startswith(address_code)
    assert checked.warnings == []


def test_an_unknown_code_under_a_region_is_a_warning():
    checked = check_id_number(make_id_number("710101", datetime.date(1985, 7, 1), 33))
    assert checked.warnings and "710101" in checked.warnings[0]


def test_every_shipped_province_is_a_valid_start():
    from safetynet.core.divisions import province_codes

    assert len(province_codes()) == 31
    for province in province_codes():
        assert check_id_number(make_id_number(province + "0101", datetime.date(1970, 1, 1), 21)).number
