"""How personal identifiers look to someone not entitled to see them whole."""

import re

from django.utils import timezone

# A run of 15 or more digits (an 18-character ID number may end in X) in free text: an ID number,
# old or new, or something as revealing.
_LONG_NUMBER = re.compile(r"\d{14,}[\dXx]")
MASKED_DATE = "****-**-**"


def mask_id_number(number: str | None) -> str:
    """`371302195001010013` → `3713**********0013` (the area and the last four stay readable)."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """`13812345678` → `138****5678`."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_certificate(number: str | None) -> str:
    """A disability certificate number is the ID number and two digits (category, grade): the ID
    part is masked like an ID number, `37130219500101001312` → `3713**********001312`."""
    if not number:
        return ""
    return mask_id_number(number[:18]) + number[18:]


def mask_long_numbers(text: str | None) -> str:
    """Free text with every run of 15 or more digits masked like an ID number."""
    if not text:
        return ""
    return _LONG_NUMBER.sub(lambda match: mask_id_number(match.group()), text)


def mask_date(value) -> str:
    """A date of birth gives away eight hidden digits of the ID number: none of it is shown."""
    return MASKED_DATE if value else ""


def mask_account(account: str | None) -> str:
    if not account:
        return ""
    return "*" * max(len(account) - 4, 0) + account[-4:]


def age_in_years(birth_date, on=None) -> int | None:
    """Whole years of age today (or on `on`): what is shown instead of a masked date of birth."""
    if not birth_date:
        return None
    on = on or timezone.localdate()
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
