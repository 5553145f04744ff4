"""What the import says about rows beyond reading them: rows that conflict with the user's area or
with another household, and the bulk checks' errors placed on the rows they are about.

- A village or place of residence outside the user's area is handed back in the words the forms use
  for it ("No division in your area has this code"), and the attempt is logged as a refused request
  is (one line, core.logfilters).
- A person registered outside the area is refused in the services' words ("registered elsewhere —
  ask the county bureau", nothing more about them) and logged as the services log it
  (core.IdentifierLookup, which the county bureau is shown).
- A person of another household, or one named head of a household they do not head, is a move
  between households: an explicit act in the system, never an import's."""

import logging
import re

from django.utils.translation import gettext as _

from safetynet.core.masking import mask_id_number
from safetynet.core.scope import in_scope
from safetynet.core.services import identifier_lookups_record
from safetynet.core.types import Division, LookupOutcome, User
from safetynet.registry import codes
from safetynet.registry.imports.layout import COLUMN_OF, HOUSEHOLD, KEY, PERSON, header_of
from safetynet.registry.imports.registered import _BULK_REPEATS
from safetynet.registry.imports.rows import Group, Row, _error, _has_error_on, _Known
from safetynet.registry.models import Household, Membership

logger = logging.getLogger(__name__)

# --- the user's area -------------------------------------------------------------------------------

_PLACES = ((HOUSEHOLD, "village"), (PERSON, "residence_division"))  # a hukou may be anywhere


def divisions_outside_area(actor: User, groups: list[Group], divisions: dict[str, Division]) -> None:
    """Hand back each row naming a (real) village or place of residence outside the actor's area,
    and log the attempt once for the batch."""
    attempts = []
    for group in groups:
        for row in group.rows:
            for part, name in _PLACES:
                code = row.get(part, name)
                if code is None or code not in divisions or in_scope(actor, code):
                    continue
                column = COLUMN_OF[(part, name)]
                if not _has_error_on(row, column):  # a code that is no village says so already
                    row.errors.append(_error(column, _("No division in your area has this code.")))
                    attempts.append(f"{row.number}:{code}")
    if attempts:
        logger.warning(
            "Import by %s (area %s) refused: divisions outside the user's area (row:code) %s%s",
            actor.username,
            actor.division_id,
            " ".join(attempts[:50]),
            f" and {len(attempts) - 50} more" if len(attempts) > 50 else "",
        )


def registered_elsewhere_message() -> str:
    """The services' words for an ID number held outside the user's area (registry.services)."""
    return _(
        "This ID number is already registered outside your area, and a person is registered only "
        "once. Ask the county civil-affairs bureau to look into it."
    )


def record_registered_elsewhere(actor: User, numbers: list[str]) -> None:
    """Each ID number of the batch found registered outside the area, logged as the form logs it."""
    if numbers:
        identifier_lookups_record(
            actor=actor,
            kind="id_number",
            shown=[mask_id_number(number) for number in numbers],
            channel="import",
            outcome=LookupOutcome.ELSEWHERE,
        )


# --- another household -----------------------------------------------------------------------------


def in_another_household(
    elsewhere: list[tuple[Row, int]], heads: list[tuple[Group, _Known, int]] = ()
) -> None:
    """Hand back each row whose person is registered in another household (row, that household),
    and each household whose head, named in 户主身份证号, heads no household (group, head, theirs):
    a move between households, with who heads the other household and where."""
    if not elsewhere and not heads:
        return
    wanted = {pk for _row, pk in elsewhere} | {pk for _group, _head, pk in heads}
    households = {h.pk: h for h in Household.objects.filter(pk__in=wanted).select_related("village")}
    head_names = dict(
        Membership.objects.filter(
            household_id__in=households, left_on__isnull=True, relation__in=codes.HEAD_RELATIONS
        ).values_list("household_id", "person__name")
    )

    def reason(name: str, pk: int) -> str:
        household = households.get(pk)
        return _(
            "%(name)s is registered in another household (head %(head)s, %(place)s): a move "
            "between households is made in the system (move member), not by an import."
        ) % {
            "name": name,
            "head": head_names.get(pk, "—"),
            "place": household.village.name if household else "—",
        }

    for row, pk in elsewhere:
        row.errors.append(_error(COLUMN_OF[(PERSON, "id_number")], reason(row.person.name, pk)))
        row.person = None
    for group, head, pk in heads:
        group.errors.append(_error(COLUMN_OF[(KEY, "head_id")], reason(head.name, pk)))


# --- bulk's errors on the rows -----------------------------------------------------------------------

_BULK_KEY = re.compile(r"(members|income|assets)\[([0-9]+)\](?:\.(\w+))?|household(?:\.(\w+))?")


def place_bulk_errors(group: Group, sources: dict, errors: dict, *, checked_only=False) -> None:
    """Put each of bulk's errors ("members[2].id_number": […]) on the row it is about.

    `checked_only`: a household handed back already, checked for its other reasons; what the
    import has said about a cell already (it could not be read, it is missing, the household
    has no village or period) is not said again in the rules' words."""
    placed = False
    for key, texts in errors.items():
        match = _BULK_KEY.fullmatch(str(key))
        row, header = None, ""
        if checked_only and (
            not match
            or match.group(1) is None
            or (match.group(1) == "income" and (match.group(3) or "").startswith("period"))
        ):
            continue  # the household's own values: the import's checks have said it
        if match and match.group(1) == "members":
            index, name = int(match.group(2)), match.group(3) or ""
            if index < len(sources["members"]):
                row, header = sources["members"][index], header_of(name, None)
        elif match and match.group(1) in ("income", "assets"):
            index = int(match.group(2))
            if index < len(sources[match.group(1)]):
                row, column = sources[match.group(1)][index]
                header = column.header
        elif match:
            header = header_of(match.group(4) or "", HOUSEHOLD)
            row = next((r for r in group.rows if any(r.values.get(HOUSEHOLD, {}))), group.rows[0])
        if checked_only and row is not None and header and _has_error_on(row, header):
            continue
        if checked_only and match and match.group(1) == "members" and (
            match.group(3) in ("hukou_division", "residence_division")
            and row is not None
            and row.get(PERSON, match.group(3)) is None
        ):
            continue  # the household's village, not given or not found, said once on its own
        for text in texts:
            message = _error(header, str(text)) if header else str(text)
            if checked_only and str(text) in _BULK_REPEATS():
                continue
            (row.errors if row is not None else group.errors).append(message)
            placed = True
    if not placed and not checked_only:
        group.errors.append(_("The household could not be stored."))
