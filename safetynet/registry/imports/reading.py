"""Reading: one cell without guessing (full-width digits, dates as clerks write them, amounts
with 元 …), and a file's header and rows (.xlsx through calamine or openpyxl, .csv in UTF-8 or GBK:
the file itself is read by core.sheets, which every import shares)."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from safetynet.core.cells import (  # the cell readers every import shares; callers import them from here
    Masked,
    number_text,
    read_amount,
    read_area,
    read_bool,
    read_date,
    read_division,
    read_id,
    read_key,
    read_name,
    read_phone,
    read_text,
    read_village,
)
from safetynet.core.sheets import (  # the generic reading, shared with core.accounts' import
    CellError,
    FileError,
    Unreadable,
    marking,
    open_rows,
    sniff_spreadsheet,  # noqa: F401  (callers import it from here)
    )
from safetynet.core.sheets import is_blank as _is_blank
from safetynet.core.sheets import refuse_control_characters as _refuse_control_characters
from safetynet.core.text import normalise
from safetynet.registry.imports.layout import (
    COLUMNS,
    HEADER_SCAN_ROWS,
    LISTS_SHEET,
    NOTES_SHEET,
    PERSON,
    Column,
    _choice_lookup,
    _fold,
    _is_ignored_header,
    match_header,
)

# --- reading one cell: core.cells reads the kinds every import shares ---------------------------


def read_certificate(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _(
                "Excel stored this number as a number and lost its last digits: format the "
                "column as text and type the number again."
            )
        )
    text = normalise(str(value)).upper()
    _refuse_control_characters(text)
    if "*" in text:
        return Masked(text)
    if len(text) > 20:
        raise CellError(
            _(
                "A disability certificate number is the 18-character ID number followed by the "
                "category digit and the grade digit."
            )
        )
    return text


def read_system(value) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = number_text(value)
    text = normalise(str(value))
    # ASCII digits, within the database's integers: what an export writes, nothing else.
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise CellError(_("Leave the system number as the export wrote it, or blank for a new person."))
    return int(text)


def read_choice(value, choices: type):
    lookup = _choice_lookup(choices)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = number_text(value)
    text = _fold(value)
    if text in lookup:
        return lookup[text]
    codes_ = [str(v) for v in choices.values]
    width = len(codes_[0]) if codes_ and all(c.isdigit() and len(c) == len(codes_[0]) for c in codes_) else 0
    if text.isdigit() and width and len(text) < width and text.zfill(width) in lookup:
        return lookup[text.zfill(width)]  # Excel dropped the leading zero: 2 for 02
    # A code with its name: 02户主, 02-户主, 户主(02)
    match = re.fullmatch(r"([0-9]+)[-_.、:]?(\D.*)", text) or re.fullmatch(r"(\D.*?)\(([0-9]+)\)", text)
    if match:
        code, name = match.groups() if match.group(1).isdigit() else reversed(match.groups())
        if code in lookup and lookup.get(name) == lookup[code]:
            return lookup[code]
    _refuse_control_characters(str(value))  # the reason quotes the value: never a NUL in it
    raise CellError(
        _("%(value)s is not one of this column's values (the sheet 说明 of the template lists them).")
        % {"value": str(value).strip()}
    )


_READERS: dict[str, Callable] = {
    "key": read_key,
    "id": read_id,
    "name": read_name,
    "text": read_text,
    "phone": read_phone,
    "division": read_division,
    "village": read_village,
    "date": read_date,
    "bool": read_bool,
    "amount": read_amount,
    "area": read_area,
    "certificate": read_certificate,
    "system": read_system,
}


def read_cell(column: Column, value):
    """The value of one cell, None when blank; CellError when it cannot be read."""
    if _is_blank(value):
        return None
    if value.__class__ is Unreadable:
        raise CellError(value.reason())
    if column.kind == "choice":
        return read_choice(value, column.choices)
    return _READERS[column.kind](value)


_MEMO_LIMIT = 20_000


def cell_reader(column: Column) -> Callable:
    """read_cell for one column, remembering what it made of each value it met: a code, a yes/no
    or a date column holds few distinct values, a file of 100 k rows the same ones again and again."""
    if column.kind == "choice":
        choices = column.choices

        def read(value):
            return read_choice(value, choices)
    else:
        read = _READERS[column.kind]
    if column.kind not in ("choice", "bool", "date", "division", "village", "text"):

        def plain(value):
            if _is_blank(value):
                return None
            if value.__class__ is Unreadable:
                raise CellError(value.reason())
            return read(value)

        return plain
    memo: dict = {}

    def remembered(value):
        if value is None:
            return None
        try:
            outcome = memo[value]
        except KeyError:
            if _is_blank(value):
                outcome = (True, None)
            elif value.__class__ is Unreadable:
                outcome = (False, value.reason())
            else:
                try:
                    outcome = (True, read(value))
                except CellError as error:
                    outcome = (False, str(error))
            if len(memo) < _MEMO_LIMIT:
                memo[value] = outcome
        if outcome[0]:
            return outcome[1]
        raise CellError(outcome[1])

    return remembered


# --- reading a file --------------------------------------------------------------------------------


_HELP_SHEETS = (NOTES_SHEET, LISTS_SHEET)


@dataclass
class Sheet:
    headers: list[str]  # each column's header as written (for the returned file)
    columns: dict[int, Column]  # position → the column it is
    rows: Iterator[tuple[int, tuple]]  # (row number as the user sees it, cells as written)
    ignored: list[str] = field(default_factory=list)  # headers not understood, ignored
    other_sheets: list[str] = field(default_factory=list)


def _cell_text(value) -> str:
    return "" if _is_blank(value) else str(value).strip()


def _header_candidates(buffered: list[tuple]) -> tuple[int, dict[int, Column], list[str]]:
    """The header row: the one (with the row above it, for cells of a two-row merged header)
    whose cells name the most known columns."""
    best = (-1, {}, [])
    for index, row in enumerate(buffered):
        above = buffered[index - 1] if index else ()
        # The row above is the top of a two-row header if it names a column itself (a title does not).
        above_is_header = any(match_header(_cell_text(cell)) for cell in above if not _is_blank(cell))
        matched: dict[int, Column] = {}
        texts: list[str] = []
        for position in range(max(len(row), len(above))):
            own = row[position] if position < len(row) else None
            upper = above[position] if position < len(above) else None
            text = _cell_text(own)
            column = match_header(text) if text else None
            if not text and not _is_blank(upper):
                # A header cell merged down from the row above (not a title spanning the sheet).
                above_column = match_header(_cell_text(upper))
                if above_is_header or above_column is not None:
                    text, column = _cell_text(upper), above_column
            texts.append(text)
            if column is not None and column not in matched.values():
                matched[position] = column
        if len(matched) > len(best[1]):
            best = (index, matched, texts)
    return best


def read_sheet(path: Path) -> Sheet:
    """Find the header and the columns; the data rows come lazily. FileError if none found."""
    source, other_sheets, unreadable = open_rows(path, _HELP_SHEETS)
    source = iter(source)
    buffered = []
    for _row in range(HEADER_SCAN_ROWS):
        try:
            buffered.append(tuple(next(source)))
        except StopIteration:
            break
    index, columns, texts = _header_candidates(buffered)
    found = {column.field for column in columns.values()}
    missing = [
        c.header
        for c in COLUMNS
        if c.part == PERSON and c.field in ("name", "id_number") and c.field not in found
    ]
    if index < 0 or missing:
        raise FileError(
            _("No header row was found: the sheet needs the columns %(columns)s (see the template).")
            % {"columns": "、".join(f"「{name}」" for name in missing or ["姓名", "身份证号"])}
        )
    ignored = []
    seen_positions = set(columns)
    for position, text in enumerate(texts):
        if position not in seen_positions and text and not _is_ignored_header(text):
            ignored.append(text)

    def rows() -> Iterator[tuple[int, tuple]]:
        # Row numbers as the user sees them: the buffered rows were rows 1 … len(buffered).
        yield from enumerate(buffered[index + 1 :], start=index + 2)
        for number, row in enumerate(source, start=len(buffered) + 1):
            yield number, tuple(row)

    # Cells without a value, in the columns read (a formula left in 序号 is nobody's concern).
    unreadable = {
        number: {position: cell for position, cell in cells.items() if position in columns}
        for number, cells in unreadable.items()
        if number > index + 1
    }
    unreadable = {number: cells for number, cells in unreadable.items() if cells}
    data_rows = rows() if not unreadable else marking(rows(), unreadable)
    return Sheet(headers=texts, columns=columns, rows=data_rows, ignored=ignored, other_sheets=other_sheets)

