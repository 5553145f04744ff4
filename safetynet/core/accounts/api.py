"""GET /api/v1/users: the accounts a city or county bureau manages, as the user list shows them
(phone numbers masked). Changes to accounts are made on the pages, where a one-time password can be
shown once."""

from typing import Literal

from ninja import Field, Query, Router, Schema

from safetynet.core.accounts import rules, selectors
from safetynet.core.api import ERRORS, PageParams, Text, page_of
from safetynet.core.masking import mask_phone
from safetynet.core.selectors import division_names
from safetynet.core.types import Role

router = Router(tags=["users"])


class UserOut(Schema):
    username: str
    name: str
    role: str
    role_label: str
    division: str
    division_name: str
    phone: str = Field(description="Masked (139****5678).")
    active: bool
    must_change_password: bool = Field(description="Has not yet replaced the one-time password.")


class UserPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[UserOut]


class UserFilters(PageParams):
    q: Text = Field("", max_length=50, description="Part of a user name, name or phone number.")
    role: Literal["", *Role.values] = Field("", description="Only this role.")  # type: ignore[valid-type]
    active: Literal["", "1", "0"] = Field("", description="1: active only; 0: deactivated only.")


@router.get("/users", response={200: UserPage, **ERRORS}, summary="Accounts the caller manages")
def users(request, filters: Query[UserFilters]):
    rules.check_may_administer(request.auth)
    accounts = selectors.user_admin_list(actor=request.auth, q=filters.q, role=filters.role,
                                         active=filters.active)
    start = (filters.page - 1) * filters.page_size
    names = division_names(accounts[start:start + filters.page_size].values_list("division_id", flat=True))

    def out(account) -> dict:
        return {
            "username": account.username, "name": account.get_full_name(), "role": account.role,
            "role_label": str(Role(account.role).label), "division": account.division_id,
            "division_name": names.get(account.division_id, ""), "phone": mask_phone(account.phone),
            "active": account.is_active, "must_change_password": account.must_change_password,
        }

    return page_of(accounts, filters, out)
