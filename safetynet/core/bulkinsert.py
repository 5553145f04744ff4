"""Writing many rows of a model at once, checked as the model would check them one by one.

The machinery behind every population-scale write (the registry's household import and demo
city; later, payment lists and matched records): the field checks of `full_clean` applied to a
whole column at a time (each distinct value once), the model's check constraints compiled to
Python, primary keys reserved before the insert so that new rows can point at each other, and
one INSERT per table (executemany on SQLite, COPY on PostgreSQL). An app builds its rows as
dicts of attname → value, collects errors per record in a `RowErrors` keyed by where they are
("members[2].id_number"), and inserts what passed inside its own short transaction.
"""

import contextlib
import datetime
import decimal
import enum
import functools
import operator
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import connection, models
from django.db.models import F, Q


class RowErrors(dict):
    def add(self, key: str, messages) -> None:
        if isinstance(messages, str):
            messages = [messages]
        self.setdefault(key, []).extend(str(m) for m in messages)

    def add_validation(self, prefix: str, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add(prefix if name == "__all__" else f"{prefix}.{name}", messages)
        else:
            self.add(prefix, error.messages)

    def about(self, prefix: str) -> bool:
        """Has the entity at `prefix` (say "members[1]") an error already?"""
        return bool(self) and any(key == prefix or key.startswith(prefix + ".") for key in self)


# --- field rules, from the models --------------------------------------------------------------


class Table:
    """What the bulk writer needs of a model: its columns, their defaults (already checked), a
    quick check per editable field, and its check constraints compiled to Python."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.row = operator.itemgetter(*self.attnames)
        self.stamped = [
            f.attname
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.json = [f.attname for f in self.fields if isinstance(f, models.JSONField)]
        self.defaults = {
            f.attname: f.get_default()
            for f in self.fields
            if not f.primary_key and not f.is_relation and f.attname not in self.stamped
        }
        self.checks = {
            f.name: (f.attname, fast_check(f), column_check(f), f)
            for f in self.fields
            if f.editable and not f.is_relation and not f.primary_key and f.name != "version"
        }
        # A default the checks refuse is cleaned once here; one that cannot be is a field that
        # must be given, and `field.clean` then says so as full_clean would.
        for _name, (attname, check, _column, model_field) in self.checks.items():
            if not check(self.defaults[attname]):
                with contextlib.suppress(ValidationError):
                    self.defaults[attname] = model_field.clean(self.defaults[attname], None)
        self.constraints = [
            (
                _compile(c.condition, {name: i for i, name in enumerate(_fields_read(c.condition))}),
                _fields_read(c.condition),
                _first_field(c.condition),
                c,
            )
            for c in model._meta.constraints
            if isinstance(c, models.CheckConstraint)
        ]


def _validators_beyond_the_type(model_field: models.Field) -> list:
    """The field's validators that the quick checks below do not make themselves (a pattern, a
    minimum): the quick checks run them too, and no column is passed whole without them."""
    covered = (MaxLengthValidator, ProhibitNullCharactersValidator, DecimalValidator)
    if isinstance(model_field, models.IntegerField):
        return list(model_field.validators)  # a minimum of 1 is a MinValueValidator too: run them all
    return [v for v in model_field.validators if not isinstance(v, covered)]


def _with_validators(check: Callable[[object], bool], validators: list) -> Callable[[object], bool]:
    if not validators:
        return check

    def checked(value) -> bool:
        if not check(value):
            return False
        if value is None or value == "":
            return True  # empty values are not validated (as full_clean does not)
        try:
            for validator in validators:
                validator(value)
        except ValidationError:
            return False
        return True

    return checked


def fast_check(model_field: models.Field) -> Callable[[object], bool]:
    """True when Django's `field.clean` would take the value as it is. False sends the value to
    `field.clean` itself, for Django's own conversion or message: the rules stay the model's, and
    a validator the quick check does not know is run, never skipped."""
    return _with_validators(_type_check(model_field), _validators_beyond_the_type(model_field))


def _type_check(model_field: models.Field) -> Callable[[object], bool]:
    choices = {value for value, _label in model_field.flatchoices} if model_field.choices else None
    empty_ok = model_field.blank and model_field.null
    internal = model_field.get_internal_type()
    if internal == "CharField":
        max_length, blank = model_field.max_length, model_field.blank

        def check(value) -> bool:
            if value.__class__ is not str:
                return False
            if not value:
                return blank
            return len(value) <= max_length and (choices is None or value in choices)
    elif internal in ("PositiveSmallIntegerField", "PositiveIntegerField"):
        high = 32767 if "Small" in internal else 2**31 - 1  # within what every backend allows

        def check(value) -> bool:
            if value is None:
                return empty_ok
            return value.__class__ is int and 0 <= value <= high and (choices is None or value in choices)
    elif internal == "BooleanField":

        def check(value) -> bool:
            return value.__class__ is bool
    elif internal == "DateField":

        def check(value) -> bool:
            if value is None:
                return empty_ok
            return value.__class__ is datetime.date
    elif internal == "DecimalField":
        max_digits, places = model_field.max_digits, model_field.decimal_places
        whole = max_digits - places

        def check(value) -> bool:
            if value.__class__ is not decimal.Decimal:
                return value is None and empty_ok
            if not value.is_finite():
                return False
            _sign, digit_tuple, exponent = value.as_tuple()
            # Digits in all and after the point, counted as DecimalValidator counts them.
            if exponent >= 0:
                digits, decimals = len(digit_tuple) + (exponent if digit_tuple != (0,) else 0), 0
            else:
                decimals = -exponent
                digits = max(decimals, len(digit_tuple))
            return not (digits > max_digits or decimals > places or digits - decimals > whole)
    else:

        def check(value) -> bool:
            return False

    return check


def column_check(model_field: models.Field) -> Callable[[list], bool] | None:
    """For a field whose values are all alike to check (free text, dates, yes/no), whether a whole
    column passes at once, without a call per value; None for the others (and for a field with a
    validator of its own, whose values are each checked by `fast_check`)."""
    if model_field.choices or _validators_beyond_the_type(model_field):
        return None
    internal = model_field.get_internal_type()
    if internal == "CharField":
        max_length, blank = model_field.max_length, model_field.blank

        def column_ok(values: list) -> bool:
            return (
                set(map(type, values)) == {str}
                and max(map(len, values)) <= max_length
                and (blank or all(values))
            )

        return column_ok
    allowed = {"DateField": {datetime.date}, "BooleanField": {bool}}.get(internal)
    if allowed is None:
        return None
    if model_field.blank and model_field.null:
        allowed = allowed | {type(None)}

    def column_ok(values: list) -> bool:
        return set(map(type, values)) <= allowed

    return column_ok


def clean_columns(model, entries: list[tuple[dict, RowErrors, str, tuple]]) -> None:
    """The field checks of `model` (as `full_clean` makes them) over rows of a whole batch: each
    distinct value of a column is checked once; a value the quick check refuses goes to the
    field's own `clean`, row by row, for Django's conversion or message. Entries are (row, the
    record's errors, the row's key prefix, fields to leave alone). Relations are checked elsewhere.
    """
    rows = [entry[0] for entry in entries]
    for name, (attname, check, column_ok, model_field) in table_of(model).checks.items():
        values = list(map(operator.itemgetter(attname), rows))
        _refuse_control_characters(entries, values, name, model_field)
        if column_ok is not None and column_ok(values):
            continue
        try:  # by type as well: 1, True and Decimal("1") are equal, but not all of them are right
            bad = {pair for pair in set(zip(map(type, values), values, strict=True)) if not check(pair[1])}
        except TypeError:  # a value that cannot be hashed: certainly not one the checks pass
            bad = None
        if bad is not None and not bad:
            continue
        for (row, errors, prefix, skip), value in zip(entries, values, strict=True):
            if bad is not None and (value.__class__, value) not in bad:
                continue
            if isinstance(value, enum.Enum) and check(value.value):  # a TextChoices member
                row[attname] = value.value
                continue
            key = f"{prefix}.{name}"
            if name in skip or key in errors:
                continue
            try:
                value = model_field.clean(value, None)
            except ValidationError as error:
                errors.add(key, error.messages)
                continue
            row[attname] = value.value if isinstance(value, enum.Enum) else value


def _refuse_control_characters(entries: list, values: list, name: str, model_field: models.Field) -> None:
    """core.text's rule for text, as the services apply it (`registry.services._full_clean`): a
    control character rejects the record. One search over the whole column tells whether any row
    needs a look, so a clean column costs next to nothing."""
    from safetynet.core.text import CONTROL_CHARACTERS, control_characters_message, has_control_characters

    if not isinstance(model_field, models.CharField | models.TextField):
        return
    if not CONTROL_CHARACTERS.search("".join(value for value in values if value.__class__ is str)):
        return
    lines = isinstance(model_field, models.TextField)
    for (_row, errors, prefix, skip), value in zip(entries, values, strict=True):
        if name not in skip and has_control_characters(value, lines=lines):
            errors.add(f"{prefix}.{name}", control_characters_message())


def check_constraints(model, entries: list[tuple[dict, RowErrors, str, tuple]]) -> None:
    """The model's check constraints over the rows of a batch, as the database would judge them
    (unknown passes): each distinct combination of the fields a constraint reads is judged once.
    Rows with an error already are not judged: their values may not even be of the field's type."""
    entries = [entry for entry in entries if not entry[1].about(entry[2])]
    if not entries:
        return
    rows = [entry[0] for entry in entries]
    for holds, fields_read, name, constraint in table_of(model).constraints:
        combinations = list(zip(*(map(operator.itemgetter(f), rows) for f in fields_read), strict=True))
        try:
            bad = {c for c in set(combinations) if holds(c) is False}
        except TypeError:  # a value that cannot be hashed: judged row by row
            bad = {i for i, c in enumerate(combinations) if holds(c) is False}
            combinations = range(len(rows))
        if not bad:
            continue
        message = constraint.get_violation_error_message()
        for (_row, errors, prefix, _skip), combination in zip(entries, combinations, strict=True):
            if combination in bad:
                errors.add(f"{prefix}.{name}", message)


