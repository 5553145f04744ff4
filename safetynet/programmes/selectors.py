"""Reads of the programmes app. Standards are public policy: every logged-in user may read them."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from safetynet.core.scope import area_q
from safetynet.core.selectors import division_names
from safetynet.programmes.models import EligibilityResult, EligibilityRun, Enrolment, Standard
from safetynet.registry.selectors import household_heads

CITY_CODE_LENGTH = 4


def standard_at(*, kind: str, county: str, urban_rural: str = "", on: datetime.date) -> Standard | None:
    """The approved value of a standard that applies to a county's residents on a day: the latest
    begun by then of the county's own and the city's; at the same start the county's own."""
    places = [county[:CITY_CODE_LENGTH], county[:6]]
    rows = (Standard.objects.filter(kind=kind, status=Standard.Status.APPROVED, division_id__in=places,
                                    urban_rural=urban_rural, valid_from__lte=on)
            .order_by("-valid_from").values_list("pk", "valid_from", "division_id")[:4])
    best = None
    for pk, valid_from, division in rows:
        if best is None or (valid_from == best[1] and len(division) > len(best[2])):
            best = (pk, valid_from, division)
        elif valid_from < best[1]:
            break
    return Standard.objects.get(pk=best[0]) if best else None


def standards_list(*, kind: str | None = None, status: str | None = None) -> QuerySet[Standard]:
    found = Standard.objects.select_related("division", "proposed_by", "decided_by")
    if kind:
        found = found.filter(kind=kind)
    if status:
        found = found.filter(status=status)
    return found.order_by("kind", "urban_rural", "-valid_from", "division_id")


def standard_exists(pk: int) -> bool:
    return Standard.objects.filter(pk=pk).exists()


def standards_awaiting() -> QuerySet[Standard]:
    return standards_list(status=Standard.Status.PROPOSED)


def standards_overview(*, on: datetime.date) -> list[dict]:
    """Every kind of standard with the values in force on a day (the city's and each county's own)
    and its history, newest first: what the standards page shows."""
    from safetynet.programmes.standards import KINDS

    rows = list(standards_list().exclude(status=Standard.Status.REJECTED))
    overview = []
    for code, kind in KINDS.items():
        mine = [row for row in rows if row.kind == code]
        approved = [row for row in mine if row.status == Standard.Status.APPROVED]
        in_force = {}
        for row in sorted(approved, key=lambda r: (r.valid_from, len(r.division_id))):
            if row.valid_from <= on:
                in_force[(row.urban_rural, row.division_id)] = row
        # A city value later than a county's own replaces it, as standard_at reads them.
        current = []
        for (urban_rural, division), row in sorted(in_force.items()):
            city = in_force.get((urban_rural, division[:CITY_CODE_LENGTH]))
            if len(division) > CITY_CODE_LENGTH and city is not None and city.valid_from > row.valid_from:
                continue
            current.append(row)
        overview.append({"kind": kind, "current": current,
                         "history": sorted(mine, key=lambda r: (r.valid_from, r.division_id), reverse=True)})
    return overview


# --- eligibility runs ------------------------------------------------------------------------------

def eligibility_runs(*, actor) -> QuerySet:
    """The runs over areas inside the actor's own (a county sees its county's runs, not the city's)."""
    return EligibilityRun.objects.filter(area_q(actor, "area__code")).select_related("area", "started_by")


def eligibility_run_get(*, actor, pk: int):
    """One run the actor may see, or EligibilityRun.DoesNotExist (a 404)."""
    return eligibility_runs(actor=actor).get(pk=pk)


KINDS_OF_RESULT = ("qualifies", "not_enrolled", "no_longer")
_COUNTS = {
    "n_qualifies": Count("pk", filter=Q(qualifies=True)),
    "n_not_enrolled": Count("pk", filter=Q(qualifies=True, enrolled=False)),
    "n_no_longer": Count("pk", filter=Q(no_longer=True)),
}


def eligibility_counts(results) -> dict:
    """{programme: {"qualifies", "not_enrolled", "no_longer"}} of a run's results (a queryset)."""
    rows = results.values("programme").annotate(**_COUNTS)
    return {row["programme"]: {kind: row[f"n_{kind}"] for kind in KINDS_OF_RESULT} for row in rows}


def eligibility_by_township(*, run) -> list[dict]:
    """Per township of the run's area, per programme: households qualifying, of them not receiving
    it, and receiving it without qualifying."""
    results = EligibilityResult.objects.filter(run=run).annotate(township=Substr("village_id", 1, 9))
    rows = results.values("township", "programme").annotate(**_COUNTS).order_by("township")
    townships: dict[str, dict] = {}
    for row in rows:
        townships.setdefault(row["township"], {})[row["programme"]] = {
            kind: row[f"n_{kind}"] for kind in KINDS_OF_RESULT}
    names = division_names(list(townships))
    return [{"code": code, "name": names.get(code, code), "counts": counts}
            for code, counts in townships.items()]


def eligibility_households(*, actor, run, programme: str, township: str,
                           kind: str = "qualifies") -> list[dict]:
    """The households of a township in the run — qualifying, qualifying but not receiving the
    programme (the list a coordinator visits: 政策找人), or receiving it without qualifying — with
    their village, head and address."""
    which = {"qualifies": Q(qualifies=True), "not_enrolled": Q(qualifies=True, enrolled=False),
             "no_longer": Q(no_longer=True)}[kind]
    results = list(EligibilityResult.objects.filter(which, run=run, programme=programme,
                                                    village_id__startswith=township)
                   .order_by("village_id", "household_id")[:2000])
    heads = household_heads(actor=actor, ids=[r.household_id for r in results])
    villages = division_names({r.village_id for r in results})
    return [{"household_id": r.household_id, "village": villages.get(r.village_id, r.village_id),
             "head": heads[r.household_id][0], "address": heads[r.household_id][1], "amount": r.amount}
            for r in results if r.household_id in heads]


def enrolment_get(*, actor, pk: int) -> Enrolment:
    """An enrolment of a household in the actor's area, or Enrolment.DoesNotExist (a 404)."""
    from safetynet.registry.selectors import household_get

    enrolment = Enrolment.objects.select_related("person").get(pk=pk)
    household_get(actor=actor, pk=enrolment.household_id)
    return enrolment


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def receiving_from(on: datetime.date) -> datetime.date:
    """The latest start of an enrolment that counts as received on `on`: benefits begin the month
    after the decision (SPEC §1.2, §1.3), so a household decided today receives from the first of
    next month and is no longer one to find."""
    return first_of_next_month(on)


def household_enrolments(*, household, on: datetime.date) -> list:
    """What the household receives on a day, or has been decided to receive from the next month (the
    caller has checked the household is in scope)."""
    return list(Enrolment.objects.filter(Q(until__isnull=True) | Q(until__gt=on), household=household,
                                         since__lte=receiving_from(on)).order_by("programme"))


def programme_persons(*, programme: str, on: datetime.date) -> QuerySet[Enrolment]:
    """The per-person enrolments of `programme` in force on a day (特困: one row per person supported),
    for other apps to build on (care's support modes and KPIs) — one query, no rows loaded."""
    return Enrolment.objects.filter(Q(until__isnull=True) | Q(until__gt=on), programme=programme,
                                    person__isnull=False, since__lte=on)
