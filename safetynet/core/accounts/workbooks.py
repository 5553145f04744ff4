"""The workbooks of the accounts import: the empty template (drop-down for 角色, text columns kept as
text), the rows handed back with their reasons, and the one-time passwords of those created."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from safetynet.core.accounts import importer
from safetynet.core.sheets import text_cell

TEMPLATE_ROWS = 1000
_BOLD, _FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
_BAD = PatternFill("solid", fgColor="F8CBAD")
# The template's columns: one of the two village columns is enough.
TEMPLATE_FIELDS = ("name", "username", "role", "village_code", "village_name", "phone")
WIDTHS = {"name": 12, "username": 16, "role": 18, "village_code": 16, "village_name": 20, "phone": 14}


def template_workbook(out) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.DATA_SHEET
    for position, field_name in enumerate(TEMPLATE_FIELDS, start=1):
        cell = sheet.cell(row=1, column=position, value=importer.COLUMNS[field_name][0])
        cell.font, cell.fill = _BOLD, _FILL
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = WIDTHS[field_name]
        for row in range(2, TEMPLATE_ROWS + 2):  # text: codes and phone numbers stay as typed
            sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "A2"
    lists = workbook.create_sheet(importer.LISTS_SHEET)
    lists.sheet_state = "hidden"
    for index, label in enumerate(importer.ROLE_CHOICES, start=1):
        lists.cell(row=index, column=1, value=label)
    source = f"'{importer.LISTS_SHEET}'!$A$1:$A${len(importer.ROLE_CHOICES)}"
    validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=False)
    role_letter = get_column_letter(TEMPLATE_FIELDS.index("role") + 1)
    validation.add(f"{role_letter}2:{role_letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)
    notes = workbook.create_sheet(importer.NOTES_SHEET)
    notes.append(["列名", "是否必填", "说明"])
    for cell in notes[1]:
        cell.font, cell.fill = _BOLD, _FILL
    for field_name in TEMPLATE_FIELDS:
        required, note = importer.NOTES[field_name]
        notes.append([importer.COLUMNS[field_name][0], required, note])
    notes.append([])
    for line in importer.RULES:
        notes.append([line])
    for letter, width in zip("ABC", (18, 10, 80), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(out)


def returned_workbook(out, *, headers: list[str], rows: list[dict]) -> None:
    """The rows handed back as the user wrote them, with 原行号 and 错误原因 (rows: number, cells,
    reasons), to correct and import again."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(importer.DATA_SHEET)
    header_cells = [text_cell(sheet, text, {"font": _BOLD, "fill": _FILL})
                    for text in [*headers, "原行号", importer.ERROR_HEADER]]
    sheet.append(header_cells)
    width = len(headers)
    for row in rows:
        cells = list(row["cells"])[:width] + [None] * max(0, width - len(row["cells"]))
        sheet.append([*(text_cell(sheet, value) for value in cells), row["number"],
                      text_cell(sheet, "；".join(row["reasons"]), {"fill": _BAD})])
    workbook.save(out)


def passwords_workbook(out, *, created: list[dict]) -> None:
    """用户名, 姓名, 角色, 村（社区）, 一次性密码 of each account created (given out once)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("一次性密码")
    sheet.append([text_cell(sheet, text, {"font": _BOLD, "fill": _FILL})
                  for text in ("用户名", "姓名", "角色", "村（社区）", "一次性密码", "说明")])
    for row in created:
        keys = ("username", "name", "role", "division", "password")
        note = text_cell(sheet, "首次登录后须修改密码")
        sheet.append([text_cell(sheet, row[key]) for key in keys] + [note])
    workbook.save(out)
