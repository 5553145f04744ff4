"""Reading spreadsheets without guessing, for every import (households in registry.imports, staff
accounts in core.accounts): an .xlsx through python-calamine (openpyxl when it is missing) or a CSV
in UTF-8 or GBK, row by row with the row numbers the user sees; a cell whose value the file does not
hold (a formula without its result, an error such as #N/A) marked, never read as blank; a control
character refused in any cell; a header row matched by names (`read_table`).

Each import has its own layout and cell readers; this module knows no layout."""

import csv
import html
import io
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safetynet.core.text import CONTROL_CHARACTERS_BUT_LINES, control_characters_message

# --- one cell --------------------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be read without guessing; the message says why, in the user's language."""


@dataclass(frozen=True)
class Unreadable:
    """A cell whose value the file does not hold: a formula never computed (a program wrote the file
    without the formulas' results) or one whose result is an error (#N/A, #DIV/0!). Read as blank or
    as the formula's text it would be a guess; it is handed back. `text` is what the returned file
    shows: the formula ("=A2+1") or the error."""

    text: str
    error: bool = False

    def reason(self) -> str:
        if self.error:
            return _(
                "The formula in this cell gives an error (%(error)s): correct the formula or type the "
                "value itself."
            ) % {"error": self.text}
        return _(
            "This cell holds a formula whose value was never computed (the file was written by a "
            "program): type the value itself, or open the file in Excel or WPS, save it and import it again."
        )


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def refuse_control_characters(text: str) -> None:
    """core.text's rule, as the forms apply it: a control character (NUL …) is never part of a
    value. Line breaks and tabs in a cell (Alt+Enter) are spaces, read away with the others."""
    if CONTROL_CHARACTERS_BUT_LINES.search(text):
        raise CellError(control_characters_message())


# --- a file --------------------------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be imported (not a spreadsheet, no header …)."""


def sniff_spreadsheet(head: bytes, filename: str) -> str:
    """'.xlsx' or '.csv' for an accepted file; ValidationError in plain words otherwise."""
    suffix = Path(filename or "").suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return ".xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            {
                "file": _(
                    "This is an old Excel file (.xls): open it in Excel or WPS, save it "
                    "as .xlsx, and import that."
                )
            }
        )
    if suffix in (".csv", ".txt") and b"\x00" not in head.lstrip(b"\xff\xfe"):
        return ".csv"
    if suffix in (".csv", ".txt") and head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ".csv"
    raise ValidationError({"file": _("Only Excel (.xlsx) and CSV files can be imported.")})


# --- cells a program left without a value ------------------------------------------------------
# calamine (and openpyxl with data_only) read a formula by its stored result: a formula a program
# wrote without one (openpyxl writing "=A1+1") comes back blank, and so does an error (#N/A), which
# openpyxl gives as its text. Neither is what the clerk meant: the sheet's XML says which cells these
# are, and a file without formulas or errors (most) costs one search of its bytes.

_ATTRIBUTE = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_DATA = re.compile(rb"<(?:([\w.-]+):)?sheetData\b")
_REFERENCE = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")


def _attributes(tag: bytes) -> dict[str, str]:
    return {
        name.decode(): html.unescape((double if double is not None else single).decode("utf-8", "replace"))
        for name, double, single in _ATTRIBUTE.findall(tag)
    }


def _elements(data: bytes, name: bytes) -> list[dict[str, str]]:
    """The attributes of each <name …> (any namespace prefix) in a small XML part."""
    return [_attributes(tag) for tag in re.findall(rb"<(?:[\w.-]+:)?" + name + rb"\b([^>]*)>", data)]


