"""居民身份证号码 (GB 11643-1999): normalise, check, derive birth date and sex.

python-stdnum gives the check digit; its own `validate` is not used because it rejects address
codes not in force in the birth year (every 3713xx number of someone born before 1994) and raises
KeyError for 371371. The address code is checked against our own division table instead, abolished
codes included. Its first two digits must name a province or region (an error otherwise: no such
number is ever issued); an unknown county under a real province is a warning, not an error, since
the table cannot hold every code ever issued.
"""

import datetime
import re
from collections.abc import Container
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric

from safetynet.core.clock import today
from safetynet.core.divisions import province_codes
from safetynet.core.models import Division
from safetynet.core.text import normalise

SEX_MALE = 1
SEX_FEMALE = 2


# Taiwan (71 in GB/T 2260) and the residence permits of Hong Kong, Macao and Taiwan residents
# (港澳台居民居住证, since 2018: 810000, 820000, 830000). No row of the division table stands for them.
REGION_CODES = frozenset({"71", "81", "82", "83"})
RESIDENCE_PERMIT_CODES = frozenset({"710000", "810000", "820000", "830000"})


@dataclass
class IdNumber:
    number: str
    birth_date: datetime.date
    sex: int
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_character(body: str) -> str:
    """The 18th character for 17 digits (ISO 7064 MOD 11-2). stdnum expects a number that
    already has a check character, which it ignores: give it a placeholder."""
    return ric.calc_check_digit(body + "0")


def _birth_date(digits: str) -> datetime.date:
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the ID number (%(digits)s) is not a real date."),
            code="id_birth_date",
            params={"digits": digits},
        ) from None
    if born > today() or born.year < 1890:
        raise ValidationError(
            _("The birth date in the ID number (%(date)s) is impossible."),
            code="id_birth_date",
            params={"date": born.isoformat()},
        )
    return born


def check_id_number(
    raw: str,
    *,
    birth_date: datetime.date | None = None,
    sex: int | None = None,
    known_codes: Container[str] | None = None,
) -> IdNumber:
    """Check an ID number as typed; return it normalised with what it says of its holder.

    Raises ValidationError (message in the user's language) when the number cannot be right or
    disagrees with the birth date or sex entered beside it. `known_codes`, the division codes
    fetched once for a whole batch, spares the bulk services a query per number.
    """
    text = normalise(raw).upper()
    notes: list[str] = []
    if re.fullmatch(r"[0-9]{15}", text):
        # Numbers issued before 1999: two-digit year, no check character.
        body = text[:6] + "19" + text[6:]
        text = body + check_character(body)
        notes.append(_("Converted from an old 15-digit number."))
    elif not re.fullmatch(r"[0-9]{17}[0-9X]", text):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="id_format"
        )
    if text[:2] not in province_codes() and text[:2] not in REGION_CODES:
        raise ValidationError(
            _(
                "The ID number starts with %(code)s, which is no province or region: "
                "check the first digits."
            ),
            code="id_province",
            params={"code": text[:2]},
        )
    born = _birth_date(text[6:14])
    if check_character(text[:17]) != text[17]:
        raise ValidationError(
            _("The last character of the ID number does not match the others: check each digit."),
            code="id_check_digit",
        )
    holder_sex = SEX_MALE if int(text[16]) % 2 else SEX_FEMALE
    if birth_date is not None and birth_date != born:
        raise ValidationError(
            _("The ID number says born on %(id_date)s but the birth date entered is %(entered)s."),
            code="id_birth_mismatch",
            params={"id_date": born.isoformat(), "entered": birth_date.isoformat()},
        )
    if sex is not None and int(sex) != holder_sex:
        raise ValidationError(
            _("The ID number belongs to a %(id_sex)s, but the sex entered is %(entered)s."),
            code="id_sex_mismatch",
            params={"id_sex": sex_label(holder_sex), "entered": sex_label(int(sex))},
        )
    warnings = []
    if text[:6] in RESIDENCE_PERMIT_CODES:
        known = True
    elif known_codes is not None:
        known = text[:6] in known_codes
    else:
        known = Division.objects.filter(code=text[:6]).exists()
    if not known:
        warnings.append(
            _("The address code %(code)s of the ID number is not in our division table; check it.")
            % {"code": text[:6]}
        )
    return IdNumber(number=text, birth_date=born, sex=holder_sex, notes=notes, warnings=warnings)


def sex_label(sex: int) -> str:
    return _("man") if sex == SEX_MALE else _("woman")


def make_id_number(address_code: str, birth_date: datetime.date, order: int) -> str:
    """Build a valid number (used for synthetic demo data): order is odd for men, even for women."""
    body = f"{address_code}{birth_date:%Y%m%d}{order:03d}"
    return body + check_character(body)
