"""core.cells: the cell readers every import shares read what clerks write, and refuse the rest
with a reason rather than guess."""

import datetime
from decimal import Decimal

import pytest

from safetynet.core.cells import Masked, read_amount, read_bool, read_date, read_id, read_phone
from safetynet.core.ids import make_id_number
from safetynet.core.sheets import CellError


@pytest.mark.parametrize("written", ["1950年1月2日", "1950/1/2", "1950-01-02", "19500102", 19500102,
                                     datetime.datetime(1950, 1, 2, 0, 0), "1950-01-02 00:00:00"])
def test_dates_as_clerks_write_them(written):
    assert read_date(written) == datetime.date(1950, 1, 2)


@pytest.mark.parametrize("written", ["1950-02-30", "二〇二二年", 1950.5, "50/1/2"])
def test_what_is_not_a_date_is_refused(written):
    with pytest.raises(CellError):
        read_date(written)


def test_amounts_with_yuan_separators_and_excels_floats():
    assert read_amount("1,234.50元") == Decimal("1234.50")
    assert read_amount(1234.5) == Decimal("1234.50")
    for bad in ("-5", "12.345", float("nan"), "1e13"):
        with pytest.raises(CellError):
            read_amount(bad)


def test_id_numbers_old_new_masked_and_wrong():
    number = make_id_number("371302", datetime.date(1950, 1, 2), 11)
    assert read_id(number.lower()) == (number, number)
    old = number[:6] + number[8:17]  # 15 digits: two-digit year, no check character
    assert read_id(old)[1] == number
    assert read_id("3713**********0013") == Masked("3713**********0013")
    with pytest.raises(CellError):
        read_id(number[:17] + ("0" if number[17] != "0" else "1"))  # check character off
    with pytest.raises(CellError):
        read_id(3.713021950e17)  # Excel kept it as a number and lost digits


def test_yes_no_and_phones():
    assert (read_bool("是"), read_bool("无"), read_bool(1)) == (True, False, True)
    assert read_phone(13912345678) == "13912345678"
    with pytest.raises(CellError):
        read_phone("139 1234 abc")


@pytest.mark.parametrize("written", [1e30, 10**40, "9" * 40])
def test_a_huge_amount_is_handed_back_as_the_cells_error(written):
    with pytest.raises(CellError):
        read_amount(written)