def _part_path(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _sheet_part(package: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The path of the named worksheet's XML inside the package (None if it cannot be told)."""
    root = _elements(package.read("_rels/.rels"), b"Relationship")
    workbook = next((r.get("Target", "") for r in root if r.get("Type", "").endswith("/officeDocument")), "")
    workbook = _part_path("", workbook or "xl/workbook.xml")
    folder, name = posixpath.split(workbook)
    relations = {
        r.get("Id"): r.get("Target", "")
        for r in _elements(package.read(posixpath.join(folder, "_rels", name + ".rels")), b"Relationship")
    }
    for sheet in _elements(package.read(workbook), b"sheet"):
        if sheet.get("name") == sheet_name:
            relation = next((v for k, v in sheet.items() if k == "id" or k.endswith(":id")), None)
            return _part_path(folder, relations[relation]) if relation in relations else None
    return None


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def unreadable_cells(path: Path, sheet_name: str) -> dict[int, dict[int, Unreadable]]:
    """{row number: {column position: Unreadable}} of the named sheet: formulas without a stored
    result, and errors. FileError for such a cell the file does not place (no cell reference)."""
    try:
        with zipfile.ZipFile(path) as package:
            part = _sheet_part(package, sheet_name)
            data = package.read(part) if part else b""
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}  # read as calamine or openpyxl read it: the package is unusual, not these cells
    prefix_match = _SHEET_DATA.search(data)
    if prefix_match is None:
        return {}
    prefix = prefix_match.group(1) + b":" if prefix_match.group(1) else b""
    if b"<" + prefix + b"f" not in data and b't="e"' not in data:
        return {}
    p = re.escape(prefix)
    formula = re.compile(rb"<" + p + rb"f\b[^>]*?(?:/>|>(.*?)</" + p + rb"f>)", re.S)
    value = re.compile(rb"<" + p + rb"v\b[^>]*?(?:/>|>(.*?)</" + p + rb"v>)", re.S)
    cell_open, cell_close = b"<" + prefix + b"c ", b"</" + prefix + b"c>"
    found: dict[int, dict[int, Unreadable]] = {}
    done = 0
    # Two plain searches (one pattern with both would cost ten times as much on a large sheet).
    marks = [match.start() for match in re.finditer(rb"<" + p + rb"f[\s/>]", data)]
    position = data.find(b' t="e"')
    while position >= 0:
        marks.append(position)
        position = data.find(b' t="e"', position + 1)
    for mark in sorted(marks):
        if mark < done:
            continue  # inside the cell just read
        start = data.rfind(cell_open, 0, mark + 1)
        tag_end = data.find(b">", start)
        if start < 0 or tag_end < 0:
            continue
        attributes = _attributes(data[start:tag_end])
        if data[tag_end - 1 : tag_end] == b"/":
            body, done = b"", tag_end
        else:
            end = data.find(cell_close, tag_end)
            body, done = data[tag_end + 1 : end if end >= 0 else len(data)], max(end, tag_end)
        kind = attributes.get("t", "n")
        given = value.search(body)
        result = html.unescape((given.group(1) or b"").decode("utf-8", "replace")) if given else ""
        written = formula.search(body)
        if kind == "e":
            cell = Unreadable(result or "#N/A", error=True)
        elif written is not None and not result and kind not in ("str", "inlineStr"):
            text = html.unescape((written.group(1) or b"").decode("utf-8", "replace"))
            cell = Unreadable("=" + text if text else "")
        else:
            continue
        reference = _REFERENCE.fullmatch(attributes.get("r", "").encode())
        if reference is None:
            raise FileError(
                _(
                    "The workbook holds formulas without their results: open it in Excel or WPS, save it "
                    "and import it again."
                )
            )
        found.setdefault(int(reference.group(2)), {})[_column_index(reference.group(1))] = cell
    return found


def xlsx_rows(path: Path, skip: Iterable[str] = ()) -> tuple[Iterator[tuple], list[str], str]:
    """The first sheet's rows (not those of the help sheets named in `skip`), the names of the
    other sheets, which are not read, and the name of the sheet read.

    python-calamine (Rust) when it is installed reads 100 k rows in a second or two; openpyxl's
    read-only mode, the fallback, takes half a minute."""
    try:
        import python_calamine
    except ImportError:
        return openpyxl_rows(path, skip)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for a damaged file
        raise FileError(_("The file cannot be read as an Excel workbook: save it again as .xlsx.")) from error
    names = [n for n in workbook.sheet_names if n.strip() not in set(skip)] or workbook.sheet_names
    if not names:
        raise FileError(_("The workbook has no sheet."))
    # skip_empty_area=False: the grid from A1, so that row numbers are those the user sees.
    try:
        grid = workbook.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
    except Exception as error:  # a sheet calamine cannot decode (damaged, or not what it claims)
        raise FileError(_("The file cannot be read as an Excel workbook: save it again as .xlsx.")) from error

    def rows():
        for row in grid:
            yield tuple(None if value == "" else value for value in row)

    return rows(), names[1:], names[0]


def openpyxl_rows(path: Path, skip: Iterable[str] = ()) -> tuple[Iterator[tuple], list[str], str]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileError(_("The file cannot be read as an Excel workbook: save it again as .xlsx.")) from error
    sheets = [ws for ws in workbook.worksheets if ws.title.strip() not in set(skip)] or workbook.worksheets
    if not sheets:
        raise FileError(_("The workbook has no sheet."))
    sheet = sheets[0]
    # A workbook written by some programs claims a size (A1:A1) smaller than its data.
    sheet.reset_dimensions()

    def rows():
        try:
            yield from sheet.iter_rows(values_only=True)
        finally:
            workbook.close()

    return rows(), [ws.title for ws in sheets[1:]], sheet.title


def _CSV_NOT_TEXT() -> str:  # noqa: N802  (a message, translated when it is said)
    return _("The CSV file is neither UTF-8 nor GBK text: save it again from Excel.")


def decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileError(_CSV_NOT_TEXT()) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Chinese Excel and WPS save a CSV in (GBK is a subset)
    except UnicodeDecodeError:
        raise FileError(_CSV_NOT_TEXT()) from None


def csv_rows(path: Path) -> Iterator[tuple]:
    text = decode_csv(path.read_bytes())
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield tuple(row)
    except csv.Error as error:  # a field longer than the csv module takes, a NUL in a quoted field …
        message = _("Row %(row)s of the CSV file cannot be read: save the file again from Excel.")
        raise FileError(message % {"row": reader.line_num}) from error


def small_csv_rows(content: bytes) -> list[list[str]]:
    """The non-blank rows of a small CSV given whole (a calendar, a feed file), cells stripped.
    FileError when it is no text: UTF-8 or GBK as Excel saves it, without NUL characters."""
    text = decode_csv(content)
    if "\x00" in text:
        raise FileError(_("The file is not a text (CSV) file."))
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise FileError(_("The file is not a text (CSV) file.")) from error
    return [row for row in rows if any(row)]


def marking(rows: Iterator[tuple[int, tuple]], unreadable: dict) -> Iterator[tuple[int, tuple]]:
    """The rows, each cell without a value replaced by its Unreadable."""
    for number, cells in rows:
        marked = unreadable.get(number)
        if marked:
            width = max(len(cells), max(marked) + 1)
            cells = tuple(marked.get(i, cells[i] if i < len(cells) else None) for i in range(width))
        yield number, cells


# --- a simple layout: a header row naming the columns --------------------------------------------------


def fold_header(text) -> str:
    """A header as compared: full-width folded, spaces, brackets and asterisks (required marks) gone."""
    folded = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s*()（）【】\[\]]", "", folded)


