"""Every write to the registry. Pages, API, imports and commands all come through here.

Each service checks the actor may write in the record's area, validates, saves inside one
transaction, and records what changed (who, when, before, after) on the household's timeline.
Updates take the version the user saw: if the row moved on since, ConflictError tells them.

By the steps of the work: people (registering, changing), households and their members, items
(income, assets, rigid expenses), documents; `common` holds what they all do alike. Callers use
this package: `services.person_create`, `services.PERSON_FIELDS` …
"""

from safetynet.registry.services.common import (
    ASSET_FIELDS,
    EXPENSE_FIELDS,
    HOUSEHOLD_FIELDS,
    INCOME_FIELDS,
    MEMBERSHIP_FIELDS,
    PERSON_FIELDS,
    SUPPORTER_FIELDS,
    _full_clean,
    _household_of,
)
from safetynet.registry.services.documents import document_delete, document_upload, sniff_document
from safetynet.registry.services.households import (
    household_create,
    household_create_with_new_head,
    household_hand_over,
    household_register,
    household_update,
    member_add,
    member_add_new_person,
    member_move,
    member_register,
    member_remove,
    member_update,
)
from safetynet.registry.services.items import (
    _check_asset,
    _check_income,
    asset_item_create,
    asset_item_delete,
    asset_item_update,
    expense_create,
    expense_delete,
    expense_update,
    income_item_create,
    income_item_delete,
    income_item_update,
    supporter_create,
    supporter_delete,
    supporter_update,
)
from safetynet.registry.services.people import IDENTIFIER_FIELDS, person_create, person_update

__all__ = [
    "ASSET_FIELDS", "EXPENSE_FIELDS", "HOUSEHOLD_FIELDS", "IDENTIFIER_FIELDS", "INCOME_FIELDS",
    "MEMBERSHIP_FIELDS", "PERSON_FIELDS", "SUPPORTER_FIELDS",
    "asset_item_create", "asset_item_delete", "asset_item_update",
    "document_delete", "document_upload", "sniff_document",
    "expense_create", "expense_delete", "expense_update",
    "household_create", "household_create_with_new_head", "household_hand_over", "household_register",
    "household_update",
    "income_item_create", "income_item_delete", "income_item_update",
    "member_add", "member_add_new_person", "member_move", "member_register", "member_remove",
    "member_update",
    "person_create", "person_update",
    "supporter_create", "supporter_delete", "supporter_update",
    # Shared with the bulk services (registry.bulk), which check as these do, and with tests.
    "_check_asset", "_check_income", "_full_clean", "_household_of",
]
