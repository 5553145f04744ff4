"""The auditor's report "staff looking up their own relatives" (core.audit_reports shows it): which members of
staff were shown the whole numbers of a household that looks like their own family.

The heuristic, stated so that an auditor can weigh it (a pattern to ask about, never a proof):

1. **Phone**: the staff member's phone number (their account's) is the household's contact phone or
   a current member's phone. Strong: the number is their own, or someone who shares it with them.
2. **Surname and village**: the staff member is bound to a village (coordinators, grid workers,
   caregivers — who as a rule live where they work) and a current member of the household, living
   in that same village, has the staff member's surname (compound surnames such as 欧阳 read whole).
   Weak on its own in a village of one clan: the report says which rule matched.

Read are the unmask log rows (a household's or a person's numbers shown whole) of staff of the
auditor's area in the period, for households in the auditor's area; a person is taken with their
current household. A lookup by a whole number from someone who sees numbers masked writes unmask
rows for the persons it found, so it is read here too; a lookup that found no one names no person:
the lookups report of core.audit_reports covers those.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from safetynet.core.audit_reports import may_audit, register_audit_report, staff_by_pk, staff_unmask_rows
from safetynet.core.scope import scope_q
from safetynet.core.selectors import division_names
from safetynet.core.types import DivisionLevel, User
from safetynet.registry.models import Household, Membership
from safetynet.registry.search import COMPOUND_SURNAMES

ROWS_READ = 20_000  # the most recent showings the report weighs (a period of a busy county)


def surname(name: str) -> str:
    name = "".join((name or "").split())
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > len(s)), name[:1])


def relatives_lookups(*, actor: User, days: int = 30) -> list[dict]:
    """(staff member, household, rules matched, showings, last) for the showings of the period that
    match the heuristic above, most showings first."""
    rows = staff_unmask_rows(actor=actor, days=days, subject_types=("person", "household"), limit=ROWS_READ)
    if not rows:
        return []
    person_ids = {sid for _a, kind, sid, _at in rows if kind == "person"}
    household_of = dict(Membership.objects.filter(person_id__in=person_ids, left_on__isnull=True)
                        .values_list("person_id", "household_id"))
    seen: dict[tuple[int, int], list] = {}
    for actor_id, kind, subject_id, at in rows:
        household_id = subject_id if kind == "household" else household_of.get(subject_id)
        if household_id is not None:
            entry = seen.setdefault((actor_id, household_id), [0, at])
            entry[0] += 1
    households = {h.pk: h for h in Household.objects.filter(
        scope_q(actor, "village_id"), pk__in={h for _a, h in seen}).select_related("head", "village")}
    members: dict[int, list[tuple[str, str]]] = {}
    current = Membership.objects.filter(household_id__in=households, left_on__isnull=True)
    for household_id, name, phone in current.values_list("household_id", "person__name", "person__phone"):
        members.setdefault(household_id, []).append((name, phone))
    staff = staff_by_pk(a for a, _h in seen)
    found = []
    for (actor_id, household_id), (showings, last) in seen.items():
        household, member = households.get(household_id), staff.get(actor_id)
        if household is None or member is None:
            continue
        matched = []
        phones = {household.phone, *(phone for _name, phone in members.get(household_id, []))} - {""}
        if member.phone and member.phone in phones:
            matched.append(_("the staff member's phone number is the household's"))
        own = surname(member.get_full_name() or "")
        at_home = (member.division.level == DivisionLevel.VILLAGE
                   and household.village_id == member.division_id)
        if (own and at_home and any(surname(name) == own for name, _phone in members.get(household_id, []))):
            matched.append(_("same surname, in the staff member's own village"))
        if matched:
            found.append({"staff": member, "household": household, "rules": matched, "showings": showings,
                          "last": last})
    found.sort(key=lambda row: (-len(row["rules"]), -row["showings"]))
    return found


def _report(request, days: int) -> str | None:
    if not may_audit(request.user):
        return None
    rows = relatives_lookups(actor=request.user, days=days)
    names = division_names(row["household"].village.parent_id for row in rows)
    return render_to_string("registry/_audit_relatives.html", {"rows": rows, "townships": names},
                            request=request)


def register() -> None:
    """Called from RegistryConfig.ready: the report on the auditor's page."""
    register_audit_report("registry-relatives", _report)
