from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from safetynet.core.money import YuanField, parse_yuan


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1234.5", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1，234.50元", Decimal("1234.50")),
        ("￥１２３４", Decimal("1234.00")),
        (" 0.05 ", Decimal("0.05")),
        ("", None),
    ],
)
def test_amounts_as_clerks_type_them_are_read_exactly(typed, amount):
    assert parse_yuan(typed) == amount


@pytest.mark.parametrize("typed", ["12.345", "一千", "12..3", "1.2.3", "abc"])
def test_what_cannot_be_read_without_guessing_is_refused(typed):
    with pytest.raises(ValidationError):
        parse_yuan(typed)


def test_form_field_accepts_separators_and_keeps_decimals():
    assert YuanField().clean("2,000.10元") == Decimal("2000.10")


def test_a_money_field_on_a_model_reads_what_clerks_type_on_its_form():
    from safetynet.core.money import MoneyField

    form_field = MoneyField("amount").formfield()
    assert form_field.clean("1,234.50元") == Decimal("1234.50")
    with pytest.raises(ValidationError):
        form_field.clean("12.345")  # more than two decimals is asked about, not rounded
    assert (MoneyField().max_digits, MoneyField().decimal_places) == (14, 2)


@pytest.mark.parametrize("typed", ["9" * 40, "1e30", "1000000000000", "-" + "9" * 30])
def test_an_amount_past_what_the_system_keeps_is_refused_not_a_server_error(typed):
    with pytest.raises(ValidationError):
        YuanField().clean(typed)
