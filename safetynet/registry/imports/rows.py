"""Rows and households of a file as the import holds them, and how their reasons are worded."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from safetynet.registry.imports.layout import Column
from safetynet.registry.imports.reading import Masked

# --- rows and households ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """A registered person, as far as matching needs."""

    pk: int
    id_number: str
    area_id: str
    name: str


class Row:
    __slots__ = (
        "number",
        "cells",
        "key",
        "head_id",
        "id_number",
        "id18",
        "system_id",
        "errors",
        "values",
        "person",
        "known",
        "implied_head",
    )

    def __init__(self, number: int, cells: tuple):
        self.number, self.cells = number, cells
        self.key = ""
        self.head_id = None  # 18-character number, or a Masked
        self.id_number = None  # as written, normalised (15 or 18), or a Masked
        self.id18 = None
        self.system_id = None
        self.errors: list[str] = []
        self.values: dict[str, dict] = {}
        self.person: _Known | None = None  # the registered person it is, once matched
        self.known: _Known | None = None  # the registered person its ID number names, matched or not
        self.implied_head = False  # the relation was left blank on the row 户主身份证号 names

    def get(self, part: str, name: str, default=None):
        return self.values.get(part, {}).get(name, default)


@dataclass
class Group:
    """One household's rows."""

    key: str
    rows: list[Row]
    errors: list[str] = field(default_factory=list)  # about the household as a whole
    household_id: int | None = None
    head: Row | None = None
    head_id: str | None = None  # a registered head named in 户主身份证号 but not among the rows
    values: dict[str, dict] = field(default_factory=dict)  # HOUSEHOLD and PERIOD values, merged
    # A row repeating a person given earlier in the same household, handed back on its own (with
    # its own cells' reasons) so that the household is stored with the first row.
    repeated: bool = False

    @property
    def rejected(self) -> bool:
        return bool(self.errors) or any(row.errors for row in self.rows)

    def label(self) -> str:
        numbers = [row.number for row in self.rows]
        if len(numbers) == 1:
            return _("row %(row)s") % {"row": numbers[0]}
        return _("rows %(first)s–%(last)s") % {"first": min(numbers), "last": max(numbers)}


def _error(column: Column | str, message: str) -> str:
    header = column.header if isinstance(column, Column) else column
    return _("%(column)s: %(message)s") % {"column": header, "message": message}


class _EveryCode:
    """known_codes for core.ids when only the person's own fields are checked (bulk warns of an
    unknown address code, once, as it stores)."""

    def __contains__(self, code) -> bool:
        return True


_EVERY_CODE = _EveryCode()


def _as_written(id_number) -> str:
    return id_number.text if isinstance(id_number, Masked) else id_number[0] if id_number else ""


def _has_error_on(row: "Row", column: Column | str) -> bool:
    """Has the row an error about this column already (one that begins with its header)?"""
    prefix = _error(column, "")
    return any(error.startswith(prefix) for error in row.errors)


def _is_empty_row(cells: tuple) -> bool:
    return not any(value is not None and (value.__class__ is not str or value.strip()) for value in cells)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_households: int = 0
    rejected_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    rejected: list[Group] = field(default_factory=list)


