"""A household's income, assets, rigid expenses and its members' supporters: four kinds of item,
one way of adding, changing and deleting them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safetynet.core.services import change_record, snapshot
from safetynet.core.types import ChangeAction, User
from safetynet.registry import codes, rules
from safetynet.registry.models import AssetItem, Household, IncomeItem, RigidExpense, Supporter
from safetynet.registry.services.common import (
    ASSET_FIELDS,
    EXPENSE_FIELDS,
    INCOME_FIELDS,
    SUPPORTER_FIELDS,
    _apply,
    _check_member_of,
    _full_clean,
    _lock,
    _save_changes,
)

EARLIEST_BIRTH = datetime.date(1900, 1, 1)

# --- income, assets, expenses -------------------------------------------------------------------


def _item_create(*, actor: User, household: Household, model, fields: list[str], data: dict):
    rules.check_may_write(actor, household.village_id)
    item = model(household=household)
    _apply(item, data, fields)
    _check_member_of(household, getattr(item, "person", None))
    with transaction.atomic():
        _full_clean(item)
        item.save()
        change_record(
            actor=actor,
            subject=household,
            entity=item,
            action=ChangeAction.CREATE,
            after=snapshot(item),
        )
    return item


def _item_update(*, actor: User, item, version: int | None, fields: list[str], data: dict):
    with transaction.atomic():
        current = _lock(type(item), item.pk, version)
        household = current.household
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current)
        _apply(current, data, fields)
        _check_member_of(household, getattr(current, "person", None))
        _full_clean(current)
        _save_changes(actor=actor, subject=household, current=current, before=before)
    return current


def _item_delete(*, actor: User, item, version: int | None = None, reason: str = "") -> None:
    with transaction.atomic():
        current = _lock(type(item), item.pk, version)
        household = current.household
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current)
        pk = current.pk
        current.delete()
        current.pk = pk
        change_record(
            actor=actor,
            subject=household,
            entity=current,
            action=ChangeAction.DELETE,
            before=before,
            reason=reason,
        )


def _check_income(item_data: dict) -> None:
    rules.check_period(item_data.get("period_start"), item_data.get("period_end"))
    if item_data.get("excluded") and not item_data.get("exclusion_reason"):
        raise ValidationError({"exclusion_reason": _("Say why this income is not counted.")})
    if item_data.get("exclusion_reason") and not item_data.get("excluded"):
        item_data["excluded"] = True
    if item_data.get("deduction_amount") and not item_data.get("deduction_kind"):
        raise ValidationError({"deduction_kind": _("Say what the deduction is for.")})


def income_item_create(*, actor: User, household: Household, data: dict) -> IncomeItem:
    data = dict(data)
    _check_income(data)
    return _item_create(actor=actor, household=household, model=IncomeItem, fields=INCOME_FIELDS, data=data)


def income_item_update(*, actor: User, item: IncomeItem, version: int | None, data: dict) -> IncomeItem:
    merged = {name: getattr(item, name) for name in INCOME_FIELDS} | dict(data)
    _check_income(merged)
    return _item_update(actor=actor, item=item, version=version, fields=INCOME_FIELDS, data=merged)


def income_item_delete(*, actor: User, item: IncomeItem, version: int | None = None) -> None:
    _item_delete(actor=actor, item=item, version=version)


def _check_asset(data: dict) -> None:
    if data.get("exempt") and not data.get("exempt_reason"):
        raise ValidationError({"exempt_reason": _("Say why this property is exempt.")})
    if data.get("exempt_reason") and not data.get("exempt"):
        data["exempt"] = True
    if data.get("plate_number") and data.get("asset_type") != codes.AssetType.VEHICLE:
        raise ValidationError({"plate_number": _("Only a vehicle has a plate number.")})


def asset_item_create(*, actor: User, household: Household, data: dict) -> AssetItem:
    data = dict(data)
    _check_asset(data)
    return _item_create(actor=actor, household=household, model=AssetItem, fields=ASSET_FIELDS, data=data)


def asset_item_update(*, actor: User, item: AssetItem, version: int | None, data: dict) -> AssetItem:
    merged = {name: getattr(item, name) for name in ASSET_FIELDS} | dict(data)
    _check_asset(merged)
    return _item_update(actor=actor, item=item, version=version, fields=ASSET_FIELDS, data=merged)


def asset_item_delete(*, actor: User, item: AssetItem, version: int | None = None) -> None:
    _item_delete(actor=actor, item=item, version=version)


def expense_create(*, actor: User, household: Household, data: dict) -> RigidExpense:
    rules.check_not_future(data.get("incurred_on"), "incurred_on")
    return _item_create(
        actor=actor, household=household, model=RigidExpense, fields=EXPENSE_FIELDS, data=data
    )


def expense_update(*, actor: User, item: RigidExpense, version: int | None, data: dict) -> RigidExpense:
    rules.check_not_future(data.get("incurred_on"), "incurred_on")
    return _item_update(actor=actor, item=item, version=version, fields=EXPENSE_FIELDS, data=data)


def expense_delete(*, actor: User, item: RigidExpense, version: int | None = None) -> None:
    _item_delete(actor=actor, item=item, version=version)


def _check_supporter(data: dict) -> None:
    rules.check_not_future(data.get("birth_date"), "birth_date")
    if data.get("birth_date") and data["birth_date"] < EARLIEST_BIRTH:
        raise ValidationError({"birth_date": _("A date of birth before %(first)s cannot be right.")
                               % {"first": EARLIEST_BIRTH.isoformat()}})
    if data.get("person") is None:
        raise ValidationError({"person": _("Choose the member who is supported.")})


def supporter_create(*, actor: User, household: Household, data: dict) -> Supporter:
    _check_supporter(data)
    return _item_create(actor=actor, household=household, model=Supporter, fields=SUPPORTER_FIELDS,
                        data=data)


def supporter_update(*, actor: User, item: Supporter, version: int | None, data: dict) -> Supporter:
    merged = {name: getattr(item, name) for name in SUPPORTER_FIELDS} | dict(data)
    _check_supporter(merged)
    return _item_update(actor=actor, item=item, version=version, fields=SUPPORTER_FIELDS, data=merged)


def supporter_delete(*, actor: User, item: Supporter, version: int | None = None) -> None:
    _item_delete(actor=actor, item=item, version=version)
