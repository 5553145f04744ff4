"""What the registry API accepts and returns.

Field names are the model's, so a 422 from a service (keyed by model field) names the field the
client sent. Foreign keys travel as ids (`person`) or division codes (`village`, `hukou_division`).
Code fields are enums of the national code tables in `registry.codes`; money is a decimal string.
Schemas hold no logic: the services validate, the handlers convert.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, get_args

from ninja import Field, Schema
from pydantic import (
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
    create_model,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from safetynet.core.api import Date, Flag, Text
from safetynet.core.types import UrbanRural
from safetynet.registry import codes


def choice(choices, *, blank: bool = False) -> Any:
    """A Literal of a code table's values (plus "" where the field may be left blank)."""
    values = tuple(choices.values) + (("",) if blank else ())
    return Literal[values]  # type: ignore[valid-type]


def _decimal_text(value: Any) -> Any:
    """A decimal string, or a JSON number (taken as written); a boolean is no amount."""
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "Enter a number.")
    return value


def _decimal_string(value: Decimal | None) -> str | None:
    """Two places, as money is written; a value with more (sent, not yet refused) is not rounded
    here, so that the service sees it as sent and says what is wrong."""
    if value is None:
        return None
    try:
        cents = value.quantize(Decimal("0.01"))
    except InvalidOperation:  # infinite, or too many digits to have cents: refused later
        return str(value)
    return f"{value:.2f}" if cents == value else str(value)


DECIMAL_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
# Decimal in, decimal string out: never a float anywhere between the database and the client. The
# document says "a decimal string"; a JSON number is taken too, as older clients send it.
Money = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    PlainSerializer(_decimal_string, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN, "examples": ["1234.56"]},
                   mode="validation"),
    WithJsonSchema({"type": "string", "examples": ["1234.56"]}, mode="serialization"),
]
Area = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    PlainSerializer(_decimal_string, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN, "examples": ["65.50"]}, mode="validation"),
    WithJsonSchema({"type": "string", "examples": ["65.50"]}, mode="serialization"),
]
DivisionCode = Annotated[
    str, Field(min_length=2, max_length=12, pattern=r"^[0-9]+$", examples=["371302001201"])
]


class In(Schema):
    """What a client sends: a field this schema does not know is refused, not silently dropped
    (a misspelt `adress` would otherwise "succeed" and change nothing)."""

    model_config = ConfigDict(extra="forbid")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("null_not_allowed", "This field cannot be null.")
    return value


def _no_default_in_schema(schema: dict) -> None:
    schema.pop("default", None)


def partial(schema: type[Schema], name: str, **required: Any) -> type[Schema]:
    """The same fields and checks, all optional (sent = changed), plus `required` ones (the version).

    Leaving a field out keeps it. Null is accepted (and documented) only where the field itself
    takes null; elsewhere it is refused with a message saying so.
    """
    fields: dict[str, Any] = {}
    for field_name, info in schema.model_fields.items():
        optional = FieldInfo.merge_field_infos(info, default=None, json_schema_extra=_no_default_in_schema)
        fields[field_name] = (info.annotation, optional)
    fields.update(required)
    not_nullable = [field_name for field_name, info in schema.model_fields.items()
                    if type(None) not in get_args(info.annotation)]
    validators = ({"refuse_null": field_validator(*not_nullable, mode="before")(_refuse_null)}
                  if not_nullable else {})
    return create_model(name, __base__=In, __validators__=validators, **fields)


VERSION = (int, Field(..., ge=1, description="The `version` you read. A newer one means someone else "
                      "saved in between: 409, reload and apply your change again."))


# --- shared ------------------------------------------------------------------------------------

BIRTH_DATE_HELP = ("Null for a caller whose role sees identifiers masked: the date is eight digits of the ID "
                   "number. `age` is given to every caller.")


class PersonBrief(Schema):
    id: int
    name: str = Field(description="For a former member now outside your area, the name the household's "
                      "history recorded.")
    sex: int | None = Field(description="Null only when `in_area` is false.")
    birth_date: datetime.date | None = Field(description=BIRTH_DATE_HELP)
    age: int | None = Field(None, description="Whole years today.")
    id_number: str = Field(description="Masked (`3713**********0013`) unless `unmasked` is true; empty when "
                           "`in_area` is false.")
    unmasked: bool = False
    in_area: bool = Field(True, description="False for a former member who now lives outside your area: "
                          "nothing of their current record is given.")


# --- households --------------------------------------------------------------------------------

