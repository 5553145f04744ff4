"""The bulk path's quick checks take a value only where Django's full_clean would: a validator they
do not know is run, never skipped."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from safetynet.core.bulkinsert import column_check, fast_check


def test_a_text_field_with_a_pattern_is_checked_value_by_value():
    digits = models.CharField(max_length=6, validators=[RegexValidator(r"^[0-9]+$")])
    assert column_check(digits) is None  # no column passes whole without the pattern
    check = fast_check(digits)
    assert check("123456") is True
    assert check("12345x") is False
    assert check("1234567") is False  # too long, as before


def test_a_whole_number_below_its_minimum_is_not_passed():
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    check = fast_check(count)
    assert (check(1), check(0), check(40000)) == (True, False, False)


def test_a_decimal_keeps_its_own_minimum():
    area = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    check = fast_check(area)
    assert (check(Decimal("12.50")), check(Decimal("-1.00")), check(Decimal("1.234"))) == (True, False, False)


def test_plain_text_still_passes_as_a_column():
    name = models.CharField(max_length=4, blank=True)
    assert column_check(name)(["王", "李四", ""]) is True
    assert column_check(name)(["王小二明"[:4], "x" * 5]) is False
