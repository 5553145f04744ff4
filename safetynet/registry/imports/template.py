"""The empty template: the data sheet with drop-down lists on every coded column, and 说明."""

import csv
import io

from safetynet.registry.imports.layout import (
    COLUMNS,
    DATA_SHEET,
    LISTS_SHEET,
    NOTES_SHEET,
    Column,
    choice_label,
)

# --- the template --------------------------------------------------------------------------------------


def _values_note(column: Column) -> str:
    if column.choices is None:
        return ""
    return "；".join(f"{value} {choice_label(column.choices, value)}" for value in column.choices.values)


def template_workbook(out) -> None:
    """The empty template: the data sheet with its headers (ID and code columns formatted as text),
    and 说明 explaining every column and its values."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = column.width
        if column.kind not in ("date", "amount", "area", "bool"):
            for row in range(2, TEMPLATE_ROWS + 2):  # text: Excel keeps ID numbers, leading zeros as typed
                sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append(["列名", "是否必填", "说明", "可填写的值（代码 名称，填代码或名称均可）"])
    for cell in notes[1]:
        cell.font, cell.fill = bold, fill
    for column in COLUMNS:
        notes.append([column.header, column.required, column.note, _values_note(column)])
    notes.append([])
    for line in TEMPLATE_RULES:
        notes.append([line])
    for letter, width in zip("ABCD", (22, 10, 60, 80), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _add_drop_downs(workbook, sheet)
    workbook.save(out)


TEMPLATE_ROWS = 1000  # rows formatted as text and offered the drop-down lists


def _add_drop_downs(workbook, sheet) -> None:
    """A drop-down list (Excel data validation) on every coded column, from a hidden sheet (a
    list written into the rule itself may hold 255 characters: not the 56 ethnicities). Typing a
    code, or a name the list does not show, stays allowed: the import reads those too."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_column = 0
    for position, column in enumerate(COLUMNS, start=1):
        if column.kind == "choice":
            labels = [choice_label(column.choices, value) for value in column.choices.values]
        elif column.kind == "bool":
            labels = ["是", "否"]
        else:
            continue
        list_column += 1
        letter = get_column_letter(list_column)
        lists.cell(row=1, column=list_column, value=column.header)
        for index, label in enumerate(labels, start=2):
            lists.cell(row=index, column=list_column, value=label)
        source = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=False)
        target = get_column_letter(position)
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)


TEMPLATE_RULES = [
    "填写规则：",
    "1. 每人一行；同一户的各行填同一个「户编号」（或同一个「户主身份证号」）。"
    "各列次序不限，表头上方可以有标题行。",
    "2. 以户为单位导入：一户中只要有一行有错，整户不导入，连同错误原因退回；改正后可再次导入。",
    "3. 本户的信息（村/社区代码、住址、取暖方式等）填在任意一行即可；几行都填的必须一致。",
    "4. 日期可写作 1950-01-01、1950年1月1日、1950/1/1 或 19500101；金额可带“元”和千位分隔符，如 1,234.50元。",
    "5. 已登记的家庭（按身份证号认出）：填了的值与系统不同的才修改，并记入该户的变更记录；空白单元格不修改；"
    "表中没有的成员不会被移出。再次导入同一个文件不会改动任何数据。",
    "6. 导出的表格中身份证号、电话被遮盖（带*号）的，原样保留即表示不修改。",
    "7. 不在您辖区的家庭不能导入或修改。",
]


def template_csv() -> bytes:
    """The template's header row as CSV, UTF-8 with a BOM so that Excel opens it in Chinese."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([column.header for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
