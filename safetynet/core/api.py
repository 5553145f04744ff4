"""The platform part of /api/v1: token authentication, error bodies, paging, who-am-I and divisions.

Errors always come back as JSON `{"detail": …}` in the caller's language (Accept-Language, else
Chinese): a string for 401/403/404/409, a list of `{"field", "message"}` for 422 — the same for a
malformed request (caught by the schema) and for a rule a service enforces.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from safetynet.core.privacy import sees_whole_numbers
from safetynet.core.selectors import api_token_for_key, division_list
from safetynet.core.services import ConflictError, api_token_used
from safetynet.core.text import NO_CONTROL_CHARACTERS_PATTERN, control_characters_message
from safetynet.core.types import Role


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the handler's actor is `request.auth`."""

    def authenticate(self, request: HttpRequest, token: str):
        found = api_token_for_key(token)
        if found is None:
            return None
        api_token_used(token=found)
        request.user = found.user
        return found.user


# --- what values mean ------------------------------------------------------------------------------
# Pydantic's lax mode reads 0 as false and as 1970-01-01, and "yes"/"on" as true; a client that
# sends such a value has a bug, and is told so instead of having it guessed.

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date_value(value: Any) -> Any:
    if isinstance(value, datetime.date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise PydanticCustomError("date_type", "Enter a valid date.")


def _flag_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    # A query string's true and false (Python's clients write True and False).
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise PydanticCustomError("bool_type", "Enter true or false.")


Date = Annotated[datetime.date, BeforeValidator(_date_value)]
"""A date as YYYY-MM-DD, nothing else."""
Flag = Annotated[bool, BeforeValidator(_flag_value)]
"""true or false (in JSON, or in a query string), nothing else."""
Text = Annotated[str, Field(pattern=NO_CONTROL_CHARACTERS_PATTERN)]
"""Text without control characters (core.text)."""
DIVISION_FILTER_PATTERN = "^([0-9]{2,12})?$"
DivisionFilter = Annotated[str, Field(pattern=DIVISION_FILTER_PATTERN, examples=["371302"])]
"""A division code to filter by (2 to 12 digits), or empty for no filter."""


# --- error bodies --------------------------------------------------------------------------------

class Message(Schema):
    detail: str


class FieldError(Schema):
    field: str | None = Field(description="The field (dotted when nested); null for the whole request.")
    message: str


class ValidationErrors(Schema):
    detail: list[FieldError]


# Responses every data endpoint may give, for the OpenAPI document (400: a body that is not JSON).
ERRORS: dict[int, Any] = {400: Message, 401: Message, 403: Message, 404: Message, 409: Message,
                          422: ValidationErrors}


def _schema_message(error: dict) -> str:
    """A pydantic error in the user's language. Most msgids are Django's own, already translated."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("There is no such field here.")
    if kind == "null_not_allowed":
        return _("This field cannot be null.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind.startswith("decimal_max_places"):
        places = int(ctx.get("decimal_places", 2))
        message = ngettext("Ensure that there are no more than %(max)s decimal place.",
                           "Ensure that there are no more than %(max)s decimal places.", places)
        return message % {"max": places}
    if kind.startswith(("decimal", "float", "finite_number")):
        return _("Enter a number.")
    if kind.startswith("datetime"):
        return _("Enter a valid date/time.")
    if kind.startswith("date"):
        return _("Enter a valid date.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind == "string_too_long":
        limit = int(ctx.get("max_length", 0))
        return ngettext("Ensure this value has at most %(limit)d character.",
                        "Ensure this value has at most %(limit)d characters.", limit) % {"limit": limit}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt", ""))}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_CONTROL_CHARACTERS_PATTERN:
        return control_characters_message()
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == DIVISION_FILTER_PATTERN:
        return _("Enter a division code: 2 to 12 digits.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send an object here.")
    return _("Enter a valid value.")


def _schema_field(loc: Iterable) -> str | None:
    """('body', 'payload', 'head', 'id_number') → 'head.id_number'.

    The first element is where the value was (body, query, path, form, file); `payload` is the
    name every handler gives its body; pydantic's union tags (`literal[...]`) are not fields.
    """
    parts = [str(p) for p in list(loc)[1:] if p != "payload" and "[" not in str(p)]
    return ".".join(parts) or None


def field_errors(error: DjangoValidationError, prefix: str = "") -> list[dict]:
    """A service's ValidationError as [{"field", "message"}], messages already translated."""
    if hasattr(error, "error_dict"):
        return [
            {"field": None if name == NON_FIELD_ERRORS else prefix + name, "message": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in error.messages]


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict, status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def unauthorised(request, exc):
        message = _("Give a valid API token: Authorization: Bearer <token>.")
        response = respond(request, {"detail": message}, 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def http_error(request, exc):
        # ninja raises 400 for a body it cannot parse; its own message is English only.
        if exc.status_code == 400:
            return respond(request, {"detail": _("The request body cannot be read: send valid JSON.")}, 400)
        return respond(request, {"detail": str(exc)}, exc.status_code)

    def not_found(request, exc):
        return respond(request, {"detail": _("Not found.")}, 404)

    def forbidden(request, exc):
        return respond(request, {"detail": str(exc) or _("You may not do this.")}, 403)

    def conflict(request, exc):
        return respond(request, {"detail": str(exc)}, 409)

    def invalid(request, exc):
        return respond(request, {"detail": field_errors(exc)}, 422)

    def malformed(request, exc):
        errors = [{"field": _schema_field(error.get("loc", ())), "message": _schema_message(error)}
                  for error in exc.errors]
        return respond(request, {"detail": errors}, 422)

    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthorised)
    api.add_exception_handler(Http404, not_found)
    # An id outside the caller's area is "not found", exactly like an id that does not exist.
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(ConflictError, conflict)
    api.add_exception_handler(DjangoValidationError, invalid)
    api.add_exception_handler(NinjaValidationError, malformed)


# --- paging ----------------------------------------------------------------------------------------

# Far beyond any list (a million pages of 200), and far within what a database takes as an offset.
MAX_PAGE = 1_000_000


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1 is the first page.")
    page_size: int = Field(50, ge=1, le=200)


def page_of(queryset, params: PageParams, out: Callable[[Any], Any]) -> dict:
    """One page of an ordered queryset: {count, more, page, page_size, items}."""
    start = (params.page - 1) * params.page_size
    rows = list(queryset[start:start + params.page_size])
    # A list may count itself only up to a limit (a common name searched city-wide): `more` says so.
    count, more = queryset.counted() if hasattr(queryset, "counted") else (queryset.count(), False)
    return {"count": count, "more": more, "page": params.page, "page_size": params.page_size,
            "items": [out(row) for row in rows]}


# --- platform endpoints ---------------------------------------------------------------------------

router = Router(tags=["platform"])


class MeOut(Schema):
    username: str
    name: str
    role: str
    role_label: str
    division: str
    division_name: str
    sees_full_identifiers: bool = Field(description="May use `unmask=true` (every unmasked view is logged).")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The token's user")
def me(request):
    user = request.auth
    return {
        "username": user.username, "name": user.get_full_name(), "role": user.role,
        "role_label": str(Role(user.role).label), "division": user.division_id,
        "division_name": user.division.name, "sees_full_identifiers": sees_whole_numbers(user),
    }


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class DivisionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DivisionOut]


class DivisionFilters(PageParams):
    level: Literal["", "province", "city", "county", "township", "village"] = Field(
        "", description="province, city, county, township or village")
    parent: DivisionFilter = Field("", description="Only the direct children of this code.")


@router.get("/divisions", response={200: DivisionPage, **ERRORS}, summary="Divisions in the caller's area")
def divisions(request, filters: Query[DivisionFilters]):
    qs = division_list(actor=request.auth, level=filters.level or None, parent=filters.parent or None)
    return page_of(qs.order_by("code"), filters, lambda d: {
        "code": d.code, "name": d.name, "level": d.level, "parent": d.parent_id})
