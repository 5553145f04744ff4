"""Which registry values are personal identifiers, and how each is shown: the one definition.

Pages, forms, the API and the timeline all ask here. A role that may unmask (`core.scope.may_unmask`:
city or county bureau in its area, a township office in its township) sees whole values when it asks
for them, and every such showing is logged (`core.UnmaskLog`); every other role sees them masked.
A date of birth is not an identifier but gives away eight hidden digits of the ID number: a role
that may not unmask sees an age instead.

Reading and logging happen here together, so that nothing shows a whole value without its log row.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from safetynet.core.masking import (
    age_in_years,
    mask_certificate,
    mask_date,
    mask_id_number,
    mask_long_numbers,
    mask_phone,
)
from safetynet.core.models import ChangeRecord, User
from safetynet.core.scope import may_unmask
from safetynet.core.services import unmask_log
from safetynet.registry import selectors
from safetynet.registry.models import Household, Membership, Person

# The personal identifiers of each entity (model name → fields). `disability_cert_no` is the ID
# number and two digits; `id_note` may quote an old 15-digit ID number.
PERSON_IDENTIFIERS = ("id_number", "phone", "disability_cert_no", "id_note")
HOUSEHOLD_IDENTIFIERS = ("phone",)
IDENTIFIERS = {"person": PERSON_IDENTIFIERS, "household": HOUSEHOLD_IDENTIFIERS}
# Shown whole only to a role that may unmask (without a reveal: it is no identifier); masked to others.
PERSON_BIRTH_FIELDS = ("birth_date",)

_MASKS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "disability_cert_no": mask_certificate,
    "id_note": mask_long_numbers,
}


def mask(field: str, value) -> str:
    """`value` of the identifier `field` as a role that may not see it whole sees it."""
    return _MASKS[field](None if value is None else str(value))


def may_see_whole(actor: User, area_code: str | None) -> bool:
    """May the actor see whole identifiers (and dates of birth) of someone at `area_code`?"""
    return bool(getattr(actor, "is_authenticated", False)) and may_unmask(actor, area_code)


def person_hidden_fields(actor: User, person: Person) -> tuple[str, ...]:
    """The fields of `person` the actor may neither see whole nor change (for forms)."""
    if may_see_whole(actor, person.area_id):
        return ()
    return PERSON_IDENTIFIERS + PERSON_BIRTH_FIELDS


def household_hidden_fields(actor: User, household: Household) -> tuple[str, ...]:
    if may_see_whole(actor, household.village_id):
        return ()
    return HOUSEHOLD_IDENTIFIERS


def _log(actor: User, subject, values: dict, fields, channel: str) -> None:
    shown = [field for field in fields if values.get(field)]
    if shown:
        unmask_log(actor=actor, subject=subject, fields=",".join(shown), channel=channel)


# --- one record, for one actor ----------------------------------------------------------------------

def person_values(person: Person, *, whole: bool, birth_date: bool) -> dict:
    """The person's identifiers whole or masked, the date of birth or not, the age; no log."""
    if whole:
        values = {field: getattr(person, field) or "" for field in PERSON_IDENTIFIERS}
    else:
        values = {field: mask(field, getattr(person, field)) for field in PERSON_IDENTIFIERS}
    return values | {
        "birth_date": person.birth_date if birth_date else None,
        "age": age_in_years(person.birth_date),
        "unmasked": whole,
    }


def person_reveal(*, actor: User, person: Person, channel: str, fields=PERSON_IDENTIFIERS) -> dict:
    """The person's whole identifiers, for a role entitled to them; the non-empty `fields` (those
    the caller shows) are logged. `channel`: "page", "api" or "export"."""
    if not may_see_whole(actor, person.area_id):
        raise PermissionDenied(_("Your role sees ID and phone numbers masked."))
    values = person_values(person, whole=True, birth_date=True)
    _log(actor, person, values, fields, channel)
    return values