_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda a, b: a in b,
}


def _compile(condition: Q, position: dict[str, int]) -> Callable[[tuple], bool | None]:
    """A Q of plain field lookups (exact, gt, gte, lt, lte, in, isnull; F of a field) as a function
    of the values it reads (a tuple, each field at `position[name]`), in SQL's three-valued logic:
    None is unknown, which a CHECK constraint lets pass."""
    parts = []
    for child in condition.children:
        if isinstance(child, Q):
            parts.append(_compile(child, position))
            continue
        lookup, expected = child
        name, _sep, op = lookup.partition("__")
        at = position[name]
        if op == "isnull":
            parts.append(lambda values, at=at, want=bool(expected): (values[at] is None) == want)
            continue
        compare = _COMPARE[op or "exact"]
        if isinstance(expected, F):

            def part(values, at=at, other=position[expected.name], compare=compare):
                value, against = values[at], values[other]
                return None if value is None or against is None else compare(value, against)
        else:

            def part(values, at=at, against=expected, compare=compare):
                value = values[at]
                return None if value is None else compare(value, against)

        parts.append(part)
    negated = condition.negated
    if condition.connector == Q.AND:

        def holds(row):
            result = True
            for part in parts:
                value = part(row)
                if value is False:
                    result = False
                    break
                if value is None:
                    result = None
            return result if not negated or result is None else not result
    else:

        def holds(row):
            result = False
            for part in parts:
                value = part(row)
                if value is True:
                    result = True
                    break
                if value is None:
                    result = None
            return result if not negated or result is None else not result

    return holds


