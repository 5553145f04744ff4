"""The State Council's yearly schedule as a small CSV file, one line per day set apart:

    日期,类型,名称
    2027-02-06,休,春节
    2027-02-14,班,春节

类型 is 休 (a holiday) or 班 (a weekend day worked, 调休); English `holiday` / `workday` are read too.
Every line is checked and every error reported at once, with its line number; a file with any
error enters nothing.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from safetynet.core.sheets import FileError, small_csv_rows
from safetynet.core.text import has_control_characters

KINDS = {"休": "holiday", "holiday": "holiday", "班": "workday", "workday": "workday"}
HEADERS = ({"日期", "date"}, {"类型", "kind"}, {"名称", "name"})
MAX_BYTES = 200_000
NAME_LENGTH = 40


@dataclass
class CalendarFileError(Exception):
    messages: list[str]

    def __str__(self) -> str:
        return "\n".join(self.messages)


def read_calendar_file(content: bytes) -> dict[int, list[tuple[datetime.date, str, str]]]:
    """The days of each year the file gives: {year: [(date, "holiday"|"workday", name)]}, or
    CalendarFileError with every reason (in the active language)."""
    if len(content) > MAX_BYTES:
        raise CalendarFileError([_("The file is too large for a calendar (at most 200 KB).")])
    try:
        rows = small_csv_rows(content)
    except FileError as error:
        raise CalendarFileError([str(error)]) from None
    if not rows:
        raise CalendarFileError([_("The file is empty.")])
    header = [cell.lower() for cell in rows[0]]
    if len(header) < 2 or header[0] not in HEADERS[0] or header[1] not in HEADERS[1]:
        raise CalendarFileError([_("The first line must be the header 日期,类型,名称.")])
    errors: list[str] = []
    seen: dict[datetime.date, int] = {}
    years: dict[int, list] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [*row, "", ""]
        raw_date, raw_kind, name = cells[0], cells[1], cells[2]
        where = _("Line %(line)s: ") % {"line": number}
        try:
            day = datetime.date.fromisoformat(raw_date)
        except ValueError:
            errors.append(where + _("“%(value)s” is not a date like 2027-02-06.") % {"value": raw_date[:20]})
            continue
        kind = KINDS.get(raw_kind.lower())
        if kind is None:
            errors.append(where + _("the kind must be 休 (holiday) or 班 (adjusted working day), "
                                    "not “%(value)s”.") % {"value": raw_kind[:20]})
            continue
        if not 1990 <= day.year <= 2100:
            errors.append(where + _("the year %(year)s is outside 1990–2100.") % {"year": day.year})
            continue
        if kind == "workday" and day.weekday() < 5:
            errors.append(where + _("%(date)s is a weekday: an adjusted working day (班) is a Saturday "
                                    "or a Sunday.") % {"date": day.isoformat()})
            continue
        if has_control_characters(name) or len(name) > NAME_LENGTH:
            errors.append(where + _("the name must be plain text of at most %(limit)s characters.")
                          % {"limit": NAME_LENGTH})
            continue
        if day in seen:
            errors.append(where + _("%(date)s is given already on line %(first)s.")
                          % {"date": day.isoformat(), "first": seen[day]})
            continue
        seen[day] = number
        years.setdefault(day.year, []).append((day, kind, name))
    if errors:
        raise CalendarFileError(errors)
    if not years:
        raise CalendarFileError([_("The file has a header but no days below it.")])
    return years
