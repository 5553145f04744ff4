"""The returned file: every row handed back as the clerk wrote it, the reason first, its bad
cells highlighted, text kept as text, ready to correct and import again."""


from django.utils.translation import gettext as _

from safetynet.core.sheets import text_cell  # noqa: F401  (callers import it from here)
from safetynet.registry.imports.layout import DATA_SHEET, ERROR_HEADER, ROW_HEADER, Column, _header_key
from safetynet.registry.imports.rows import Group, Row

# --- the returned file -------------------------------------------------------------------------------


# A reason is a sentence with its own full stop; joined, the stops inside give way to the
# semicolon ("…；…。", never "…。；…").
_STOPS = "。．.；;，, "


def join_reasons(reasons) -> str:
    """Several reasons in one cell or line, each once, in order."""
    parts = [str(reason).strip() for reason in dict.fromkeys(reasons)]
    parts = [part for part in parts if part.rstrip(_STOPS)]
    if not parts:
        return ""
    return "；".join([part.rstrip(_STOPS) for part in parts[:-1]] + [parts[-1]])


def _row_reason(group: Group, row: Row) -> str:
    reasons = list(group.errors) + list(row.errors)
    if reasons:
        return join_reasons(reasons)
    bad = [str(r.number) for r in group.rows if r.errors]
    return (
        _("Another row of this household (row %(rows)s) has an error: the household is returned whole.")
        % {"rows": "、".join(bad)}
        if bad
        else _("The household is returned whole.")
    )


def _is_returned_column(header) -> bool:
    """A column the returned file adds (错误原因, 原行号): a corrected file imported again brings
    them back, and they are not carried over a second time."""
    key = _header_key(header or "")
    return key in (_header_key(ERROR_HEADER), _header_key(ROW_HEADER))


def _bad_positions(row: Row, group: Group, positions: dict[str, int]) -> set[int]:
    """The cells the reasons are about, by the column header each reason begins with."""
    bad = set()
    for error in (*group.errors, *row.errors):
        header = error.split("：", 1)[0].split(": ", 1)[0]
        if header in positions:
            bad.add(positions[header])
    return bad


def rejected_workbook(
    headers: list[str], groups: list[Group], out, columns: dict[int, Column] | None = None
) -> None:
    """Every rejected row as written, the reason first (so it is seen), its bad cells
    highlighted, ready to correct and import again. A returned file's own 错误原因 and 原行号
    are not carried over: a corrected file imported again comes back with its new reasons only."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 60
    width = max([len(headers)] + [len(row.cells) for g in groups for row in g.rows])
    kept = [i for i in range(width) if not (i < len(headers) and _is_returned_column(headers[i]))]
    positions = {column.header: position for position, column in (columns or {}).items()}
    for position, column in (columns or {}).items():
        positions.setdefault(headers[position] if position < len(headers) else column.header, position)
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    bad_fill = PatternFill("solid", fgColor="FFC7CE")
    header_style = {"font": bold, "fill": head_fill}
    names = [ERROR_HEADER, ROW_HEADER] + [headers[i] if i < len(headers) else "" for i in kept]
    sheet.append([text_cell(sheet, name, header_style) for name in names])
    rows = sorted(((row.number, group, row) for group in groups for row in group.rows), key=lambda t: t[0])
    wrap = {"alignment": Alignment(wrap_text=True, vertical="top"), "font": Font(color="9C0006")}
    for number, group, row in rows:
        bad = _bad_positions(row, group, positions)
        cells = [text_cell(sheet, _row_reason(group, row), wrap), text_cell(sheet, number)]
        for i in kept:
            value = row.cells[i] if i < len(row.cells) else None
            cells.append(text_cell(sheet, value, {"fill": bad_fill} if i in bad else None))
        sheet.append(cells)
    workbook.save(out)


def returned_reasons(groups: list[Group], limit: int = 500) -> list[list]:
    """[[row number, reason], …] of the returned rows, for the job's page."""
    rows = sorted(((row.number, group, row) for group in groups for row in group.rows), key=lambda t: t[0])
    return [[number, _row_reason(group, row)] for number, group, row in rows[:limit]]


