"""Registry lists as spreadsheets: the household list, with the filters of the page it came from,
one row per person in the import layout (imports.COLUMNS), so that an export can be edited and
imported again.

Masking is as on screen, by the one privacy policy (core.privacy.Disclosure): ID numbers, phone
numbers and disability certificate numbers are masked by default for every role; dates of birth are
whole only for a role that may see whole identifiers, as on the household page. Such a role can ask
for them explicitly (`whole=True`): each person and household exported whole is then logged
(UnmaskLog, channel "export"), as a "Show in full" on the page would be. A masked export is still
re-importable: masked values mean "unchanged", and 系统人员编号 says who each row is.

The workbook is written with openpyxl's write-only mode, a chunk of households at a time, to a
file: a county's 80 k households never sit in memory at once.
"""

import datetime
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl.utils import get_column_letter

from safetynet.core.privacy import Disclosure
from safetynet.core.types import User
from safetynet.registry import codes, identifiers, selectors
from safetynet.registry.imports import (
    ASSET,
    ASSET_TYPES,
    COLUMNS,
    DATA_SHEET,
    HOUSEHOLD,
    INCOME,
    INCOME_CATEGORIES,
    KEY,
    MEMBER,
    PERIOD,
    PERSON,
    SYSTEM,
    Column,
    choice_label,
)
from safetynet.registry.models import AssetItem, Household, IncomeItem, Membership

EXPORT_CHUNK = 1000
# A person's columns that the privacy policy governs are written as it shows them, the others as
# they are; the identifiers among them are what an export in whole numbers logs.
GOVERNED = frozenset(identifiers.PERSON.masks) | frozenset(identifiers.PERSON.revealing)
EXPORTED_IDENTIFIERS = tuple(column.field for column in COLUMNS
                             if column.part == PERSON and column.field in identifiers.PERSON.masks)


def household_key(household_id: int) -> str:
    """What an export writes in 户编号: the household's number in the system."""
    return f"户{household_id}"


def _cell(column: Column, value):
    """A model value as the template writes it: codes by their Chinese names, yes/no as 是/否."""
    if value is None or value == "":
        return None
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "choice":
        try:
            return choice_label(column.choices, value)
        except ValueError:
            return str(value)
    return value


def _member_order(membership: Membership) -> tuple:
    return (
        membership.relation not in codes.HEAD_RELATIONS,
        membership.relation,
        membership.person.birth_date,
        membership.pk,
    )


def _chunk_rows(chunk: list[int], disclosure: Disclosure) -> Iterable[list]:
    households = Household.objects.select_related("village").in_bulk(chunk)
    members = defaultdict(list)
    memberships = Membership.objects.filter(household_id__in=chunk, left_on__isnull=True).select_related(
        "person"
    )
    for membership in memberships:
        members[membership.household_id].append(membership)
    income = defaultdict(lambda: defaultdict(lambda: 0))
    periods = defaultdict(set)
    for household_id, person_id, category, amount, start, end in IncomeItem.objects.filter(
        household_id__in=chunk,
        excluded=False,
        category__in=INCOME_CATEGORIES,
    ).values_list("household_id", "person_id", "category", "amount", "period_start", "period_end"):
        income[(household_id, person_id)][category] += amount
        periods[household_id].add((start, end))
    assets = defaultdict(lambda: defaultdict(lambda: 0))
    for household_id, person_id, asset_type, value in AssetItem.objects.filter(
        household_id__in=chunk,
        exempt=False,
        asset_type__in=ASSET_TYPES,
    ).values_list("household_id", "person_id", "asset_type", "value"):
        assets[(household_id, person_id)][asset_type] += value

    for household_id in chunk:
        household = households.get(household_id)
        if household is None:  # deleted since the list was read
            continue
        ordered = sorted(members[household_id], key=_member_order)
        head = next((m for m in ordered if m.relation in codes.HEAD_RELATIONS), None)
        shown = {m.person_id: disclosure.show(m.person, fields=EXPORTED_IDENTIFIERS) for m in ordered}
        # One period for all the household's income: written; several: blank (each item keeps its own).
        period = next(iter(periods[household_id])) if len(periods[household_id]) == 1 else (None, None)
        household_values = {
            (KEY, "household_key"): household_key(household_id),
            (KEY, "head_id"): shown[head.person_id]["id_number"] if head else None,
            (HOUSEHOLD, "phone"): disclosure.show(household)["phone"],
            (PERIOD, "period_start"): period[0],
            (PERIOD, "period_end"): period[1],
        }
        for name in (
            "village",
            "address",
            "urban_rural",
            "housing_status",
            "house_structure",
            "floor_area",
            "heating",
            "co_alarm",
        ):
            household_values[(HOUSEHOLD, name)] = getattr(
                household, "village_id" if name == "village" else name
            )
        for position, membership in enumerate(ordered):
            person = membership.person
            # The household's own values once, on its first row: edited there, they cannot disagree.
            values = (
                dict(household_values)
                if position == 0
                else {key: household_values[key] for key in ((KEY, "household_key"), (KEY, "head_id"))}
            )
            for column in COLUMNS:
                if column.part == PERSON:
                    if column.field in GOVERNED:
                        values[(PERSON, column.field)] = shown[person.pk][column.field]
                    elif column.kind == "division":
                        values[(PERSON, column.field)] = getattr(person, column.field + "_id")
                    else:
                        values[(PERSON, column.field)] = getattr(person, column.field)
                elif column.part == MEMBER:
                    values[(MEMBER, column.field)] = getattr(membership, column.field)
                elif column.part == INCOME:
                    values[(INCOME, column.field)] = income[(household_id, person.pk)].get(column.field)
                elif column.part == ASSET:
                    values[(ASSET, column.field)] = assets[(household_id, person.pk)].get(column.field)
            values[(SYSTEM, "person")] = str(person.pk)
            yield [_cell(column, values.get((column.part, column.field))) for column in COLUMNS]


