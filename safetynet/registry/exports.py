"""Registry lists as spreadsheets: the household list, with the filters of the page it came from,
one row per person in the import layout (imports.COLUMNS), so that an export can be edited and
imported again.

Masking is as on screen. ID numbers, phone numbers and disability certificate numbers are masked
by default for every role; dates of birth are whole only for a role that may see whole identifiers
(`privacy.may_see_whole`), as on the household page. A role that may see whole identifiers can ask
for them explicitly (`whole=True`): each person and household exported whole is then logged
(UnmaskLog, channel "export"), as a "Show in full" on the page would be. A masked export is still
re-importable: masked values mean "unchanged", and 系统人员编号 says who each row is.

The workbook is written with openpyxl's write-only mode, a chunk of households at a time, to a
file: a county's 80 k households never sit in memory at once.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from safetynet.core.masking import MASKED_DATE, mask_certificate, mask_id_number, mask_phone
from safetynet.core.models import UnmaskLog, User
from safetynet.core.scope import UNMASKING_ROLES
from safetynet.registry import codes, privacy, selectors
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


def may_export_whole(actor: User) -> bool:
    """May the actor ask for whole identifiers in an export (of their own area, which is all an
    export holds)?"""
    return actor.is_active and actor.role in UNMASKING_ROLES


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


class _Disclosure:
    """How one export shows identifiers, and the log of those it shows whole."""

    def __init__(self, actor: User, whole: bool):
        self.actor, self.whole = actor, whole and may_export_whole(actor)
        self.log: list[UnmaskLog] = []

    def entitled(self, area_code: str) -> bool:
        return privacy.may_see_whole(self.actor, area_code)

    def person(self, person) -> dict:
        entitled = self.entitled(person.area_id)
        if self.whole and entitled:
            shown = [f for f in ("id_number", "phone", "disability_cert_no") if getattr(person, f)]
            self.log.append(UnmaskLog(actor=self.actor, subject_type="person", subject_id=person.pk,
                                      fields=",".join(shown), channel="export"))
            return {"id_number": person.id_number, "phone": person.phone,
                    "disability_cert_no": person.disability_cert_no, "birth_date": person.birth_date}
        return {"id_number": mask_id_number(person.id_number), "phone": mask_phone(person.phone),
                "disability_cert_no": mask_certificate(person.disability_cert_no),
                "birth_date": person.birth_date if entitled else MASKED_DATE}

    def household_phone(self, household: Household) -> str:
        if not household.phone:
            return ""
        if self.whole and self.entitled(household.village_id):
            self.log.append(UnmaskLog(actor=self.actor, subject_type="household", subject_id=household.pk,
                                      fields="phone", channel="export"))
            return household.phone
        return mask_phone(household.phone)

    def flush(self) -> None:
        # One INSERT per chunk: the same rows core.services.unmask_log writes one at a time.
        if self.log:
            UnmaskLog.objects.bulk_create(self.log, batch_size=1000)
            self.log = []


def _member_order(membership: Membership) -> tuple:
    return (membership.relation not in codes.HEAD_RELATIONS, membership.relation, membership.person.birth_date,
            membership.pk)


def _chunk_rows(chunk: list[int], disclosure: _Disclosure) -> Iterable[list]:
    households = Household.objects.select_related("village").in_bulk(chunk)
    members = defaultdict(list)
    memberships = Membership.objects.filter(household_id__in=chunk, left_on__isnull=True).select_related("person")
    for membership in memberships:
        members[membership.household_id].append(membership)
    income = defaultdict(lambda: defaultdict(lambda: 0))
    periods = defaultdict(set)
    for household_id, person_id, category, amount, start, end in IncomeItem.objects.filter(
        household_id__in=chunk, excluded=False, category__in=INCOME_CATEGORIES,
    ).values_list("household_id", "person_id", "category", "amount", "period_start", "period_end"):
        income[(household_id, person_id)][category] += amount
        periods[household_id].add((start, end))
    assets = defaultdict(lambda: defaultdict(lambda: 0))
    for household_id, person_id, asset_type, value in AssetItem.objects.filter(
        household_id__in=chunk, exempt=False, asset_type__in=ASSET_TYPES,
    ).values_list("household_id", "person_id", "asset_type", "value"):
        assets[(household_id, person_id)][asset_type] += value

    for household_id in chunk:
        household = households.get(household_id)
        if household is None:  # deleted since the list was read
            continue
        ordered = sorted(members[household_id], key=_member_order)
        head = next((m for m in ordered if m.relation in codes.HEAD_RELATIONS), None)
        shown = {m.person_id: disclosure.person(m.person) for m in ordered}
        # One period for all the household's income: written; several: blank (each item keeps its own).
        period = next(iter(periods[household_id])) if len(periods[household_id]) == 1 else (None, None)
        household_values = {
            (KEY, "household_key"): household_key(household_id),
            (KEY, "head_id"): shown[head.person_id]["id_number"] if head else None,
            (HOUSEHOLD, "phone"): disclosure.household_phone(household),
            (PERIOD, "period_start"): period[0],
            (PERIOD, "period_end"): period[1],
        }
        for name in ("village", "address", "urban_rural", "housing_status", "house_structure", "floor_area",
                     "heating", "co_alarm"):
            household_values[(HOUSEHOLD, name)] = getattr(household, "village_id" if name == "village" else name)
        for position, membership in enumerate(ordered):
            person = membership.person
            # The household's own values once, on its first row: edited there, they cannot disagree.
            values = dict(household_values) if position == 0 else {
                key: household_values[key] for key in ((KEY, "household_key"), (KEY, "head_id"))}
            for column in COLUMNS:
                if column.part == PERSON:
                    if column.field in shown[person.pk]:
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
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    for position, column in enumerate(COLUMNS):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(position + 1)].width = column.width
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append(row)
    workbook.save(out)


def household_export(*, actor: User, filters: dict | None = None, whole: bool = False, out) -> int:
    """Write the households the actor's list shows with `filters` (selectors.household_list's
    keyword arguments) to `out` as .xlsx, one row per current member; return how many households.

    `whole=True` writes whole identifiers where the actor's role may see them, and logs each.
    """
    households = selectors.household_list(actor=actor, **(filters or {}))
    ids = list(households.order_by("-id").values_list("pk", flat=True))
    disclosure = _Disclosure(actor, whole)

    def rows():
        for start in range(0, len(ids), EXPORT_CHUNK):
            yield from _chunk_rows(ids[start:start + EXPORT_CHUNK], disclosure)
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
    from safetynet.registry import demo

    for number, plan in enumerate(plans, start=1):
        period = demo.INCOME_PERIOD
        for index, member in enumerate(plan.members):
            values = {
                (KEY, "household_key"): str(number),
                (HOUSEHOLD, "village"): plan.village, (HOUSEHOLD, "address"): plan.address,
                (HOUSEHOLD, "urban_rural"): plan.urban_rural, (HOUSEHOLD, "phone"): plan.phone,
                (HOUSEHOLD, "housing_status"): plan.housing_status,
                (HOUSEHOLD, "house_structure"): plan.house_structure,
                (HOUSEHOLD, "floor_area"): plan.floor_area, (HOUSEHOLD, "heating"): plan.heating,
                (HOUSEHOLD, "co_alarm"): plan.co_alarm,
                (MEMBER, "relation"): member.relation, (MEMBER, "exclusion"): member.exclusion,
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
                if item.member == index and not item.values.get("exempt") and item.values["asset_type"] in ASSET_TYPES:
                    key = (ASSET, item.values["asset_type"])
                    values[key] = values.get(key, 0) + item.values["value"]
            yield [_cell(column, values.get((column.part, column.field))) for column in COLUMNS]