@dataclass
class Table:
    columns: dict[int, str]  # position → the field it holds
    headers: list[str]  # each header as written
    rows: Iterator[tuple[int, tuple]]  # (row number as the user sees it, cells as written)


def open_rows(path: Path, skip_sheets: Iterable[str] = ()) -> tuple[Iterable, list[str], dict]:
    """The rows of a spreadsheet file, whatever its kind: (rows, the workbook's other sheets, the
    cells without a value by row and column). An .xlsx is read from its first sheet not in
    `skip_sheets`, anything else as CSV; an old .xls is refused (FileError) with what to do."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        source, other_sheets, sheet_name = xlsx_rows(path, skip_sheets)
        return source, other_sheets, unreadable_cells(path, sheet_name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(
            _("This is an old Excel file (.xls): open it in Excel or WPS, save it as .xlsx, and import that.")
        )
    return csv_rows(path), [], {}


def read_table(path: Path, names: dict[str, Iterable[str]], *, required: Iterable[str] = (),
               skip_sheets: Iterable[str] = (), scan: int = 10) -> Table:
    """The first sheet of an .xlsx or a CSV as a header row and data rows. `names`: each field and the
    headers that name it; the header is the row (of the first `scan`) naming the most fields, and it
    must name the `required` ones (FileError otherwise). Cells without a value (formulas without a
    result, errors) come as Unreadable."""
    source, _others, unreadable = open_rows(path, skip_sheets)
    lookup = {fold_header(alias): field for field, aliases in names.items() for alias in aliases}
    source = iter(source)
    buffered = [tuple(row) for _number, row in zip(range(scan), source, strict=False)]
    best, columns = -1, {}
    for index, row in enumerate(buffered):
        found = {}
        for position, cell in enumerate(row):
            field = lookup.get(fold_header(cell)) if not is_blank(cell) else None
            if field is not None and field not in found.values():
                found[position] = field
        if len(found) > len(columns):
            best, columns = index, found
    missing = [field for field in required if field not in columns.values()]
    if best < 0 or missing:
        wanted = [next(iter(names[field])) for field in (missing or required)]
        raise FileError(_(
            "No header row was found: the sheet needs the columns %(columns)s (see the template)."
        ) % {"columns": "、".join(f"「{name}」" for name in wanted)})
    headers = ["" if is_blank(cell) else str(cell).strip() for cell in buffered[best]]

    def rows() -> Iterator[tuple[int, tuple]]:
        yield from enumerate(buffered[best + 1:], start=best + 2)
        for number, row in enumerate(source, start=len(buffered) + 1):
            yield number, tuple(row)

    marked = {n: cells for n, cells in unreadable.items() if n > best + 1}
    return Table(columns=columns, headers=headers, rows=marking(rows(), marked) if marked else rows())


# --- writing ----------------------------------------------------------------------------------------

# Not allowed in XML 1.0: a pasted control character would make the whole file unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_cell(sheet, value, style: dict | None = None):
    """A cell for openpyxl that keeps text as text: '=HYPERLINK(…)' typed or uploaded stays the
    characters it is, never a live formula in a workbook the system hands out (openpyxl would
    store any string that begins with = as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Unreadable):
        value = value.text  # the formula as the file held it: text, to be replaced by its value
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True  # Excel's text prefix: editing the cell does not make it a formula
    for name, value_ in (style or {}).items():
        setattr(cell, name, value_)
    return cell
