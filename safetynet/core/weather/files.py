"""The meteorological feed file: warnings as a small CSV, one per line.

    区县代码,类型,级别,最低气温,开始,结束,说明
    371302,寒潮,蓝,-8,2026-12-06 20:00,2026-12-09 08:00,临沂市气象台寒潮蓝色预警
    371321,低温,,-12.5,2026-12-07 00:00,2026-12-08 12:00,

类型: 寒潮 or 低温 (cold_wave / low_temperature); 级别: 蓝 黄 橙 红 (or blue … red) or blank; times
are local. Every line is read and every error reported with its line number.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.sheets import FileError, small_csv_rows

KINDS = {"寒潮": "cold_wave", "cold_wave": "cold_wave", "低温": "low_temperature",
         "low_temperature": "low_temperature"}
LEVELS = {"": "", "蓝": "blue", "黄": "yellow", "橙": "orange", "红": "red", "blue": "blue",
          "yellow": "yellow", "orange": "orange", "red": "red"}
HEADER = ("区县代码", "类型", "级别", "最低气温", "开始", "结束", "说明")
MAX_BYTES = 200_000
FIRST_LINE = 2  # the first warning's line number, below the header


class WeatherFileError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def _moment(text: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return timezone.make_aware(moment)


def read_weather_file(content: bytes) -> list[dict]:
    """The warnings of the file as the service takes them, or WeatherFileError with every reason."""
    if len(content) > MAX_BYTES:
        raise WeatherFileError([_("The file is too large for a list of warnings (at most 200 KB).")])
    try:
        rows = small_csv_rows(content)
    except FileError as error:
        raise WeatherFileError([str(error)]) from None
    if not rows or tuple(rows[0][:2]) != HEADER[:2]:
        message = _("The first line must be the header 区县代码,类型,级别,最低气温,开始,结束,说明.")
        raise WeatherFileError([message])
    items, errors = [], []
    for number, row in enumerate(rows[1:], start=FIRST_LINE):
        cells = [*row, *[""] * 7]
        where = _("Line %(line)s: ") % {"line": number}
        reasons = []
        kind = KINDS.get(cells[1].lower())
        if kind is None:
            reasons.append(_("the kind must be 寒潮 or 低温."))
        level = LEVELS.get(cells[2].lower())
        if level is None:
            reasons.append(_("the level must be 蓝, 黄, 橙 or 红, or blank."))
        temperature = None
        if cells[3]:
            try:
                temperature = Decimal(cells[3]).quantize(Decimal("0.1"))
            except InvalidOperation:
                reasons.append(_("the lowest temperature must be a number of °C."))
        starts, ends = _moment(cells[4]), _moment(cells[5])
        if starts is None or ends is None:
            reasons.append(_("the start and end must be times like 2026-12-06 20:00."))
        if reasons:
            errors.append(where + "；".join(reasons))
            continue
        items.append({"county": cells[0][:12], "kind": kind, "level": level,
                      "lowest_temperature": temperature, "starts_at": starts, "ends_at": ends,
                      "note": cells[6][:400]})
    if errors:
        raise WeatherFileError(errors)
    if not items:
        raise WeatherFileError([_("The file has a header but no warnings below it.")])
    return items
