"""Population-scale writes to the registry: many new households at once (imports, the demo city).

`household_bulk_create` applies the rules the single-record services apply (registry.rules, the
models' field checks and check constraints, one head, new people only, ID numbers unique) to a
whole batch at a time: every lookup the rules need — divisions, ID numbers already registered,
responsible staff — is one query per batch, never one per row. A household is stored whole or
handed back whole with every error it has, keyed by where it is (`members[2].id_number`).

Good households are written with one INSERT statement per table per batch (executemany on
SQLite, COPY on PostgreSQL), each batch in its own short transaction, so a clerk working beside a
large import waits a fraction of a second at most. Primary keys are reserved before the insert
(from the table's sequence), which is how a batch of new rows can point at each other without a
round trip per row.

History, per batch: one ChangeRecord per household (subject and entity the household, action
create, by the actor, at the batch's time). Its `after` holds what `snapshot` would give for the
household, the names of its members in order, and how many members, income items, assets and
expenses it came with. That is the cheapest record that still shows, on the household's timeline,
who created it, when, and with what. The people, memberships and items created with it have no
rows of their own; any later change to one of them is recorded as usual.
"""

import datetime
import functools
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.bulkinsert import (
    RowErrors,
    check_constraints,
    clean_columns,
    insert_rows,
    json_value,
    reserve_ids,
    table_of,
)
from safetynet.core.ids import check_id_number
from safetynet.core.selectors import divisions_by_code, users_existing
from safetynet.core.services import change_record_bulk_create
from safetynet.core.text import normalise
from safetynet.core.types import ChangeAction, Division, User
from safetynet.registry import codes, rules, services
from safetynet.registry.models import (
    AssetItem,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
)
from safetynet.registry.search import person_search_keys


@dataclass
class HouseholdRecord:
    key: str  # the caller's label for error reporting (e.g. "rows 5-8" or a household number)
    household: dict  # services.HOUSEHOLD_FIELDS; "village" a Division or a 12-digit code
    # Person values (services.PERSON_FIELDS, the divisions as Division or code) plus "relation",
    # "co_living", "exclusion" and optionally "joined_on". The first member with relation 01/02 heads.
    members: list[dict]
    # services.INCOME_FIELDS / ASSET_FIELDS / EXPENSE_FIELDS; the member as "member_index" (into members).
    income: list[dict] = field(default_factory=list)
    assets: list[dict] = field(default_factory=list)
    expenses: list[dict] = field(default_factory=list)
    # When the household was registered, if not now (the demo city's clock): its rows' timestamps
    # and its history record carry it. An aware datetime, not later than now.
    at: datetime.datetime | None = None


@dataclass
class BulkResult:
    created: list[int]  # household ids, in input order of the stored records
    rejected: list[tuple[str, dict[str, list[str]]]]  # (record.key, {"members[2].id_number": [...]})
    warnings: list[tuple[str, str]]  # (record.key, warning) of stored records

    def __iadd__(self, other: "BulkResult") -> "BulkResult":
        self.created += other.created
        self.rejected += other.rejected
        self.warnings += other.warnings
        return self


HOUSEHOLD_KEYS = frozenset(services.HOUSEHOLD_FIELDS)
MEMBERSHIP_KEYS = ("relation", "co_living", "exclusion", "joined_on")
MEMBER_KEYS = frozenset(services.PERSON_FIELDS) | {"id_note"} | set(MEMBERSHIP_KEYS)
ITEM_SECTIONS = (  # the record's attribute, the model, its fields but the member, how history counts it
    ("income", IncomeItem, frozenset(services.INCOME_FIELDS) - {"person"}, "income_count"),
    ("assets", AssetItem, frozenset(services.ASSET_FIELDS) - {"person"}, "asset_count"),
    ("expenses", RigidExpense, frozenset(services.EXPENSE_FIELDS) - {"person"}, "expense_count"),
)


def household_bulk_create(
    *, actor: User, records: Iterable[HouseholdRecord], batch_size: int = 2000
) -> BulkResult:
    """Store the valid households among `records`, each with its members, income, assets and
    expenses, and hand back the others with their errors (in the active language).

    Preconditions: the actor may write the registry (PermissionDenied otherwise, nothing stored);
    the people are new to the registry (an ID number already registered rejects the household).
    Each batch of `batch_size` records is validated with a fixed number of queries and written in
    one transaction. A household whose insert fails after all (someone registered one of its people
    a moment ago) is validated again and rejected with the reason; the others of its batch stand.
    """
    if not rules.may_write_registry(actor):
        raise PermissionDenied(_("Your role cannot change registry records."))
    checker = _Checker(actor)
    result = BulkResult([], [], [])
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, batch_size)):
        result += _store(checker, batch)
    return result