def write_workbook(rows: Iterable[list], out) -> None:
    """Rows in the import layout (imports.COLUMNS order) as an .xlsx, written as they come."""
    sheet = XlsxStream(out, DATA_SHEET, widths=[column.width for column in COLUMNS])
    sheet.append([column.header for column in COLUMNS], header=True)
    for row in rows:
        sheet.append(row)
    sheet.close()


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
# The parts of a one-sheet workbook besides the sheet ({sheet}: its name).
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="{{sheet}}" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_REL}/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    # Styles: 0 plain, 1 date (yyyy-mm-dd), 2 text (@: Excel keeps ID numbers as typed), 3 header,
    # 4 text that looks like a formula (=…): with Excel's text prefix, so editing it keeps it text.
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_NS}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
        '<font><b/><sz val="11"/><name val="等线"/></font></fonts><fills count="2"><fill><patternFill '
        'patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders '
        'count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs '
        'count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" '
        'fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" '
        'borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" '
        'xfId="0" applyFont="1" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" '
        'xfId="0" applyNumberFormat="1" quotePrefix="1"/></cellXfs><cellStyles count="1"><cellStyle '
        'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}


class XlsxStream:
    """A one-sheet .xlsx written row by row straight into its zip: constant memory, and about
    twenty times faster than openpyxl's write-only mode (whose per-cell objects would take two
    minutes for a county's 200 k rows). Strings, numbers, Decimals and dates; nothing else is
    needed here. Excel, WPS, openpyxl and calamine read it."""

    _EPOCH = datetime.date(1899, 12, 30)
    # Not allowed in XML 1.0 (a pasted control character would make the file unreadable).
    _ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    _FORMULA_START = frozenset("=+-@")

    def __init__(self, out, sheet_name: str, *, widths: list[int]):
        self.zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=3)
        self._static(sheet_name)
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.letters = [get_column_letter(i + 1) for i in range(max(len(widths), 1) + 64)]
        self.number = 0
        columns = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1)
        )
        frozen_header = (
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        )
        columns = f"<cols>{columns}</cols>" if columns else ""
        self._write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}">'
            f"{frozen_header}{columns}<sheetData>"
        )

    def _write(self, text: str) -> None:
        self.sheet.write(text.encode("utf-8"))

    def _static(self, sheet_name: str) -> None:
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        for name, body in _XLSX_PARTS.items():
            self.zip.writestr(name, head + body.replace("{sheet}", escape(sheet_name, {'"': "&quot;"})))

    def append(self, values: list, *, header: bool = False) -> None:
        self.number += 1
        number, letters, cells = self.number, self.letters, []
        for position, value in enumerate(values):
            if value is None or value == "":
                continue
            ref = f"{letters[position]}{number}"
            kind = value.__class__
            if kind is str:
                # Text is written as text (inline strings): '=HYPERLINK(…)' is never a live formula.
                text = escape(self._ILLEGAL.sub("", value))
                style = 3 if header else 4 if value[:1] in self._FORMULA_START else 2
                cells.append(
                    f'<c r="{ref}" t="inlineStr" s="{style}"><is><t xml:space="preserve">'
                    f"{text}</t></is></c>"
                )
            elif kind is datetime.date or kind is datetime.datetime:
                day = value.date() if kind is datetime.datetime else value
                cells.append(f'<c r="{ref}" s="1"><v>{(day - self._EPOCH).days}</v></c>')
            elif kind is bool:
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif kind in (int, float, Decimal):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = escape(self._ILLEGAL.sub("", str(value)))
                cells.append(f'<c r="{ref}" t="inlineStr" s="2"><is><t>{text}</t></is></c>')
        self._write(f'<row r="{number}">{"".join(cells)}</row>')

    def close(self) -> None:
        self._write("</sheetData></worksheet>")
        self.sheet.close()
        self.zip.close()


