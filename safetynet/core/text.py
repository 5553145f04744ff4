"""Cleaning what people type or paste: full-width characters, stray spaces, control characters.

A control character (NUL, the other C0 codes, DEL, the C1 codes) is never part of a name, an address
or a search: it comes from a broken paste or a probe, PostgreSQL refuses NUL outright, and a
spreadsheet with one cannot be written. `refuse_control_characters` is the one check that every
way in (pages, the API, imports, searches) applies to text; a free-text note may keep its line
breaks and tabs.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
# Line breaks and tabs are text in a multi-line note (a TextField), nowhere else.
CONTROL_CHARACTERS_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same rule as a JSON-schema pattern (ECMA 262), for the API's OpenAPI document.
NO_CONTROL_CHARACTERS_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"


def normalise(value: str | None) -> str:
    """NFKC turns full-width digits and letters (１２３ＡＢＣ) into ASCII; spaces inside go."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


def has_control_characters(value: object, *, lines: bool = False) -> bool:
    """Does `value` (a string; anything else is not text and passes) hold a control character?
    `lines=True` lets line breaks and tabs through."""
    if not isinstance(value, str):
        return False
    pattern = CONTROL_CHARACTERS_BUT_LINES if lines else CONTROL_CHARACTERS
    return pattern.search(value) is not None


def control_characters_message() -> str:
    return _("This field cannot contain control characters (such as NUL); type or paste the text again.")


def refuse_control_characters(value: object, *, lines: bool = False) -> None:
    """A validator: ValidationError (code "control_characters") for text holding one."""
    if has_control_characters(value, lines=lines):
        raise ValidationError(control_characters_message(), code="control_characters")


def control_character_errors(instance, exclude=()) -> dict[str, list[str]]:
    """{field: [message]} for each text field of a model instance that holds a control character
    (a TextField may keep line breaks and tabs)."""
    from django.db import models

    errors = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or not isinstance(field, models.CharField | models.TextField):
            continue
        if has_control_characters(getattr(instance, field.attname, None),
                                  lines=isinstance(field, models.TextField)):
            errors[field.name] = [control_characters_message()]
    return errors


def text_checked(errors: dict, field: str, value, *, limit: int, label, required: bool = False,
                 lines: bool = False) -> str:
    """A service's text field as sent, stripped: what is wrong with it is put in `errors[field]` (no
    control characters, at most `limit` characters, given when `required`), naming it by `label`."""
    value = value.strip() if isinstance(value, str) else ""
    if has_control_characters(value, lines=lines):
        errors[field] = [_("%(what)s holds characters that cannot be saved.") % {"what": label}]
    elif len(value) > limit:
        errors[field] = [_("%(what)s is longer than %(limit)s characters.") % {"what": label, "limit": limit}]
    elif required and not value:
        errors[field] = [_("Give %(what)s.") % {"what": label}]
    return value