def household_bulk_check(*, actor: User, records: Iterable[HouseholdRecord]) -> list[tuple[str, dict]]:
    """Check `records` as household_bulk_create would, store nothing: (record.key, errors) of each
    that would be refused. The import uses it on households it hands back anyway, so that their
    rows carry every reason at once."""
    if not rules.may_write_registry(actor):
        raise PermissionDenied(_("Your role cannot change registry records."))
    _ready, rejected = _Checker(actor).check(list(records))
    return rejected


def _store(checker: "_Checker", batch: list[HouseholdRecord]) -> BulkResult:
    ready, rejected = checker.check(batch)
    result = BulkResult([], rejected, [])
    if not ready:
        return result
    try:
        with transaction.atomic():
            _write(checker.actor, ready)
    except IntegrityError:
        # A concurrent writer took an ID number between our check and our insert. Check again
        # (now it shows as registered); halves, so one stubborn household cannot sink the rest.
        checker.forget([p["id_number"] for r in ready for p in r.persons])
        records = [r.record for r in ready]
        if len(records) == 1:
            ready_again, rejected_again = checker.check(records)
            if rejected_again:
                result.rejected += rejected_again
                return result
            result.rejected.append(
                (records[0].key, {"household": [_("The household could not be stored; try again.")]})
            )
            return result
        middle = len(records) // 2
        result += _store(checker, records[:middle])
        result += _store(checker, records[middle:])
        return result
    result.created = [r.household["id"] for r in ready]
    result.warnings = [(r.record.key, w) for r in ready for w in r.warnings]
    return result


# --- checking --------------------------------------------------------------------------------------


