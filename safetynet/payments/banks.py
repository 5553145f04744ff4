"""The banks a county pays through and the layout each wants its payment file in, and how each
reads back its result file: CSV, fixed-width text and XLSX, with header and trailer totals where
the bank wants them. A layout is data here, not code: a new bank is a new entry.

A payment file line names the payroll line by its reference (the line's number, zero-padded), the
holder, the whole account number and the amount. A result file gives back each line as it was sent
followed by 成功/失败 (S/F in fixed width) and the failure's reason, with the same header and trailer."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CSV, FIXED, XLSX = "csv", "fixed", "xlsx"
PAID_WORDS = {"成功", "S", "0", "paid", "success"}
FAILED_WORDS = {"失败", "F", "1", "failed", "fail"}


@dataclass(frozen=True)
class Bank:
    code: str
    name: object
    layout: str
    header: bool = True
    trailer: bool = True
    encoding: str = "utf-8"


BANKS = {
    bank.code: bank
    for bank in (
        Bank("rcb", gettext_lazy("Rural Commercial Bank (one-card accounts)"), FIXED, encoding="gb18030"),
        Bank("psbc", gettext_lazy("Postal Savings Bank"), CSV, encoding="gb18030"),
        Bank("icbc", gettext_lazy("Industrial and Commercial Bank"), XLSX, trailer=False),
        Bank("ccb", gettext_lazy("China Construction Bank"), CSV, header=False, trailer=False),
    )
}
DEFAULT_BANK = "rcb"


def bank_choices() -> list[tuple[str, str]]:
    return [(bank.code, str(bank.name)) for bank in BANKS.values()]


@dataclass(frozen=True)
class FileLine:
    ref: str
    name: str
    account: str
    amount: Decimal


@dataclass
class ResultLine:
    row: int
    ref: str
    account: str
    amount: Decimal | None
    paid: bool | None
    reason: str


@dataclass
class ResultFile:
    county: str | None
    month: str | None
    count: int | None
    total: Decimal | None
    lines: list[ResultLine]
    errors: list[str]


def reference(line_id: int) -> str:
    return f"{line_id:012d}"


def fen(amount: Decimal) -> str:
    return f"{int((amount * 100).to_integral_value()):015d}"


def _width(text: str, size: int, encoding: str) -> bytes:
    """Left-justified to `size` bytes in the bank's encoding, cut on a character boundary."""
    whole = text.encode(encoding, errors="replace")
    if len(whole) <= size:  # nearly always: cut character by character only what is too long
        return whole + b" " * (size - len(whole))
    data = b""
    for char in text:
        encoded = char.encode(encoding, errors="replace")
        if len(data) + len(encoded) > size:
            break
        data += encoded
    return data + b" " * (size - len(data))


def payment_file(bank: Bank, *, county: str, month: datetime.date, lines: list[FileLine]) -> bytes:
    """The payment file for the bank, whole account numbers in it (it goes to the bank alone)."""
    total = sum((line.amount for line in lines), Decimal("0.00"))
    period = f"{month:%Y%m}"
    if bank.layout == FIXED:
        out = []
        if bank.header:
            out.append(
                b"H" + county.encode() + period.encode() + f"{len(lines):08d}".encode() + fen(total).encode()
            )
        for line in lines:
            out.append(
                b"D"
                + line.ref.encode()
                + _width(line.account, 32, bank.encoding)
                + _width(line.name, 40, bank.encoding)
                + fen(line.amount).encode()
            )
        if bank.trailer:
            out.append(b"T" + f"{len(lines):08d}".encode() + fen(total).encode())
        return b"\r\n".join(out) + b"\r\n"
    rows: list[list] = []
    if bank.header:
        rows.append(["县区", county, "月份", period, "笔数", len(lines), "金额", f"{total:.2f}"])
    rows.append(["参考号", "户名", "账号", "金额"])
    rows.extend([line.ref, line.name, line.account, f"{line.amount:.2f}"] for line in lines)
    if bank.trailer:
        rows.append(["合计", len(lines), "", f"{total:.2f}"])
    if bank.layout == CSV:
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(rows)
        return text.getvalue().encode(bank.encoding)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("代发")
    for row in rows:
        sheet.append([str(value) for value in row])  # text cells: account numbers keep their digits
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _status(text: str) -> bool | None:
    text = str(text).strip()
    return True if text in PAID_WORDS else False if text in FAILED_WORDS else None


def read_result(bank: Bank, data: bytes) -> ResultFile:
    """The bank's result file as lines, with what could not be read. Nothing is matched here."""
    result = ResultFile(None, None, None, None, [], [])
    if bank.layout == FIXED:
        try:
            text_lines = data.decode(bank.encoding).splitlines()
        except UnicodeDecodeError:
            result.errors.append(_("The file is not a text file in the bank's encoding."))
            return result
        for number, raw in enumerate(text_lines, 1):
            if not raw.strip():
                continue
            record = raw.encode(bank.encoding)
            if record[:1] == b"H":
                result.county, result.month = record[1:7].decode(), record[7:13].decode()
                result.count = int(record[13:21]) if record[13:21].isdigit() else None
                result.total = _fen_amount(record[21:36])
            elif record[:1] == b"T":
                result.count = int(record[1:9]) if record[1:9].isdigit() else None
                result.total = _fen_amount(record[9:24])
            elif record[:1] == b"D" and len(record) >= 101:
                result.lines.append(
                    ResultLine(
                        number,
                        record[1:13].decode(errors="replace"),
                        record[13:45].decode(errors="replace").strip(),
                        _fen_amount(record[85:100]),
                        _status(record[100:101].decode(errors="replace")),
                        record[101:].decode(bank.encoding, errors="replace").strip(),
                    )
                )
            else:
                result.errors.append(_("Line %(row)s cannot be read.") % {"row": number})
        return result
    if bank.layout == CSV:
        try:
            rows = list(csv.reader(io.StringIO(data.decode(bank.encoding))))
        except (UnicodeDecodeError, csv.Error):
            result.errors.append(_("The file is not a CSV file in the bank's encoding."))
            return result
    else:
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [
                ["" if cell is None else str(cell) for cell in row]
                for row in book.worksheets[0].iter_rows(values_only=True)
            ]
        except Exception:  # noqa: BLE001 - whatever openpyxl raises, the file is not a workbook
            result.errors.append(_("The file is not an XLSX workbook."))
            return result
    for number, row in enumerate(rows, 1):
        cells = [str(cell).strip() for cell in row]
        if not any(cells) or cells[0] == "参考号":
            continue
        if cells[0] == "县区" and len(cells) >= 8:
            result.county, result.month = cells[1], cells[3]
            result.count = int(cells[5]) if cells[5].isdigit() else None
            result.total = _amount(cells[7])
        elif cells[0] == "合计":
            result.count = int(cells[1]) if len(cells) > 1 and cells[1].isdigit() else None
            result.total = _amount(cells[3]) if len(cells) > 3 else None
        elif len(cells) >= 5:  # 参考号, 户名, 账号, 金额, 状态, 原因
            result.lines.append(
                ResultLine(
                    number,
                    cells[0],
                    cells[2],
                    _amount(cells[3]),
                    _status(cells[4]),
                    cells[5] if len(cells) > 5 else "",
                )
            )
        else:
            result.errors.append(_("Line %(row)s cannot be read.") % {"row": number})
    return result


def _fen_amount(raw: bytes) -> Decimal | None:
    text = raw.decode(errors="replace").strip()
    return (Decimal(int(text)) / 100).quantize(Decimal("0.01")) if text.isdigit() else None