def household_reveal(*, actor: User, household: Household, channel: str) -> dict:
    """The household's whole contact phone, for a role entitled to it; logged if there is one."""
    if not may_see_whole(actor, household.village_id):
        raise PermissionDenied(_("Your role sees ID and phone numbers masked."))
    values = {"phone": household.phone, "unmasked": True, "may_reveal": False}
    _log(actor, household, values, HOUSEHOLD_IDENTIFIERS, channel)
    return values


class Disclosure:
    """What one response (a page, an API answer) shows of personal identifiers to its actor.

    With `whole=True`, a role that may unmask gets whole values, each person and household logged
    once per response; any other role (or `whole=False`) gets them masked. `may_reveal` tells a
    page whether to offer the "Show in full" button.
    """

    def __init__(self, actor: User, *, channel: str, whole: bool = False):
        self.actor, self.channel, self.whole = actor, channel, whole
        self._revealed: dict[tuple[str, int], dict] = {}

    def person(self, person: Person) -> dict:
        entitled = may_see_whole(self.actor, person.area_id)
        if self.whole and entitled:
            key = ("person", person.pk)
            if key not in self._revealed:
                self._revealed[key] = person_reveal(actor=self.actor, person=person, channel=self.channel)
            return self._revealed[key] | {"may_reveal": False}
        return person_values(person, whole=False, birth_date=entitled) | {"may_reveal": entitled}

    def household(self, household: Household) -> dict:
        entitled = may_see_whole(self.actor, household.village_id)
        if self.whole and entitled:
            key = ("household", household.pk)
            if key not in self._revealed:
                self._revealed[key] = household_reveal(actor=self.actor, household=household,
                                                       channel=self.channel)
            return self._revealed[key]
        return {"phone": mask("phone", household.phone), "unmasked": False,
                "may_reveal": entitled and bool(household.phone)}


# --- people who have left --------------------------------------------------------------------------

def people_in_area(*, actor: User, ids) -> dict[int, str]:
    """Of the people `ids`, those in the actor's area now, with the code of that area."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return dict(selectors.person_list(actor=actor).filter(pk__in=ids).values_list("pk", "area_id"))


def names_in_history(memberships) -> dict[int, str]:
    """The member's name as the household's history recorded it (joining, or leaving if later)."""
    ids = [m.pk for m in memberships]
    records = (ChangeRecord.objects.filter(entity_type="membership", entity_id__in=ids)
               .order_by("at", "id").values_list("entity_id", "after"))
    return {pk: after["person_name"] for pk, after in records if after.get("person_name")}


@dataclass
class Member:
    """A membership as the actor may see it: `in_area` false means the person now lives outside
    the actor's area, and nothing of their current record is shown, only `name` from the history."""

    membership: Membership
    name: str
    in_area: bool
    shown: dict | None = None  # the person's identifiers as shown, where the caller fills it in


def members_shown(*, actor: User, memberships) -> list[Member]:
    memberships = list(memberships)
    in_area = people_in_area(actor=actor, ids=[m.person_id for m in memberships])
    gone = [m for m in memberships if m.person_id not in in_area]
    recorded = names_in_history(gone) if gone else {}
    return [
        Member(m, m.person.name, True) if m.person_id in in_area
        else Member(m, recorded.get(m.pk, ""), False)
        for m in memberships
    ]


# --- the timeline ----------------------------------------------------------------------------------

def change_values(record: ChangeRecord, *, actor: User, person_areas: dict[int, str]) -> tuple[dict, dict]:
    """A ChangeRecord's before and after as the timeline shows them to the actor.

    Identifiers are always masked there (the "Show in full" button is for whole ones, and logs
    them). A person's date of birth is masked unless the person is in the actor's area now
    (`person_areas`, from people_in_area) and the actor may unmask there.
    """
    hidden = {field for fields in IDENTIFIERS.values() for field in fields}
    hide_birth = record.entity_type == "person" and not may_see_whole(
        actor, person_areas.get(record.entity_id)
    )

    def shown(values: dict) -> dict:
        out = {}
        for key, value in values.items():
            if key in hidden:
                out[key] = mask(key, value)
            elif key in PERSON_BIRTH_FIELDS and hide_birth:
                out[key] = mask_date(value)
            else:
                out[key] = value
        return out

    return shown(record.before or {}), shown(record.after or {})
