"""Reads of temporary aid, scoped to the reader's area (where the aid was given, whatever the
person's hukou): one aid, the area's list with late paperwork marked, the heating aid batches."""

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from safetynet.core.scope import scope_q, subtree_q
from safetynet.core.types import User
from safetynet.programmes.models import (
    AidInstalment,
    AidPayment,
    HeatingAidBatch,
    HeatingAidGrant,
    TemporaryAid,
)
from safetynet.registry.rules import may_read_registry


def aids(*, actor: User) -> QuerySet[TemporaryAid]:
    """The temporary aid of the actor's area (none for a role that does not read the registry)."""
    if not may_read_registry(actor):
        return TemporaryAid.objects.none()
    return TemporaryAid.objects.filter(scope_q(actor, "area_id")).select_related("case", "area", "created_by")


def aid_get(*, actor: User, pk: int) -> TemporaryAid:
    return aids(actor=actor).get(pk=pk)


def late_q(now=None) -> Q:
    """Paperwork late: completed after its 5 days, or still not done past them."""
    now = now or timezone.now()
    return Q(paperwork_late=True) | Q(case__state="first_aid_paid", case__due_at__lt=now)


def aid_list(*, actor: User, kind: str = "", late: bool = False, open_only: bool = False):
    rows = aids(actor=actor)
    if kind:
        rows = rows.filter(kind=kind)
    if late:
        rows = rows.filter(late_q())
    if open_only:
        rows = rows.filter(case__closed_at__isnull=True)
    return rows.order_by("-reported_at", "-pk")


def is_late(aid: TemporaryAid, now=None) -> bool:
    now = now or timezone.now()
    return aid.paperwork_late or bool(
        aid.case.state == "first_aid_paid" and aid.case.due_at and aid.case.due_at < now
    )


def payments_of(aid: TemporaryAid) -> QuerySet[AidPayment]:
    return aid.payments.select_related("paid_by").order_by("stage")


def registered_elsewhere(*, actor: User, aid: TemporaryAid) -> bool:
    """Is the person aided registered outside the actor's area? (Said, nothing more shown.)"""
    from safetynet.core.scope import in_area

    return bool(aid.person_id) and not in_area(actor, aid.person.area_id if aid.person else None)


def heating_batches(*, actor: User) -> QuerySet[HeatingAidBatch]:
    if not may_read_registry(actor):
        return HeatingAidBatch.objects.none()
    return HeatingAidBatch.objects.filter(scope_q(actor, "area_id")).select_related("area", "decided_by")


def heating_grants(*, actor: User, season: int) -> QuerySet[HeatingAidGrant]:
    if not may_read_registry(actor):
        return HeatingAidGrant.objects.none()
    return HeatingAidGrant.objects.filter(scope_q(actor, "village_id"), season=season)


def heating_grants_summary(grants: QuerySet[HeatingAidGrant]) -> dict:
    """How many households the grants reach and their total, in yuan."""
    from django.db.models import Count, Sum

    return grants.aggregate(households=Count("pk"), total=Sum("amount"))


def aid_payments_to_book(*, booked) -> QuerySet:
    """Every temporary aid payment not among `booked` (a subquery of payment ids), as rows for the
    payments ledger: it was paid by the township and is booked as paid, never paid again. A stage
    the payroll paid is not among them: the payroll's own lines booked it."""
    return (AidPayment.objects.exclude(pk__in=booked).filter(instalment__isnull=True)
            .values("pk", "stage", "amount", "means", "from_reserve", "paid_at", "aid_id",
                    area=F("aid__area_id"), household=F("aid__household_id"), person=F("aid__person_id")))


def instalments_of(aid: TemporaryAid) -> QuerySet[AidInstalment]:
    return aid.instalments.select_related("payment").order_by("stage")


def instalments_due(*, county: str, month, exclude) -> QuerySet:
    """The stages a county's payroll for `month` pays: those of the county's aids due by then and not
    among `exclude` (a subquery of stage ids a payroll line pays already), as rows of values."""
    return (
        AidInstalment.objects.filter(
            subtree_q("aid__area_id", county), month__lte=month, stopped_at__isnull=True
        )
        .exclude(pk__in=exclude)
        .filter(aid__household__isnull=False)
        .values("pk", "stage", "month", "amount", "aid_id",
                household=F("aid__household_id"), person=F("aid__person_id"),
                village=F("aid__household__village_id"), head=F("aid__household__head_id"),
                head_name=F("aid__household__head__name"))
        .order_by("aid_id", "stage")
    )
