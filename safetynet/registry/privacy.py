"""What the registry's pages and API show of people who are not (or no longer) the actor's to see.

Identifiers themselves (ID, phone and certificate numbers, dates of birth) are the privacy policy's
(core.privacy, with the registry's table in registry.identifiers). Here: a former member who now
lives outside the actor's area is shown by the name the household's history recorded, nothing of
their current record.
"""

from dataclasses import dataclass

from safetynet.core.selectors import entity_history
from safetynet.core.types import User
from safetynet.registry import selectors
from safetynet.registry.models import Membership

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
    records = entity_history(entity_type="membership", entity_ids=ids).values_list("entity_id", "after")
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
