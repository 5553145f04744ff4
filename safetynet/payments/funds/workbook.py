"""The funds statistics as an .xlsx: the same tables as the page, one sheet each, amounts as numbers
(yuan, two places) and every text cell kept as text (core.sheets.text_cell)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from safetynet.core.sheets import text_cell

MONEY = "#,##0.00"
_BOLD = Font(bold=True)


def _sheet(book, title: str, headers: list[str], rows: list[list], widths: list[int]):
    sheet = book.create_sheet(title[:31])
    for position, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(position + 1)].width = width
    sheet.append([text_cell(sheet, header, {"font": _BOLD}) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    return sheet


def _cell(sheet, value):
    if isinstance(value, str):
        return text_cell(sheet, value)
    return text_cell(sheet, value, {"number_format": MONEY})


def funds_workbook(figures: dict, *, area: str) -> bytes:
    """`figures` as funds.selectors.funds_statistics gives them, for the area named `area`."""
    book = Workbook(write_only=True)
    year = figures["year"]
    summary = book.create_sheet(_("Summary"))
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 20
    for label, value in (
        (_("Area"), area),
        (_("Year"), str(year)),
        (_("Social assistance funds paid in the year (yuan)"), figures["total"]),
    ):
        summary.append([text_cell(summary, label, {"font": _BOLD}), _cell(summary, value)])
    summary.append([])
    summary.append(
        [
            text_cell(
                summary,
                _(
                    "Sums over the ledger: payroll lines the bank paid and temporary aid paid by the "
                    "townships, booked in the year. Anyone can reproduce them from the ledger alone."
                ),
            )
        ]
    )
    total_label = _("Total")
    _sheet(
        book,
        _("By programme"),
        [_("Programme"), _("Paid (yuan)")],
        [[row["name"], row["amount"]] for row in figures["by_programme"]] + [[total_label, figures["total"]]],
        [24, 18],
    )
    _sheet(
        book,
        _("By county"),
        [_("County code"), _("County"), _("Paid (yuan)")],
        [[row["county"], row["name"], row["amount"]] for row in figures["by_county"]]
        + [["", total_label, figures["total"]]],
        [12, 20, 18],
    )
    _sheet(
        book,
        _("By month"),
        [_("Month"), _("Paid (yuan)")],
        [[f"{row['month']:%Y-%m}", row["amount"]] for row in figures["by_month"]]
        + [[total_label, figures["total"]]],
        [12, 18],
    )
    names = [row["name"] for row in figures["programmes"]]
    _sheet(
        book,
        _("County by programme"),
        [_("County code"), _("County"), *names, _("Total")],
        [
            [row["county"], row["name"], *row["amounts"], row["total"]]
            for row in figures["by_county_programme"]
        ]
        + [["", total_label, *figures["programme_totals"], figures["total"]]],
        [12, 20, *([18] * len(names)), 18],
    )
    _sheet(
        book,
        _("By fund source"),
        [_("Fund source"), _("Paid (yuan)")],
        [[row["name"], row["amount"]] for row in figures["by_fund"]] + [[total_label, figures["total"]]],
        [20, 18],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def funds_filename(year: int) -> str:
    return _("social-assistance-funds-%(year)s.xlsx") % {"year": year}