class HouseholdIn(In):
    village: DivisionCode = Field(description="12-digit code of the village or community.")
    address: Text = Field(max_length=200, examples=["幸福路1号"])
    urban_rural: choice(UrbanRural)
    phone: Text = Field("", max_length=20)
    housing_status: choice(codes.HousingStatus, blank=True) = ""
    house_structure: choice(codes.HouseStructure, blank=True) = ""
    floor_area: Area | None = None
    heating: choice(codes.Heating, blank=True) = ""
    co_alarm: Flag = False
    grid_worker: int | None = Field(None, description="Id of the grid worker responsible (a user in your "
                                    "area).")
    coordinator: int | None = Field(None, description="Id of the social-assistance coordinator responsible.")
    status: choice(codes.HouseholdStatus) = codes.HouseholdStatus.ACTIVE.value


class PersonIn(In):
    id_number: Text = Field(max_length=24, description="18 characters (15-digit old numbers are converted).",
                           examples=["371302195001010013"])
    name: Text = Field(max_length=50, examples=["张三"])
    sex: choice(codes.Sex) | None = Field(None, description="Taken from the ID number when left out.")
    birth_date: Date | None = Field(None, description="Taken from the ID number when left out.")
    ethnicity: choice(codes.Ethnicity) = codes.Ethnicity.HAN.value
    hukou_division: DivisionCode = Field(description="Code of the place of household registration.")
    residence_division: DivisionCode = Field(description="Code of the place of residence.")
    address: Text = Field("", max_length=200)
    urban_rural: choice(UrbanRural)
    phone: Text = Field("", max_length=20)
    marital: choice(codes.Marital, blank=True) = ""
    education: choice(codes.Education, blank=True) = ""
    employment: choice(codes.Employment, blank=True) = ""
    labour_capacity: choice(codes.LabourCapacity) = codes.LabourCapacity.ABLE.value
    health: choice(codes.Health) = codes.Health.GOOD.value
    disability_category: choice(codes.DisabilityCategory) | None = None
    disability_grade: choice(codes.DisabilityGrade) | None = None
    disability_cert_no: Text = Field("", max_length=20)
    serious_illness: choice(codes.SeriousIllness, blank=True) = ""
    mental_illness: Flag = False
    self_care: choice(codes.SelfCare) | None = None
    in_school: Flag = False
    status: choice(codes.PersonStatus) = codes.PersonStatus.NORMAL.value


class HouseholdCreate(HouseholdIn):
    head: PersonIn | None = Field(None, description="The head, registered with the household. Give this "
                                  "or `head_person`. Errors about it are keyed `head.<field>`.")
    head_person: int | None = Field(None, description="Id of a registered person in no household, as head.")
    head_relation: Literal["01", "02"] = Field("02", description="01 self, 02 head of household.")


HouseholdUpdate = partial(HouseholdIn, "HouseholdUpdate", version=VERSION)


class HouseholdOut(Schema):
    id: int
    village: str
    village_name: str
    address: str
    urban_rural: str
    phone: str = Field(description="Masked unless `unmasked` is true.")
    housing_status: str
    house_structure: str
    floor_area: Area | None
    heating: str
    co_alarm: bool
    grid_worker: int | None
    coordinator: int | None
    status: str
    head: PersonBrief | None
    member_count: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    unmasked: bool = False


# --- people ------------------------------------------------------------------------------------

PersonUpdate = partial(PersonIn, "PersonUpdate", version=VERSION)


class PersonOut(Schema):
    id: int
    id_number: str = Field(description="Masked (`3713**********0013`) unless `unmasked` is true.")
    id_note: str = Field(description="May quote an old ID number: runs of 15 or more digits are masked "
                         "unless `unmasked` is true.")
    name: str
    sex: int
    birth_date: datetime.date | None = Field(description=BIRTH_DATE_HELP)
    age: int | None = Field(None, description="Whole years today.")
    ethnicity: str
    hukou_division: str
    residence_division: str
    address: str
    urban_rural: str
    phone: str = Field(description="Masked unless `unmasked` is true.")
    marital: str
    education: str
    employment: str
    labour_capacity: str
    health: str
    disability_category: int | None
    disability_grade: int | None
    disability_cert_no: str = Field(description="Holds the ID number: masked like it.")
    serious_illness: str
    mental_illness: bool
    self_care: int | None
    in_school: bool
    status: str
    household: int | None = Field(None, description="The current household (single-person reads only).")
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    unmasked: bool = False
    warnings: list[str] = Field(default_factory=list, description="Worth checking, not errors (on create "
                                "and update): e.g. an ID address code not in the division table.")


# --- members -----------------------------------------------------------------------------------

class MemberIn(In):
    person: int | None = Field(None, description="Id of a registered person in no household. Give this "
                               "or `new_person`.")
    new_person: PersonIn | None = Field(None, description="A person registered with the membership. Errors "
                                        "about it are keyed `new_person.<field>`.")
    relation: choice(codes.Relation) = Field(examples=["10"])
    co_living: Flag = True
    exclusion: choice(codes.Exclusion, blank=True) = ""
    joined_on: Date | None = None


