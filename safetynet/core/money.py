"""Money is Decimal yuan with two places. What people type is cleaned before it is read."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from safetynet.core.text import normalise

CENT = Decimal("0.01")
_AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
# Thousands separators and currency marks that clerks type or paste: 1,234.50元 ￥1,234.5 1，234
_NOISE = str.maketrans("", "", ",，¥￥元 ")


def parse_yuan(value) -> Decimal | None:
    """'1,234.50元' → Decimal('1234.50'); '' → None. More than two decimals is refused, not rounded:
    a guess about money is worse than a question."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        value = str(value)
    text = normalise(value).translate(_NOISE)
    if text == "":
        return None
    if not _AMOUNT.match(text):
        raise ValidationError(_("Enter an amount in yuan, such as 1234.50."), code="invalid_amount")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter an amount in yuan, such as 1234.50."), code="invalid_amount") from None
    if amount.adjusted() >= 12:  # 10¹² yuan and more: no amount the system keeps, and past quantize's reach
        raise ValidationError(_("The amount is too large: give it in yuan (at most 999999999999.99)."),
                              code="too_large")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError(_("An amount has at most two decimals (fen)."), code="too_precise")
    return amount.quantize(CENT)


class YuanField(forms.DecimalField):
    """A decimal form field that also reads thousands separators, 元 and full-width digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(parse_yuan(value) if value not in self.empty_values else value)

    def widget_attrs(self, widget):
        # Not type=number: browsers refuse "1,234.50" before the server can read it.
        return {key: val for key, val in super().widget_attrs(widget).items() if key != "step"}


class MoneyField(models.DecimalField):
    """Yuan with two places (fen), up to 999,999,999,999.99: every amount of money a model keeps.
    Its form field is YuanField, so a page reads what clerks type (1,234.50元, full-width digits)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, default in (("max_digits", 14), ("decimal_places", 2)):
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": YuanField, **kwargs})