def _fields_read(condition: Q) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for child in condition.children:
        if isinstance(child, Q):
            names.update(dict.fromkeys(_fields_read(child)))
        else:
            names[child[0].partition("__")[0]] = None
            if isinstance(child[1], F):
                names[child[1].name] = None
    return tuple(names)


def _first_field(condition: Q) -> str:
    child = condition.children[0]
    return _first_field(child) if isinstance(child, Q) else child[0].partition("__")[0]


def json_value(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def reserve_ids(counts: dict[type[models.Model], int]) -> dict[type[models.Model], Iterable[int]]:
    """Primary keys for `counts` new rows of each model, taken from the tables' sequences.

    On SQLite the caller's transaction holds the write lock (IMMEDIATE), so the keys after the
    highest ever given (sqlite_sequence, AUTOINCREMENT) are ours. On PostgreSQL they are drawn
    from each identity sequence, as concurrent inserts would draw theirs.
    """
    models_ = [m for m, n in counts.items() if n]
    out: dict[type[models.Model], Iterable[int]] = {m: iter(()) for m in counts}
    if not models_:
        return out
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            parts = ", ".join(  # table names from the models, quoted: no input reaches the SQL
                "MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(m._meta.db_table)}), 0))"
                for m in models_
            )
            cursor.execute(f"SELECT {parts}", [m._meta.db_table for m in models_])
            highest = cursor.fetchone()
            for model, top in zip(models_, highest, strict=True):
                out[model] = iter(range(top + 1, top + 1 + counts[model]))
        elif connection.vendor == "postgresql":
            for model in models_:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, counts[model]],
                )
                out[model] = iter(sorted(row[0] for row in cursor.fetchall()))
        else:  # pragma: no cover - the system runs on SQLite and PostgreSQL
            raise NotImplementedError(connection.vendor)
    return out


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """One multi-row INSERT of `rows` (attname → value, every column there): executemany on
    SQLite, COPY on PostgreSQL. JSON columns come as JSON text, timestamps adapted."""
    if not rows:
        return
    table = table_of(model)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in table.fields)
    name = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in map(table.row, rows):
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(table.fields))
            cursor.executemany(
                f"INSERT INTO {name} ({columns}) VALUES ({placeholders})",  # noqa: S608
                map(table.row, rows),
            )


@functools.cache
def table_of(model: type[models.Model]) -> Table:
    return Table(model)