def household_export(*, actor: User, filters: dict | None = None, whole: bool = False, out) -> int:
    """Write the households the actor's list shows with `filters` (selectors.household_list's
    keyword arguments) to `out` as .xlsx, one row per current member; return how many households.

    `whole=True` writes whole identifiers where the actor's role may see them, and logs each.
    """
    households = selectors.household_list(actor=actor, **(filters or {}))
    ids = list(households.order_by("-id").values_list("pk", flat=True))
    disclosure = Disclosure(actor, channel="export", whole=whole, batched=True)

    def rows():
        for start in range(0, len(ids), EXPORT_CHUNK):
            yield from _chunk_rows(ids[start : start + EXPORT_CHUNK], disclosure)
            disclosure.flush()

    write_workbook(rows(), out)
    return len(ids)


def export_filename(now: datetime.datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    return f"家庭成员-{now:%Y%m%d-%H%M}.xlsx"


# --- the demo city in the import layout (for benchmarks and tests) ------------------------------------


def plan_rows(plans) -> Iterable[list]:
    """Rows of demo.HouseholdPlan households as a clerk would fill in the template (whole numbers,
    codes as names, the household named by a 户编号)."""
    from safetynet.registry.demo.money import income_period

    for number, plan in enumerate(plans, start=1):
        period = income_period(plan.joined_on)
        for index, member in enumerate(plan.members):
            values = {
                (KEY, "household_key"): str(number),
                (HOUSEHOLD, "village"): plan.village,
                (HOUSEHOLD, "address"): plan.address,
                (HOUSEHOLD, "urban_rural"): plan.urban_rural,
                (HOUSEHOLD, "phone"): plan.phone,
                (HOUSEHOLD, "housing_status"): plan.housing_status,
                (HOUSEHOLD, "house_structure"): plan.house_structure,
                (HOUSEHOLD, "floor_area"): plan.floor_area,
                (HOUSEHOLD, "heating"): plan.heating,
                (HOUSEHOLD, "co_alarm"): plan.co_alarm,
                (MEMBER, "relation"): member.relation,
                (MEMBER, "exclusion"): member.exclusion,
                (MEMBER, "co_living"): not member.exclusion,
                (MEMBER, "joined_on"): max(plan.joined_on, member.birth_date),
            }
            for column in COLUMNS:
                if column.part == PERSON:
                    values[(PERSON, column.field)] = getattr(member, column.field, None)
            counted = [i for i in plan.incomes if i.member == index and not i.values.get("excluded")]
            for item in counted:
                key = (INCOME, item.values["category"])
                values[key] = values.get(key, 0) + item.values["amount"]
            if counted:
                values[(PERIOD, "period_start")], values[(PERIOD, "period_end")] = period
            for item in plan.assets:
                if (
                    item.member == index
                    and not item.values.get("exempt")
                    and item.values["asset_type"] in ASSET_TYPES
                ):
                    key = (ASSET, item.values["asset_type"])
                    values[key] = values.get(key, 0) + item.values["value"]
            yield [_cell(column, values.get((column.part, column.field))) for column in COLUMNS]
