"""Reads of purchased third-party services, and their rates — defined here once, for the pages, the
API and the care KPI page:

- third-party service coverage: of the 特困 persons cared for at home (care.selectors.dispersed_persons)
  in an area, those given at least one service actually logged in the period (by default the current
  month) — a contract alone does not count;
- per provider: the persons its contracts cover (on the period's last day), those of them it served
  in the period, the delivery rate (served / covered) and the number of services logged.

The bureaus (city, county, township) and auditors read by area: the providers recorded in or above
their area, the contracts whose area is in or above theirs, the logs of persons living in it. A
provider's staff read their own provider's contracts, the persons they cover and their logs, and
nothing else.
"""

import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from safetynet.care.models import ContractPerson, ServiceContract, ServiceLog, ServiceProvider
from safetynet.care.selectors import dispersed_persons
from safetynet.core.scope import scope_q
from safetynet.core.types import Role, User
from safetynet.core.workflows.selectors import evidence_of

READ_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.AUDITOR})
LOG_SUBJECT = "care.service_log"


def may_read_purchase(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role in READ_ROLES


def is_provider_user(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role == Role.SERVICE_PROVIDER


def may_open_purchase(actor: User) -> bool:
    """May the actor open the purchased-services pages at all (reading, or as a provider's worker)?"""
    return may_read_purchase(actor) or is_provider_user(actor)


def _own_provider_ids(actor: User):
    """The provider the actor works for (a subquery: none for anyone else)."""
    return ServiceProvider.objects.filter(staff__user_id=actor.pk, active=True).values("pk")


def _above_q(field: str, code: str) -> Q:
    """Rows whose division code is one of the ancestors of `code` (the city above a county)."""
    return Q(**{f"{field}__in": [code[:n] for n in (2, 4, 6, 9) if n < len(code)]})


def _area_or_above_q(actor: User, field: str) -> Q:
    return scope_q(actor, field) | _above_q(field, actor.division_id)


def period_of(start: datetime.date | None = None, end: datetime.date | None = None):
    """(first day, last day) of a period: by default the current month up to today."""
    end = end or timezone.localdate()
    return (start or end.replace(day=1)), end


def _logged_between_q(start: datetime.date, end: datetime.date, field: str = "started_at") -> Q:
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    before = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return Q(**{f"{field}__gte": since, f"{field}__lt": before})


def covered_q(day: datetime.date, prefix: str = "") -> Q:
    """Coverage in force on `day`: on a contract in force that day, added by then, not yet removed."""
    return (Q(**{f"{prefix}removed_on__isnull": True}) | Q(**{f"{prefix}removed_on__gt": day})) & Q(
        **{
            f"{prefix}added_on__lte": day,
            f"{prefix}contract__state": ServiceContract.State.ACTIVE,
            f"{prefix}contract__starts_on__lte": day,
            f"{prefix}contract__ends_on__gte": day,
        }
    )


# --- providers and contracts ---------------------------------------------------------------------------


def provider_list(*, actor: User) -> QuerySet[ServiceProvider]:
    if may_read_purchase(actor):
        return ServiceProvider.objects.filter(_area_or_above_q(actor, "division_id"))
    if is_provider_user(actor):
        return ServiceProvider.objects.filter(pk__in=_own_provider_ids(actor))
    return ServiceProvider.objects.none()


def provider_get(*, actor: User, pk: int) -> ServiceProvider:
    return provider_list(actor=actor).get(pk=pk)


def provider_staff(*, provider: ServiceProvider):
    return provider.staff.select_related("user").order_by("user__username")


def contract_list(*, actor: User, provider: ServiceProvider | None = None) -> QuerySet[ServiceContract]:
    if may_read_purchase(actor):
        rows = ServiceContract.objects.filter(_area_or_above_q(actor, "area_id"))
    elif is_provider_user(actor):
        rows = ServiceContract.objects.filter(provider_id__in=_own_provider_ids(actor))
    else:
        return ServiceContract.objects.none()
    if provider is not None:
        rows = rows.filter(provider=provider)
    return rows.select_related("provider", "area")


def contract_get(*, actor: User, pk: int) -> ServiceContract:
    return contract_list(actor=actor).get(pk=pk)


def contract_persons(*, actor: User, contract: ServiceContract) -> QuerySet[ContractPerson]:
    """The persons the contract covers now (those of the actor's area, for a bureau)."""
    rows = contract.persons.filter(removed_on__isnull=True)
    if may_read_purchase(actor):
        rows = rows.filter(scope_q(actor, "person__area_id"))
    return rows.select_related("person").order_by("person__name", "pk")


def contract_candidates(*, actor: User, contract: ServiceContract, limit: int = 500):
    """The 特困 enrolments of persons cared for at home in the contract's area not yet covered by it
    (the choices of "add a person"), for the bureau that writes the contract."""
    if not may_read_purchase(actor) or contract.state != ServiceContract.State.ACTIVE:
        return []
    covered = contract.persons.filter(removed_on__isnull=True).values("person_id")
    rows = (
        dispersed_persons(area=contract.area_id)
        .filter(scope_q(actor, "household__village_id"))
        .exclude(person_id__in=covered)
        .select_related("person", "household")
        .order_by("person__name", "person_id")
    )
    return list(rows[:limit])


# --- a provider's worker -------------------------------------------------------------------------------


def my_persons(*, actor: User, day: datetime.date | None = None) -> list[ContractPerson]:
    """The persons the actor's provider covers today, each once (a provider serves a few hundred)."""
    if not is_provider_user(actor):
        return []
    day = day or timezone.localdate()
    rows = (
        ContractPerson.objects.filter(covered_q(day), contract__provider_id__in=_own_provider_ids(actor))
        .select_related("person", "contract")
        .order_by("person__name", "person_id", "contract_id")
    )
    seen: dict[int, ContractPerson] = {}
    for row in rows:
        seen.setdefault(row.person_id, row)
    return list(seen.values())


def my_person_get(*, actor: User, person_id: int) -> ContractPerson:
    """The actor's provider's coverage of the person today, or ContractPerson.DoesNotExist (404)."""
    if not is_provider_user(actor):
        raise ContractPerson.DoesNotExist
    found = (
        ContractPerson.objects.filter(
            covered_q(timezone.localdate()),
            contract__provider_id__in=_own_provider_ids(actor),
            person_id=person_id,
        )
        .select_related("person", "contract")
        .order_by("contract_id")
        .first()
    )
    if found is None:
        raise ContractPerson.DoesNotExist
    return found


# --- logs ----------------------------------------------------------------------------------------------


def log_list(*, actor: User, person_id: int | None = None) -> QuerySet[ServiceLog]:
    if may_read_purchase(actor):
        rows = ServiceLog.objects.filter(scope_q(actor, "division_id"))
    elif is_provider_user(actor):
        rows = ServiceLog.objects.filter(contract__provider_id__in=_own_provider_ids(actor))
    else:
        return ServiceLog.objects.none()
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    return rows.select_related("person", "contract", "contract__provider", "logged_by")


def log_get(*, actor: User, pk: int) -> ServiceLog:
    return log_list(actor=actor).get(pk=pk)


def log_evidence(*, actor: User, log: ServiceLog):
    return list(evidence_of(actor=actor, subject_kind=LOG_SUBJECT, subject_ids=[log.pk]))


def granted_log_evidence_q(actor: User) -> Q:
    """The evidence a provider's worker reads by its provider (core.workflows evidence subjects)."""
    return Q(
        subject_id__in=ServiceLog.objects.filter(contract__provider_id__in=_own_provider_ids(actor)).values(
            "pk"
        )
    )


# --- rates ---------------------------------------------------------------------------------------------


def _percent(part: int, whole: int):
    return round(100 * part / whole, 2) if whole else None


def _count(rows: QuerySet, group: str) -> Coalesce:
    return Coalesce(
        Subquery(rows.values(group).annotate(n=Count("person_id", distinct=True)).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def provider_rates(
    *, actor: User, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[ServiceProvider]:
    """The providers the actor reads, each annotated: covered (persons covered on the period's last
    day), served (of them, those with a service of this provider logged in the period), logs (services
    logged in the period) and delivery_rate (served / covered, in %). Counted in the actor's area for a
    bureau; one query."""
    start, end = period_of(start, end)
    logged = _logged_between_q(start, end)
    covered = ContractPerson.objects.filter(covered_q(end), contract__provider=OuterRef("pk"))
    logs = ServiceLog.objects.filter(logged, contract__provider=OuterRef("pk"))
    if may_read_purchase(actor):
        covered = covered.filter(scope_q(actor, "person__area_id"))
        logs = logs.filter(scope_q(actor, "division_id"))
    served = covered.filter(
        Exists(
            ServiceLog.objects.filter(
                logged, person_id=OuterRef("person_id"), contract__provider=OuterRef("contract__provider")
            )
        )
    )
    rows = provider_list(actor=actor).annotate(
        covered=_count(covered, "contract__provider"),
        served=_count(served, "contract__provider"),
        logs=Coalesce(
            Subquery(logs.values("contract__provider").annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
    )
    out = list(rows.order_by("name", "pk"))
    for row in out:
        row.delivery_rate = _percent(row.served, row.covered)
    return out


def served_q(start: datetime.date, end: datetime.date, person_field: str = "person") -> Exists:
    """Was the person given at least one service logged in the period?"""
    return Exists(ServiceLog.objects.filter(_logged_between_q(start, end), person_id=OuterRef(person_field)))


def service_coverage(
    *, area: str, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict:
    """Third-party service coverage of an area: {"start", "end", "dispersed", "served", "rate",
    "townships": {township code: (dispersed, served)}} — one grouped query."""
    start, end = period_of(start, end)
    rows = (
        dispersed_persons(on=end, area=area)
        .annotate(served=served_q(start, end), township=Substr("household__village_id", 1, 9))
        .values("township")
        .annotate(dispersed=Count("pk"), served_count=Count("pk", filter=Q(served=True)))
        .order_by("township")
    )
    townships = {row["township"]: (row["dispersed"], row["served_count"]) for row in rows}
    dispersed = sum(d for d, _s in townships.values())
    served = sum(s for _d, s in townships.values())
    return {
        "start": start,
        "end": end,
        "dispersed": dispersed,
        "served": served,
        "rate": _percent(served, dispersed),
        "townships": townships,
    }


def add_service_coverage(kpis: dict, *, actor: User) -> dict:
    """Put the service coverage into care.selectors.kpis' rows (served and service_rate by township,
    county and in total), for the care KPI page. Counted over the same dispersed persons."""
    coverage = service_coverage(area=actor.division_id, end=kpis["on"])
    served_by_township = {code: served for code, (_d, served) in coverage["townships"].items()}
    total = 0
    for county in kpis["counties"]:
        county_served = 0
        for row in county["townships"]:
            row["served"] = served_by_township.get(row["township"], 0)
            row["service_rate"] = _percent(row["served"], row["dispersed"])
            county_served += row["served"]
        county["served"] = county_served
        county["service_rate"] = _percent(county_served, county["dispersed"])
        total += county_served
    kpis["total"]["served"] = total
    kpis["total"]["service_rate"] = _percent(total, kpis["total"]["dispersed"])
    kpis["service_period"] = (coverage["start"], coverage["end"])
    return kpis


def coverage_for(*, actor: User) -> dict | None:
    """The actor's area's service coverage this month (None for those who do not read by area)."""
    if not may_read_purchase(actor):
        return None
    return service_coverage(area=actor.division_id)


def covered_counts(*, contract_ids) -> dict[int, int]:
    """How many persons each contract covers now (contract id → count), in one grouped query."""
    rows = (
        ContractPerson.objects.filter(contract_id__in=list(contract_ids), removed_on__isnull=True)
        .values("contract_id")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {row["contract_id"]: row["n"] for row in rows}
