"""Reading one spreadsheet cell without guessing, for every import: text and names, ID numbers
(15 or 18 characters, the birth date and check character checked), phone numbers, division codes,
dates as clerks write them (1950年1月1日, 1950/1/1, 19500101, date cells), yes/no, amounts in yuan
(元, thousands separators, Excel's binary floats) and areas. A value that cannot be read raises
CellError with the reason in the clerk's words; a value written masked (3713**********0013, as an
export shows it) comes back as Masked: it names a value, it does not give one."""

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safetynet.core import ids
from safetynet.core.clock import today
from safetynet.core.money import parse_yuan
from safetynet.core.sheets import CellError
from safetynet.core.sheets import refuse_control_characters as _refuse_control_characters
from safetynet.core.text import normalise


def fold(text) -> str:
    """How names and words are compared: NFKC (full-width → ASCII), no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


@dataclass(frozen=True)
class Masked:
    """A value written masked (3713**********0013): it names a value, it does not give one."""

    text: str


def number_text(value) -> str:
    """A number cell as the digits it shows (a code or phone number Excel took for a number)."""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("This should be whole digits, not a number with decimals."))
        value = int(value)
    return str(value)


def _refuse_longer(text: str, limit: int) -> str:
    """Cut, the text would be stored as nobody wrote it."""
    if len(text) > limit:
        raise CellError(_("This text is too long: at most %(limit)s characters.") % {"limit": limit})
    return text


def read_text(value) -> str:
    text = str(value)
    _refuse_control_characters(text)
    text = unicodedata.normalize("NFKC", text).strip()
    return _refuse_longer(" ".join(text.split()), 200)


def read_name(value) -> str:
    _refuse_control_characters(str(value))
    name = normalise(str(value))
    if len(name) > 50:
        raise CellError(_("A name has at most 50 characters."))
    return name


def read_key(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = number_text(value)
    _refuse_control_characters(str(value))
    return _refuse_longer(normalise(str(value)), 50)  # two keys cut alike would make one household


_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


def _check_id_birth_date(digits: str) -> None:
    """core.ids' check of the birth date inside an ID number (same messages), without asking the
    time zone for today's date a hundred thousand times."""
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise CellError(
            _("The birth date in the ID number (%(digits)s) is not a real date.") % {"digits": digits}
        ) from None
    if born.year < 1890 or born > today():
        raise CellError(
            _("The birth date in the ID number (%(date)s) is impossible.") % {"date": born.isoformat()}
        )


def id_birth_date(number: str) -> datetime.date | None:
    """The birth date an ID number (read and checked already) holds."""
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def read_id(value):
    """(the number as written, normalised; the 18-character number) or a Masked."""
    if isinstance(value, float) and not (value.is_integer() and value < 1e15):
        raise CellError(
            _(
                "Excel stored this ID number as a number and lost its last digits: format the "
                "column as text and type the number again."
            )
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    text = normalise(str(value)).upper()
    if "*" in text:
        _refuse_control_characters(text)
        return Masked(text)
    if re.fullmatch(r"[0-9]{15}", text):
        body = text[:6] + "19" + text[6:]
        return text, body + ids.check_character(body)
    if not _ID_PATTERN.fullmatch(text):
        raise CellError(_("An ID number has 18 characters: 17 digits and a final digit or X."))
    _check_id_birth_date(text[6:14])
    if ids.check_character(text[:17]) != text[17]:
        raise CellError(_("The last character of the ID number does not match the others: check each digit."))
    return text, text


def read_phone(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = number_text(value)
    text = normalise(str(value))
    if "*" in text:
        _refuse_control_characters(text)
        return Masked(text)
    if not re.fullmatch(r"\+?[0-9][0-9-]{2,19}", text):
        raise CellError(_("A phone number has digits only (a dash between area code and number is fine)."))
    return text[:20]


def read_division(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = number_text(value)
    code = normalise(str(value))
    if not re.fullmatch(r"[0-9]{6}([0-9]{3}){0,2}", code):
        raise CellError(_("A division code has 6, 9 or 12 digits."))
    return code


def read_village(value) -> str:
    code = read_division(value)
    if len(code) != 12:
        raise CellError(_("A village or community code has 12 digits."))
    return code


_DATE_PATTERNS = [
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?"),
    re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})"),
    re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"),
]
_TIME_OF_DAY = re.compile(r"(T)?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")


def read_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 10_000_000 <= value <= 99_999_999:
            value = str(int(value))
        else:
            raise CellError(_("Write dates as year-month-day, such as 1950-01-01 or 1950年1月1日."))
    text = normalise(str(value))
    if "*" in text:
        _refuse_control_characters(text)
        return Masked(text)
    text = _TIME_OF_DAY.sub("", text) if len(text) > 10 else text
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError(_("%(value)s is not a real date.") % {"value": text}) from None
    raise CellError(_("Write dates as year-month-day, such as 1950-01-01 or 1950年1月1日."))


_TRUE = {"是", "有", "已安装", "安装", "已装", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "没有", "未安装", "未装", "不是", "n", "no", "false", "0", "×", "✗"}


def read_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        value = number_text(value)
    text = fold(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("Write 是 (yes) or 否 (no)."))


def _decimal_of_number(value) -> Decimal:
    """A number cell as a Decimal. Excel keeps 1234.5 as a binary float: what differs from two
    decimals only in the 10th place is that float, not a figure anyone typed."""
    if isinstance(value, float) and not math.isfinite(value):  # NaN or infinity: no amount at all
        raise CellError(_("Enter an amount in yuan, such as 1234.50."))
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if amount.adjusted() >= 12:
        raise CellError(_("The amount is too large: give it in yuan (at most 999999999999.99)."))
    rounded = amount.quantize(Decimal("0.01"))
    if abs(amount - rounded) > Decimal("1e-9"):
        raise CellError(_("An amount has at most two decimals (fen)."))
    return rounded


def _read_decimal(value) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = _decimal_of_number(value)
    else:
        try:
            amount = parse_yuan(str(value))
        except ValidationError as error:
            raise CellError(error.messages[0]) from None
    if amount is not None and amount < 0:
        raise CellError(_("The amount cannot be negative."))
    return amount


def read_amount(value) -> Decimal:
    amount = _read_decimal(value)
    if amount is not None and amount >= Decimal("1e12"):
        raise CellError(_("The amount is too large: give it in yuan (at most 999999999999.99)."))
    return amount


def read_area(value) -> Decimal:
    if isinstance(value, str):
        value = re.sub(r"(平方米|平米|㎡|m²|m2)$", "", normalise(value), flags=re.IGNORECASE)
    area = _read_decimal(value)
    if area is not None and area >= Decimal("1e6"):
        raise CellError(_("The floor area is too large: give it in square metres."))
    return area