class MemberUpdateFields(In):
    relation: choice(codes.Relation) = Field(examples=["10"])
    co_living: Flag
    exclusion: choice(codes.Exclusion, blank=True)


MemberUpdate = partial(MemberUpdateFields, "MemberUpdate", version=VERSION)


class MemberMove(In):
    person: int = Field(description="Id of the person who moves here from their current household.")
    relation: choice(codes.Relation) = Field(examples=["10"])
    on: Date | None = Field(None, description="Date of the move; today when left out.")


class MemberOut(Schema):
    id: int
    household: int
    person: PersonBrief
    relation: str
    co_living: bool
    exclusion: str
    joined_on: datetime.date
    left_on: datetime.date | None
    leave_reason: str
    version: int


# --- income, assets, expenses ------------------------------------------------------------------

class IncomeIn(In):
    person: int | None = Field(None, description="The member the income is theirs, if one.")
    category: choice(codes.IncomeCategory)
    description: Text = Field("", max_length=100)
    amount: Money
    period_start: Date
    period_end: Date
    excluded: Flag = False
    exclusion_reason: choice(codes.IncomeExclusion, blank=True) = ""
    deduction_kind: choice(codes.Deduction, blank=True) = ""
    deduction_amount: Money = Decimal("0")
    evidence: Text = Field("", max_length=200)


IncomeUpdate = partial(IncomeIn, "IncomeUpdate", version=VERSION)


class IncomeOut(IncomeIn):
    model_config = ConfigDict(extra="ignore")

    id: int
    household: int
    version: int


class AssetIn(In):
    person: int | None = Field(None, description="The member who owns it, if one.")
    asset_type: choice(codes.AssetType)
    description: Text = Field("", max_length=100)
    value: Money
    area: Area | None = None
    plate_number: Text = Field("", max_length=12)
    exempt: Flag = False
    exempt_reason: choice(codes.AssetExemption, blank=True) = ""


AssetUpdate = partial(AssetIn, "AssetUpdate", version=VERSION)


class AssetOut(AssetIn):
    model_config = ConfigDict(extra="ignore")

    id: int
    household: int
    version: int


class ExpenseIn(In):
    person: int | None = Field(None, description="The member the expense is for, if one.")
    expense_type: choice(codes.ExpenseType)
    amount: Money
    incurred_on: Date
    receipt_ref: Text = Field("", max_length=60)
    description: Text = Field("", max_length=100)


ExpenseUpdate = partial(ExpenseIn, "ExpenseUpdate", version=VERSION)


class ExpenseOut(ExpenseIn):
    model_config = ConfigDict(extra="ignore")

    id: int
    household: int
    version: int


class SupporterIn(In):
    person: int = Field(description="The member who is supported.")
    name: Text = Field(min_length=1, max_length=50)
    relation: choice(codes.SupporterRelation)
    birth_date: Date
    income_year: Money = Field(Decimal("0"), description="The supporter's income of the last year, yuan.")
    disability_category: choice(codes.DisabilityCategory) | None = None
    disability_grade: choice(codes.DisabilityGrade) | None = None
    assistance: choice(codes.SupporterAssistance, blank=True) = ""
    incapacity: choice(codes.SupporterIncapacity, blank=True) = ""


SupporterUpdate = partial(SupporterIn, "SupporterUpdate", version=VERSION)


class SupporterOut(SupporterIn):
    model_config = ConfigDict(extra="ignore")

    id: int
    household: int
    version: int


# --- documents ---------------------------------------------------------------------------------

class DocumentOut(Schema):
    id: int
    household: int
    person: int | None
    material_type: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int
    uploaded_at: datetime.datetime
    download: str = Field(description="Where to fetch the file (same token).")


class TimelineChangeOut(Schema):
    label: str = Field(description="The field, in the caller's language.")
    before: str
    after: str
    value: str = Field(description="What a created or deleted record held.")


class TimelineEntryOut(Schema):
    at: datetime.datetime
    kind: str = Field(description="`change` for a recorded change of the registry; otherwise the kind of "
                      "record another app adds (e.g. `grant`).")
    actor: str = Field(description="Who did it, by name; empty when no one in particular.")
    action: str = Field(description="Created, changed or deleted (a change only), in words.")
    action_code: Literal["", "create", "update", "delete"]
    entity: str = Field(description="What kind of record changed, in words (a change only).")
    subject: str = Field(description="Which record: a member's name, an item's summary (a change only).")
    reason: str
    text: str = Field(description="The entry in words (entries of other apps).")
    link: str = Field(description="Where to read more (a page of this site), or empty.")
    changes: list[TimelineChangeOut] = Field(description="Identifiers masked as on the household page, "
                                             "unless `unmask=true` for a role that may see them whole.")


class TimelinePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TimelineEntryOut]
