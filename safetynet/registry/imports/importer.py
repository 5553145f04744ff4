"""Cleaning, grouping and applying: a file's rows grouped into households, every household
checked whole (so that each row handed back carries all its reasons), new households stored in
bulk, registered ones through imports.registered."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core.cells import id_birth_date
from safetynet.core.masking import mask_id_number
from safetynet.core.scope import in_scope
from safetynet.core.selectors import divisions_by_code
from safetynet.core.text import normalise
from safetynet.core.types import Division, DivisionLevel, UrbanRural, User
from safetynet.registry import codes, rules
from safetynet.registry.imports.checks import (
    divisions_outside_area,
    in_another_household,
    place_bulk_errors,
    record_registered_elsewhere,
    registered_elsewhere_message,
)
from safetynet.registry.imports.layout import (
    ASSET,
    BATCH_HOUSEHOLDS,
    COLUMN_OF,
    HOUSEHOLD,
    INCOME,
    KEY,
    MEMBER,
    PERIOD,
    PERSON,
    SYSTEM,
    Column,
)
from safetynet.registry.imports.reading import CellError, Masked, Sheet, cell_reader
from safetynet.registry.imports.registered import (
    _Changed,
    _HouseholdUpdate,
    _Rejected,
    _service_messages,
    _State,
)
from safetynet.registry.imports.rows import (
    _EVERY_CODE,
    Group,
    Outcome,
    Row,
    _as_written,
    _error,
    _has_error_on,
    _is_empty_row,
    _Known,
)
from safetynet.registry.models import Membership, Person

# Cells every row of a new household gives (the messages are translated only when one is missing).
_REQUIRED_OF_NEW = (
    ((PERSON, "id_number"), gettext_lazy("Give the ID number.")),
    ((PERSON, "name"), gettext_lazy("Give the name.")),
    ((MEMBER, "relation"), gettext_lazy("Give the relation to the head of household.")),
)


class Importer:
    """One file's rows, grouped into households and applied batch by batch."""

    def __init__(
        self,
        *,
        actor: User,
        sheet: Sheet,
        progress: Callable[[int, Outcome], None] | None = None,
        batch_households: int = BATCH_HOUSEHOLDS,
    ):
        self.actor, self.sheet, self.progress = actor, sheet, progress
        self.batch_households = batch_households
        self.by_field = {(c.part, c.field): p for p, c in sheet.columns.items()}
        self.readers = {p: cell_reader(c) for p, c in sheet.columns.items()}
        self.row_readers = [
            (p, c, self.readers[p])
            for p, c in sheet.columns.items()
            if c.part not in (KEY, SYSTEM) and (c.part, c.field) != (PERSON, "id_number")
        ]
        self.outcome = Outcome()
        self.rows: list[Row] = []
        self.groups: list[Group] = []

    # --- the first pass: every row's household and person -------------------------------------

    def _cell(self, row: Row, part: str, name: str):
        position = self.by_field.get((part, name))
        if position is None or position >= len(row.cells):
            return None
        return row.cells[position]

    def _read_key_cells(self, row: Row) -> None:
        for part, name, attribute in (
            (KEY, "household_key", "key"),
            (KEY, "head_id", "head_id"),
            (PERSON, "id_number", "id_number"),
            (SYSTEM, "person", "system_id"),
        ):
            position = self.by_field.get((part, name))
            if position is None:
                continue
            column = self.sheet.columns[position]
            try:
                value = self.readers[position](row.cells[position] if position < len(row.cells) else None)
            except CellError as error:
                row.errors.append(_error(column, str(error)))
                continue
            if attribute == "head_id" and isinstance(value, tuple):
                value = value[1]
            if attribute == "id_number" and isinstance(value, tuple):
                row.id18 = value[1]
            setattr(row, attribute, value)

    def load(self) -> int:
        """Read every data row, find each one's household; return the number of rows."""
        for number, cells in self.sheet.rows:
            if _is_empty_row(cells):
                continue
            row = Row(number, cells)
            self._read_key_cells(row)
            self.rows.append(row)
        self._group()
        return len(self.rows)

    def _group(self) -> None:
        # A row may name its household by number and another row of it by the head's ID number only.
        key_of_head = {}
        for row in self.rows:
            if row.key and isinstance(row.head_id, str):
                key_of_head.setdefault(row.head_id, row.key)
        groups: dict[str, Group] = {}
        group_of: dict[Row, Group] = {}
        for row in self.rows:
            if row.key:
                key = "k:" + row.key
            elif isinstance(row.head_id, str):
                key = "k:" + key_of_head[row.head_id] if row.head_id in key_of_head else "h:" + row.head_id
            else:
                key = f"r:{row.number}"
                if isinstance(row.head_id, Masked):
                    row.errors.append(
                        _("The head's ID number is masked: give the household number (户编号).")
                    )
                elif row.head_id is None and not row.errors:
                    row.errors.append(
                        _("Give the household number (户编号) or the head's ID number (户主身份证号).")
                    )
            group_of[row] = groups.setdefault(key, Group(key=key, rows=[]))
            group_of[row].rows.append(row)
        self.groups = list(groups.values())
        # A person is in one household: the same person twice in the file cannot be read either way.
        for attribute, message in (
            (
                "id18",
                _("Same as row %(row)s: each person goes in the file once; row %(row)s is the one imported."),
            ),
            ("system_id", _("This system number is also on row %(row)s: each person goes in the file once.")),
        ):
            first: dict = {}
            for row in self.rows:
                value = getattr(row, attribute)
                if value is None:
                    continue
                if value in first:
                    # The later row only: the first household is stored if it is otherwise good.
                    column = self._column(PERSON, "id_number") if attribute == "id18" else self._column(
                        SYSTEM, "person"
                    )
                    row.errors.append(_error(column, message % {"row": first[value].number}))
                    group = group_of[row]
                    if group is group_of[first[value]] and not group.repeated:
                        # In the first row's own household: this row alone is handed back.
                        group.rows.remove(row)
                        group_of[row] = Group(key=f"r:{row.number}", rows=[row], repeated=True)
                        self.groups.append(group_of[row])
                else:
                    first[value] = row

    # --- the second pass: batch by batch -------------------------------------------------------

    def run(self) -> Outcome:
        done_rows = 0
        for start in range(0, len(self.groups), self.batch_households):
            batch = self.groups[start : start + self.batch_households]
            self._process(batch)
            done_rows += sum(len(g.rows) for g in batch)
            for group in batch:
                if group.rejected:
                    self.outcome.rejected.append(group)
                    self.outcome.rejected_households += not group.repeated  # a row, its household stored
                    self.outcome.rejected_rows += len(group.rows)
                    for row in group.rows:
                        row.values = {}  # what was read is no longer needed: the cells are kept
                else:
                    for row in group.rows:
                        row.cells = ()
                        row.values = {}
            if self.progress:
                self.progress(done_rows, self.outcome)
        return self.outcome

    def _process(self, batch: list[Group]) -> None:
        # Every check runs on every household, good or not, so that a household handed back
        # carries all of its rows' reasons at once: the clerk corrects everything in one round.
        for group in batch:
            for row in group.rows:
                self._read_row(row)
                self._check_row(row)
            if not group.repeated:
                self._check_group(group)
        batch = [g for g in batch if not g.repeated]  # handed back with their own reasons only
        divisions = self._check_divisions(batch)
        self._match(batch)
        new = [  # a head named in 户主身份证号 is registered (or the group is handed back for it)
            g
            for g in batch
            if g.household_id is None and not g.head_id and not any(row.known for row in g.rows)
        ]
        self._create(new, divisions)
        new_keys = {g.key for g in new}
        registered = [g for g in batch if g.key not in new_keys]
        state = _State.load([g.household_id for g in registered if g.household_id])
        for group in registered:
            self._check_income_periods(group, state)
        registered = [g for g in registered if not g.rejected]
        for group in registered:
            if group.household_id:
                try:
                    _HouseholdUpdate(self, group, divisions, state).apply()
                except _Changed:
                    pass
                except _Rejected:
                    continue
                else:
                    self.outcome.unchanged += 1
                    continue
            self._apply_through_services(group, divisions)

    def _read_row(self, row: Row) -> None:
        values: dict[str, dict] = {}
        cells, width = row.cells, len(row.cells)
        for position, column, read in self.row_readers:
            cell = cells[position] if position < width else None
            if cell is None:
                continue
            try:
                value = read(cell)
            except CellError as error:
                row.errors.append(_error(column, str(error)))
                continue
            if value is not None:
                part = values.get(column.part)
                if part is None:
                    part = values[column.part] = {}
                part[column.field] = value
        if row.id_number is not None:
            number = row.id_number[0] if isinstance(row.id_number, tuple) else row.id_number
            values.setdefault(PERSON, {})["id_number"] = number
        row.values = values

    def _check_row(self, row: Row) -> None:
        """What a row says against its own ID number: birth date, sex, and a relation that does
        not fit the sex (a man as 妻). The services' checks and words, asked for only where the
        row disagrees (a hundred thousand agreeing rows cost a comparison each)."""
        if not isinstance(row.id_number, tuple):
            return
        number = row.id18
        person = row.values.get(PERSON, {})
        id_sex = codes.Sex.MALE if int(number[16]) % 2 else codes.Sex.FEMALE
        born, sex = person.get("birth_date"), person.get("sex")
        born = None if isinstance(born, Masked) else born
        if (born is not None and born != id_birth_date(number)) or (sex is not None and sex != id_sex):
            given = {name: value for name, value in (("birth_date", born), ("sex", sex)) if value is not None}
            try:
                rules.check_person_fields({"id_number": number, **given}, known_codes=_EVERY_CODE)
            except ValidationError as error:
                row.errors += _service_messages(error, PERSON)
        relation = row.get(MEMBER, "relation")
        expected = codes.relation_sex(relation) if relation else None
        if expected is not None and expected != (sex or id_sex):
            try:
                rules.check_relation(relation, sex or id_sex)
            except ValidationError as error:
                row.errors += _service_messages(error, MEMBER)

    def _check_group(self, group: Group) -> None:
        rows = group.rows
        # The household's own values: once, or the same on every row that gives them.
        for part in (HOUSEHOLD, PERIOD):
            first: dict[str, tuple] = {}
            for row in rows:
                for name, value in row.values.get(part, {}).items():
                    seen = first.get(name)
                    if seen is None:
                        first[name] = (value, row)
                    elif value != seen[0]:
                        row.errors.append(
                            _error(
                                self._column(part, name),
                                _(
                                    "Row %(row)s gives another value for the same household: give it once, "
                                    "or the same on every row."
                                )
                                % {"row": seen[1].number},
                            )
                        )
            group.values[part] = {name: value for name, (value, _row) in first.items()}
        heads = {row.head_id for row in rows if isinstance(row.head_id, str)}
        if len(heads) > 1:
            group.errors.append(_("The rows of this household name different heads (户主身份证号)."))
        head_id = next(iter(heads)) if len(heads) == 1 else None
        for row in rows:
            relation = row.get(MEMBER, "relation")
            if head_id and row.id18 == head_id:
                if relation is None:
                    row.values.setdefault(MEMBER, {})["relation"] = codes.Relation.HEAD
                    row.implied_head = True
                elif relation not in codes.HEAD_RELATIONS:
                    row.errors.append(
                        _(
                            "This person's ID number is the head's (户主身份证号), but the relation "
                            "to the head says otherwise."
                        )
                    )
        marked = [row for row in rows if row.get(MEMBER, "relation") in codes.HEAD_RELATIONS]
        if len(marked) > 1:
            numbers = "、".join(str(row.number) for row in marked)
            for row in marked:
                row.errors.append(
                    _error(
                        self._column(MEMBER, "relation"),
                        _("A household has one head: rows %(rows)s are all marked as head.")
                        % {"rows": numbers},
                    )
                )
        group.head = marked[0] if marked else None
        if head_id and group.head is None and not any(row.id18 == head_id for row in rows):
            group.head_id = head_id  # the head is registered, not in the file: matched later
        start, end = self._period(group)
        if start and end and end < start:
            group.errors.append(_("The income period ends before it starts."))

    @staticmethod
    def _household_values(group: Group, part: str = HOUSEHOLD) -> dict:
        """The household's values of `part` as its rows give them (a copy, to complete)."""
        return dict(group.values.get(part, {}))

    def _period(self, group: Group) -> tuple:
        period = self._household_values(group, PERIOD)
        return period.get("period_start"), period.get("period_end")

    def _check_divisions(self, groups: list[Group]) -> dict[str, Division]:
        wanted = set()
        for group in groups:
            for row in group.rows:
                for part, name in (
                    (HOUSEHOLD, "village"),
                    (PERSON, "hukou_division"),
                    (PERSON, "residence_division"),
                ):
                    if (code := row.get(part, name)) is not None:
                        wanted.add(code)
        divisions = divisions_by_code(wanted)
        for group in groups:
            for row in group.rows:
                village = row.get(HOUSEHOLD, "village")
                if village is not None:
                    division = divisions.get(village)
                    if division is None or division.level != DivisionLevel.VILLAGE:
                        row.errors.append(
                            _error(
                                self._column(HOUSEHOLD, "village"),
                                _("There is no village or community with code %(code)s.") % {"code": village},
                            )
                        )
                for name in ("hukou_division", "residence_division"):
                    code = row.get(PERSON, name)
                    if code is not None and code not in divisions:
                        row.errors.append(
                            _error(
                                self._column(PERSON, name),
                                _("There is no division with code %(code)s.") % {"code": code},
                            )
                        )
        divisions_outside_area(self.actor, groups, divisions)
        return divisions

    @staticmethod
    def _column(part: str, name: str) -> Column:
        return COLUMN_OF[(part, name)]

    # --- who is registered already --------------------------------------------------------------

    def _match(self, groups: list[Group]) -> None:
        """Find the registered people among the rows and the registered household each group is.

        A group is the household its head belongs to (the head's row, or the registered head
        named in 户主身份证号); without a head in the file, the one household its registered people
        belong to. An import never takes a person from another household, and never renames one:
        a registered person in another household, or under another name, is handed back with the
        reason (moving people and correcting names are explicit acts in the system)."""
        numbers, system_ids = set(), set()
        for group in groups:
            for row in group.rows:
                if row.id18:
                    numbers.add(row.id18)
                if row.system_id is not None:
                    system_ids.add(row.system_id)
            if group.head_id:
                numbers.add(group.head_id)
        if not numbers and not system_ids:
            return
        # Who they are and where, no more: the few that change are read whole by the services.
        fields = ("pk", "id_number", "area_id", "name")
        people = [
            _Known(*values) for values in Person.objects.filter(id_number__in=numbers).values_list(*fields)
        ]
        if system_ids:
            people += [
                _Known(*values) for values in Person.objects.filter(pk__in=system_ids).values_list(*fields)
            ]
        by_number = {p.id_number: p for p in people}
        by_pk = {p.pk: p for p in people}
        current, heading = {}, set()  # person → their household; the people who head theirs
        for person_id, household_id, relation in Membership.objects.filter(
            person_id__in=by_pk, left_on__isnull=True
        ).values_list("person_id", "household_id", "relation"):
            current[person_id] = household_id
            if relation in codes.HEAD_RELATIONS:
                heading.add(person_id)
        elsewhere: list[tuple[Row, int]] = []  # (row, the other household), worded once for all
        heads_elsewhere: list[tuple[Group, _Known, int]] = []  # 户主身份证号 names a member, not a head
        outside: list[str] = []  # ID numbers registered outside the area, logged as the forms log them
        for group in groups:
            for row in group.rows:
                person = self._match_row(row, by_number, by_pk)
                if person is None:
                    continue
                row.known = person
                if not in_scope(self.actor, person.area_id):
                    column = self._column(PERSON, "id_number")
                    row.errors.append(_error(column, registered_elsewhere_message()))
                    outside.append(person.id_number)
                    continue
                if not self._same_name(row, person):
                    continue
                row.person = person
            head_household = None
            head_id = group.head_id
            if head_id and head_id in by_number:
                head = by_number[head_id]
                if not in_scope(self.actor, head.area_id):
                    group.errors.append(_error(self._column(KEY, "head_id"), registered_elsewhere_message()))
                    outside.append(head.id_number)
                    continue
                head_household = current.get(head.pk)
                if head_household is not None and head.pk not in heading:
                    heads_elsewhere.append((group, head, head_household))  # their rows are not theirs
                    continue
            elif head_id:
                group.errors.append(
                    _(
                        "The head (户主身份证号) is not among the rows of the household and not "
                        "registered either."
                    )
                )
                continue
            elif group.head is not None:
                if group.head.person is None and (group.head.id18 is None or group.head.known is not None):
                    continue  # the head's row is handed back: which household it is, is unknown
                head_household = current.get(group.head.person.pk) if group.head.person else None
                if head_household is None and group.head.person is None:
                    head_household = 0  # a new head: a new household
                elif head_household and group.head.person.pk not in heading and not any(
                    row.known and row.known.pk in heading and current.get(row.known.pk) == head_household
                    for row in group.rows  # known: the head's row is theirs, even if handed back for a typo
                ):
                    # A member named head, without their household's head among the rows: a household
                    # of their own, which they (and their household's other people) would move to.
                    head_household = 0
            households = {
                current[row.person.pk] for row in group.rows if row.person and row.person.pk in current
            }
            if head_household is None and group.head is None and not head_id:
                # No head in the file: the rows update members of one registered household.
                if len(households) > 1:
                    group.errors.append(
                        _(
                            "These people belong to different registered households: move them in the "
                            "system first, or import them as separate households."
                        )
                    )
                    continue
                head_household = next(iter(households), None)
            for row in group.rows:
                if row.person is None or row.person.pk not in current:
                    continue
                if current[row.person.pk] != head_household:
                    elsewhere.append((row, current[row.person.pk]))
            if head_household:
                group.household_id = head_household
        in_another_household(elsewhere, heads_elsewhere)
        record_registered_elsewhere(self.actor, outside)

    def _match_row(self, row: Row, by_number: dict, by_pk: dict) -> "_Known | None":
        person = by_number.get(row.id18) if row.id18 else None
        if row.system_id is not None:
            known = by_pk.get(row.system_id)
            if known is None or not in_scope(self.actor, known.area_id):
                row.errors.append(
                    _error(
                        self._column(SYSTEM, "person"),
                        _("There is no person with this system number in your area."),
                    )
                )
                return None
            same = (
                isinstance(row.id_number, Masked) and row.id_number.text == mask_id_number(known.id_number)
            ) or (row.id18 == known.id_number)
            if not same:
                row.errors.append(
                    _error(
                        self._column(SYSTEM, "person"),
                        _(
                            "The system number and the ID number are not the same person: for a new "
                            "person leave the system number blank."
                        ),
                    )
                )
                return None
            return known
        if isinstance(row.id_number, Masked):
            row.errors.append(
                _error(
                    self._column(PERSON, "id_number"),
                    _("The ID number is masked (has *): give the whole number."),
                )
            )
        return person

    def _same_name(self, row: Row, person: "_Known") -> bool:
        """A registered person keeps their name: another name on the row is a mistake in the ID
        number or in the name, and either way not for an import to settle."""
        name = row.get(PERSON, "name")
        if name is None or normalise(name) == normalise(person.name):
            return True
        row.errors.append(
            _error(
                self._column(PERSON, "name"),
                _(
                    "ID number %(id)s is registered to %(registered)s, not %(name)s: check the ID number "
                    "and the name; a change of name is made on the person's page."
                )
                # The number as the row gives it: a masked one (with the system number) stays masked.
                % {"id": _as_written(row.id_number), "registered": person.name, "name": name},
            )
        )
        return False

    # --- new households, in bulk ---------------------------------------------------------------------

    def _new_household_errors(self, group: Group, divisions: dict) -> None:
        household = self._household_values(group)
        first = group.rows[0]
        for name in ("village", "address"):
            column = self._column(HOUSEHOLD, name)
            if household.get(name) is None and not any(_has_error_on(row, column) for row in group.rows):
                first.errors.append(_error(column, _("A new household needs this.")))
        if group.head is None:
            group.errors.append(
                _(
                    "No row is the head of household: mark the head's relation 户主 (or name the "
                    "head in 户主身份证号)."
                )
            )
        self._check_period_given(group, group.rows)
        for row in group.rows:
            for (part, name), message in _REQUIRED_OF_NEW:
                column = self._column(part, name)
                value = row.id18 if name == "id_number" else row.get(part, name)
                if value is None and not _has_error_on(row, column):
                    row.errors.append(_error(column, str(message)))
            for name in ("phone", "disability_cert_no", "birth_date"):
                if isinstance(row.get(PERSON, name), Masked):
                    row.errors.append(
                        _error(
                            self._column(PERSON, name),
                            _("A masked value (with *) cannot be stored: give the whole value."),
                        )
                    )
        if isinstance(household.get("phone"), Masked):
            first.errors.append(
                _error(
                    self._column(HOUSEHOLD, "phone"),
                    _("A masked value (with *) cannot be stored: give the whole value."),
                )
            )

    def _check_period_given(self, group: Group, rows) -> None:
        """An income amount (a stated 0 too) becomes an item of the income period: the rows that
        give one need the period, and only those. Blank cells are no item and need nothing."""
        start, end = self._period(group)
        if start and end:
            return
        column = self._column(PERIOD, "period_start" if not start else "period_end")
        for row in rows:
            if row.values.get(INCOME) and not _has_error_on(row, column):
                row.errors.append(
                    _error(
                        column,
                        _(
                            "This row gives income: give the income period too "
                            "(收入起始日期 and 收入截止日期)."
                        ),
                    )
                )

    def _check_income_periods(self, group: Group, state: "_State") -> None:
        """A registered household: the period is needed where an amount makes a new item."""
        start, end = self._period(group)
        if start and end:
            return
        income = state.income.get(group.household_id, {}) if group.household_id else {}
        needing = [
            row
            for row in group.rows
            if any(
                row.person is None or not income.get((row.person.pk, category))
                for category in row.values.get(INCOME, {})
            )
        ]
        self._check_period_given(group, needing)

    def _person_values(self, row: Row, household: dict, village: str) -> dict:
        person = {
            name: value for name, value in row.values.get(PERSON, {}).items() if not isinstance(value, Masked)
        }
        person["id_number"] = row.id18 or ""
        person.setdefault("name", "")
        person.setdefault("hukou_division", village)
        person.setdefault("residence_division", village)
        person.setdefault("address", household.get("address", ""))
        person.setdefault("urban_rural", household.get("urban_rural"))
        if isinstance(row.id_number, tuple) and len(row.id_number[0]) == 15:
            person["id_note"] = _("Converted from an old 15-digit number.")
        return person

    def _member_values(self, row: Row) -> dict:
        member = dict(row.values.get(MEMBER, {}))
        if member.get("exclusion"):
            member["co_living"] = False
        member.setdefault("co_living", True)
        member.setdefault("exclusion", "")
        return member

    def _record(self, group: Group, divisions: dict):
        """The household as bulk.household_bulk_create takes it, and where each of its parts came
        from ({"members": [row …], "income": [(row, column) …], "assets": …}) to place its errors."""
        from safetynet.registry import bulk

        household = self._household_values(group)
        village = household.get("village")
        if village in divisions:
            household.setdefault("urban_rural", divisions[village].urban_rural_default or UrbanRural.RURAL)
        else:  # only checked, never stored: the village's own error is on the row already
            household.update(village=None, urban_rural=UrbanRural.RURAL)
        for name, value in list(household.items()):
            if isinstance(value, Masked):
                household.pop(name)
        ordered = [row for row in group.rows if row is group.head] + [
            row for row in group.rows if row is not group.head
        ]
        members, income, assets = [], [], []
        sources = {"members": ordered, "income": [], "assets": []}
        start, end = self._period(group)
        for index, row in enumerate(ordered):
            members.append(self._person_values(row, household, village) | self._member_values(row))
            for category, amount in row.values.get(INCOME, {}).items():
                if amount is not None:  # a stated 0 is an item: "no income of this kind"
                    income.append(
                        {
                            "member_index": index,
                            "category": category,
                            "amount": amount,
                            "period_start": start,
                            "period_end": end,
                        }
                    )
                    sources["income"].append((row, self._column(INCOME, category)))
            for asset_type, value in row.values.get(ASSET, {}).items():
                if value:
                    assets.append({"member_index": index, "asset_type": asset_type, "value": value})
                    sources["assets"].append((row, self._column(ASSET, asset_type)))
        record = bulk.HouseholdRecord(
            key=group.key, household=household, members=members, income=income, assets=assets, expenses=[]
        )
        return record, sources

    def _create(self, groups: list[Group], divisions: dict) -> None:
        from safetynet.registry import bulk

        for group in groups:
            self._new_household_errors(group, divisions)
        handed_back = [g for g in groups if g.rejected]
        if handed_back:
            # Checked as they would be stored, so that their rows carry every reason at once.
            records, sources = [], {}
            for group in handed_back:
                record, sources[group.key] = self._record(group, divisions)
                records.append(record)
            by_key = {g.key: g for g in handed_back}
            for key, errors in bulk.household_bulk_check(actor=self.actor, records=records):
                self._place_bulk_errors(by_key[key], sources[key], errors, checked_only=True)
        ready = [g for g in groups if not g.rejected]
        if not ready:
            return

        by_key = {g.key: g for g in ready}
        records, sources = [], {}
        for group in ready:
            record, sources[group.key] = self._record(group, divisions)
            records.append(record)
        result = bulk.household_bulk_create(actor=self.actor, records=records, batch_size=max(len(ready), 1))
        for key, errors in result.rejected:
            self._place_bulk_errors(by_key[key], sources[key], errors)
        for key, warning in result.warnings:
            group = by_key.get(key)
            where = group.label() if group else key
            self.outcome.warnings.append(f"{where}: {warning}")
        self.outcome.created += sum(1 for g in ready if not g.rejected)

    _place_bulk_errors = staticmethod(place_bulk_errors)

    # --- registered households, through the services ------------------------------------------------

    def _apply_through_services(self, group: Group, divisions: dict) -> None:
        """Compare with what is registered; change only what differs, all of it or none of it."""
        try:
            with transaction.atomic():
                changed = _HouseholdUpdate(self, group, divisions).apply()
        except _Rejected:
            return
        if changed:
            self.outcome.updated += 1 if group.household_id else 0
            self.outcome.created += 0 if group.household_id else 1
        else:
            self.outcome.unchanged += 1