@dataclass
class _Ready:
    """A household being checked, as rows (attname → value); once it passes, ready to insert."""

    record: HouseholdRecord
    errors: "RowErrors"
    household: dict
    persons: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    items: list[tuple[type[models.Model], dict]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class _Checker:
    """The rules for one actor, with what it has looked up so far (divisions, staff).

    A batch is checked in three passes: each record on its own (structure, places, the person
    rules of registry.rules, the item rules of the services); then each field of each model
    across the whole batch, every distinct value once (the models' own field checks); then each
    record again for what needs clean values (relations, one head, check constraints) and the
    batch against the registry (ID numbers registered, or given twice).
    """

    def __init__(self, actor: User):
        self.actor = actor
        self.divisions: dict[str, Division | None] = {}
        self.users: dict[int, bool] = {}
        self.claimed: dict[str, str] = {}  # ID number → key of the stored (or storing) record
        self.may_write: dict[str, str | None] = {}  # division code → why not, or None
        self.today = timezone.localdate()

    def forget(self, id_numbers: list[str]) -> None:
        for number in id_numbers:
            self.claimed.pop(number, None)

    # Set-wise look-ups: one query each per batch, whatever its size.
    def _load(self, batch: list[HouseholdRecord]) -> None:
        """Fetch the divisions (villages, hukou and residence places, ID address codes) and the
        staff the batch names, beyond those fetched for earlier batches."""
        wanted: set = set()
        user_ids: set = set()
        for record in batch:
            household = record.household
            wanted.add(household.get("village"))
            user_ids.add(household.get("grid_worker"))
            user_ids.add(household.get("coordinator"))
            for member in record.members:
                wanted.add(member.get("hukou_division"))
                wanted.add(member.get("residence_division"))
                wanted.add(normalise(member.get("id_number"))[:6])
        codes_ = {_code(value) for value in wanted if not isinstance(value, Division)}
        codes_ = [code for code in codes_ if code and code not in self.divisions]
        if codes_:
            found = divisions_by_code(codes_)
            self.divisions.update({code: found.get(code) for code in codes_})
        user_ids = [pk for pk in user_ids if pk.__class__ is int and pk not in self.users]
        if user_ids:
            found_users = users_existing(user_ids)
            self.users.update({pk: pk in found_users for pk in user_ids})

    def _registered(self, numbers: set[str]) -> set[str]:
        """Which of `numbers` are registered already: one query, one parameter, however many."""
        if not numbers:
            return set()
        table = connection.ops.quote_name(Person._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT id_number FROM {table} WHERE id_number = ANY(%s)",  # noqa: S608
                               [list(numbers)])
            else:
                cursor.execute(f"SELECT id_number FROM {table} WHERE id_number IN "  # noqa: S608
                               "(SELECT value FROM json_each(%s))", [json.dumps(list(numbers))])
            return {row[0] for row in cursor.fetchall()}

    def _write_denied(self, code: str) -> str | None:
        if code not in self.may_write:
            try:
                rules.check_may_write(self.actor, code)
                self.may_write[code] = None
            except PermissionDenied as denied:
                self.may_write[code] = str(denied)
        return self.may_write[code]

    def _division(self, value, errors: RowErrors, key: str) -> Division | None:
        if value.__class__ is str and (division := self.divisions.get(value)) is not None:
            return division
        if isinstance(value, Division):
            return value
        code = _code(value)
        if not code:
            errors.add(key, _NULL_MESSAGE())
            return None
        division = self.divisions.get(code)
        if division is None:
            errors.add(key, _("There is no division with code %(code)s.") % {"code": code})
        return division

    def check(self, batch: list[HouseholdRecord]) -> tuple[list[_Ready], list[tuple[str, dict]]]:
        """The batch's households that pass every check, and the others with their errors."""
        self._load(batch)
        known_codes = _KnownCodes(self.divisions)
        columns: dict[type[models.Model], list] = {model: [] for model in _TABLES}
        checked = [self._gather(record, known_codes, columns) for record in batch]
        for model, entries in columns.items():
            if entries:
                clean_columns(model, entries)
                check_constraints(model, entries)
        for ready in checked:
            self._finish(ready)
        registered = self._registered({
            person["id_number"]
            for ready in checked
            for index, person in enumerate(ready.persons)
            if f"members[{index}].id_number" not in ready.errors
        })
        out_ready, out_rejected = [], []
        claimed = self.claimed
        for ready in checked:
            errors, key = ready.errors, ready.record.key
            mine: set[str] = set()
            for index, person in enumerate(ready.persons):
                field_key, number = f"members[{index}].id_number", person["id_number"]
                if field_key in errors:
                    continue
                if number in registered:
                    errors.add(field_key, _("A person with this ID number is already registered."))
                elif number in mine or number in claimed:
                    # Given twice: the first household to pass every check keeps it.
                    errors.add(field_key, _("This ID number is given for another person too (%(key)s).")
                               % {"key": claimed.get(number, key)})
                mine.add(number)
            if errors:
                out_rejected.append((key, dict(errors)))
            else:
                for person in ready.persons:
                    claimed[person["id_number"]] = key
                out_ready.append(ready)
        return out_ready, out_rejected

    def _gather(self, record: HouseholdRecord, known_codes, columns: dict) -> _Ready:
        """First pass over one record: its rows (defaults and given values), the checks that need
        no clean values, and its entities queued in `columns` for the field checks."""
        errors = RowErrors()
        write_denied = self._write_denied
        data = record.household
        if not HOUSEHOLD_KEYS.issuperset(data):
            raise ValueError(f"not editable here: {sorted(data.keys() - HOUSEHOLD_KEYS)}")
        household = _HOUSEHOLD_DEFAULTS | data
        ready = _Ready(record, errors, household)
        village = self._division(data.get("village"), errors, "household.village")
        village_code = None
        if village is not None:
            try:
                rules.check_village(village)
            except ValidationError as error:
                errors.add_validation("household", error)
            if denied := write_denied(village.code):
                errors.add("household.village", denied)
            village_code = village.code
        household["village_id"] = village_code
        for name in ("grid_worker", "coordinator"):
            value = data.get(name)
            if isinstance(value, User):
                value = value.pk
            elif value is not None and not self.users.get(value):
                errors.add(f"household.{name}", _("There is no such user."))
            household[f"{name}_id"] = value
        columns[Household].append((household, errors, "household", ()))

        # The members: new people, each checked as person_create and member_add would check them.
        members = record.members
        if not members:
            errors.add("household", _("A household needs at least one member."))
        today = self.today
        for index, member in enumerate(members):
            prefix = f"members[{index}]"
            if not MEMBER_KEYS.issuperset(member):
                raise ValueError(f"not editable here: {sorted(member.keys() - MEMBER_KEYS)}")
            values = dict(member)
            membership = {"joined_on": today}
            for name in MEMBERSHIP_KEYS:
                if name in values:
                    membership[name] = values.pop(name)
            if membership.get("exclusion"):
                membership["co_living"] = False
            hukou = self._division(values.get("hukou_division"), errors, f"{prefix}.hukou_division")
            residence = self._division(
                values.get("residence_division"), errors, f"{prefix}.residence_division"
            )
            values["hukou_division"], values["residence_division"] = hukou, residence
            try:
                ready.warnings += rules.check_person_fields(values, known_codes=known_codes)
            except ValidationError as error:
                errors.add_validation(prefix, error)
                _derive_from_id_number(values)
            if residence is not None and (denied := write_denied(residence.code)):
                errors.add(f"{prefix}.residence_division", denied)
            del values["hukou_division"], values["residence_division"]
            person = _PERSON_DEFAULTS | values
            person["hukou_division_id"] = hukou.code if hukou is not None else None
            person["residence_division_id"] = residence.code if residence is not None else None
            person["area_id"] = village_code
            # Birth date and sex come from a valid ID number: without one, its error says it all.
            derived = ("birth_date", "sex") if f"{prefix}.id_number" in errors else ()
            columns[Person].append((person, errors, prefix, derived))
            membership = _MEMBERSHIP_DEFAULTS | membership
            columns[Membership].append((membership, errors, prefix, ()))
            ready.persons.append(person)
            ready.memberships.append(membership)

        # Income, assets, expenses, each of a member given by position.
        counts = ready.counts
        counts["member_count"] = n_members = len(members)
        for section, model, allowed, counted_as in ITEM_SECTIONS:
            entries = getattr(record, section)
            counts[counted_as] = len(entries)
            defaults, check_rules, queue = _TABLES[model].defaults, _ITEM_RULES[model], columns[model]
            for position, entry in enumerate(entries):
                prefix = f"{section}[{position}]"
                entry = dict(entry)
                member_index = entry.pop("member_index", None)
                person_given = entry.pop("person", None)
                if not allowed.issuperset(entry):
                    raise ValueError(f"not editable here: {sorted(entry.keys() - allowed)}")
                if person_given is not None or (member_index is not None and not (
                        member_index.__class__ is int and 0 <= member_index < n_members)):
                    errors.add(f"{prefix}.person", _("This person is not a member of the household."))
                try:
                    check_rules(entry)
                except ValidationError as error:
                    errors.add_validation(prefix, error)
                row = defaults | entry
                row["_member"] = member_index
                queue.append((row, errors, prefix, ()))
                ready.items.append((model, row))
        return ready

    def _finish(self, ready: _Ready) -> None:
        """Last pass over one record, on clean values: search keys, relations, one head."""
        errors = ready.errors
        head = None
        for index, (person, membership) in enumerate(zip(ready.persons, ready.memberships, strict=True)):
            person.update(_search_keys(person["name"], person["id_number"]))
            relation = membership["relation"]
            if relation in codes.HEAD_RELATIONS:
                if head is None:
                    head = index
                else:
                    errors.add(f"members[{index}].relation", _("The household already has a head."))
            if relation and person["sex"] in (1, 2):
                try:
                    rules.check_relation(relation, person["sex"])
                except ValidationError as error:
                    errors.add_validation(f"members[{index}]", error)


class _EveryCode:
    def __contains__(self, code) -> bool:
        return True  # the address code's warning is not wanted here


_EVERY_CODE = _EveryCode()


def _derive_from_id_number(values: dict) -> None:
    """After a birth date or sex that disagrees with a valid ID number: the ID number's own, where
    none was given, so that the other checks run (a man as 妻) and no "cannot be null" follows."""
    try:
        checked = check_id_number(values.get("id_number") or "", known_codes=_EVERY_CODE)
    except ValidationError:
        return
    for name in ("birth_date", "sex"):
        if values.get(name) is None:
            values[name] = getattr(checked, name)


def _check_expense(data: dict) -> None:
    rules.check_not_future(data.get("incurred_on"), "incurred_on")


def _check_income(data: dict) -> None:
    services._check_income(data)


def _check_asset(data: dict) -> None:
    services._check_asset(data)


_ITEM_RULES: dict[type[models.Model], Callable[[dict], None]] = {
    IncomeItem: _check_income,
    AssetItem: _check_asset,
    RigidExpense: _check_expense,
}


def _code(value) -> str:
    if isinstance(value, Division):
        return value.code
    return normalise(value) if value is not None else ""


class _KnownCodes:
    """Division codes known to exist, from what the batch looked up (for the ID address warning)."""

    def __init__(self, divisions: dict[str, Division | None]):
        self.divisions = divisions

    def __contains__(self, code: str) -> bool:
        return self.divisions.get(code) is not None


@functools.lru_cache(maxsize=100_000)
def _name_keys(name: str) -> tuple[tuple[str, str], ...]:
    keys = person_search_keys(name=name, id_number="")
    return tuple((k, v) for k, v in keys.items() if k != "id_reversed")


def _search_keys(name: str, id_number: str) -> dict[str, str]:
    """registry.search.person_search_keys, with the pinyin of a name worked out once per name
    (test_bulk holds the two to the same keys)."""
    return dict(_name_keys(name or "")) | {"id_reversed": id_number[::-1]}


_TABLES = {
    model: table_of(model)
    for model in (Person, Household, Membership, IncomeItem, AssetItem, RigidExpense)
}
_HOUSEHOLD_DEFAULTS = _TABLES[Household].defaults
_PERSON_DEFAULTS = _TABLES[Person].defaults | {"hukou_division_id": None, "residence_division_id": None}
_MEMBERSHIP_DEFAULTS = _TABLES[Membership].defaults


def _NULL_MESSAGE() -> str:  # noqa: N802 - Django's own words for a place left out
    return str(Person._meta.get_field("hukou_division").error_messages["null"])


# --- writing ---------------------------------------------------------------------------------------


_HOUSEHOLD_SNAPSHOT = [
    f.attname
    for f in Household._meta.concrete_fields
    if f.editable and f.attname not in {"id", "version", "created_at", "updated_at"}
]


def _write(actor: User, ready: list[_Ready]) -> None:
    """Insert the households of one batch and their history. Runs inside the batch's transaction."""
    now = timezone.now()

    def as_stored(moment: datetime.datetime):  # a datetime for PostgreSQL's COPY, text for SQLite
        if connection.vendor == "postgresql":
            return moment
        return connection.ops.adapt_datetimefield_value(moment)

    batch_stamp = as_stored(now)
    n_persons = sum(len(r.persons) for r in ready)
    n_items = dict.fromkeys(_ITEM_RULES, 0)
    for r in ready:
        for model, _row in r.items:
            n_items[model] += 1
    ids = reserve_ids({Person: n_persons, Household: len(ready), Membership: n_persons, **n_items})
    person_ids, household_ids, membership_ids = ids[Person], ids[Household], ids[Membership]
    item_ids = {model: ids[model] for model in n_items}
    rows: dict[type[models.Model], list[dict]] = {model: [] for model in _TABLES}
    persons, memberships, households = rows[Person], rows[Membership], rows[Household]
    changes = []
    create, heads = ChangeAction.CREATE.value, codes.HEAD_RELATIONS
    for r in ready:
        at = r.record.at
        if at is not None and at > now:
            raise ValueError(f"household {r.record.key} is dated in the future: {at}")
        stamp = batch_stamp if at is None else as_stored(at)
        household = r.household
        household["id"] = household_id = next(household_ids)
        household["created_at"] = household["updated_at"] = stamp
        pks = []
        head_id = None
        for person, membership in zip(r.persons, r.memberships, strict=True):
            person["id"] = pk = next(person_ids)
            person["created_at"] = person["updated_at"] = stamp
            pks.append(pk)
            membership["id"] = next(membership_ids)
            membership["household_id"], membership["person_id"] = household_id, pk
            if head_id is None and membership["relation"] in heads:
                head_id = pk
            persons.append(person)
            memberships.append(membership)
        household["head_id"] = head_id
        households.append(household)
        for model, row in r.items:
            member = row.pop("_member")
            row["id"] = next(item_ids[model])
            row["household_id"], row["person_id"] = household_id, pks[member] if member is not None else None
            rows[model].append(row)
        after = {name: json_value(household[name]) for name in _HOUSEHOLD_SNAPSHOT}
        after["members"] = "、".join(p["name"] for p in r.persons)
        after |= r.counts
        changes.append({
            "subject_type": "household", "subject_id": household_id, "entity_type": "household",
            "entity_id": household_id, "action": create, "after": after, "at": stamp,
        })
    for model in (Person, Household, Membership, IncomeItem, AssetItem, RigidExpense):
        insert_rows(model, rows[model])
    change_record_bulk_create(actor=actor, at=batch_stamp, changes=changes)
