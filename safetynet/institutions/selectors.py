"""Reads of institutions, scoped: the offices by their area, an institution's staff and a contracted
inspector by the institutions granted to them (core.grants, kind "institutions.institution")."""

from django.db.models import Count, F, Q, QuerySet

from safetynet.core.scope import scope_q
from safetynet.core.types import Role, User
from safetynet.institutions.models import Institution

GRANT_KIND = "institutions.institution"
KIND_CHOICES = Institution.Kind.choices
HEATING_CHOICES = Institution.Heating.choices
# Who reads institutions: the offices over them, the auditor, and by grant their staff and inspectors.
READ_ROLES = frozenset(
    {
        Role.CITY_BUREAU,
        Role.COUNTY_BUREAU,
        Role.TOWNSHIP_OFFICE,
        Role.AUDITOR,
        Role.INSTITUTION_STAFF,
        Role.INSPECTOR,
    }
)


def may_read_institutions(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role in READ_ROLES


def institutions(*, actor: User) -> QuerySet[Institution]:
    if not may_read_institutions(actor):
        return Institution.objects.none()
    return Institution.objects.filter(
        scope_q(actor, "division_id", granted=(GRANT_KIND, "id"))
    ).select_related("division")


def institution_get(*, actor: User, pk: int) -> Institution:
    return institutions(actor=actor).get(pk=pk)


def institution_list(*, actor: User, kind: str = "", heating: str = "", unguarded: bool = False):
    rows = institutions(actor=actor)
    if kind:
        rows = rows.filter(kind=kind)
    if heating:
        rows = rows.filter(heating=heating)
    if unguarded:
        rows = rows.filter(unguarded_q())
    return rows.order_by("division_id", "name", "pk")


def unguarded_q() -> Q:
    """Heated by burning fuel with a room that has no CO alarm."""
    fuel = Q(heating__in=[Institution.Heating.GAS, Institution.Heating.COAL, Institution.Heating.WOOD])
    return fuel & (Q(co_alarms=0) | Q(co_rooms_covered__lt=F("co_rooms_heated")))


def coverage(*, actor: User) -> dict:
    """Heating and CO-alarm coverage of the institutions the actor reads: how many, how many heated,
    how many heated by fuel, of those how many have every fuel-heated room guarded by a CO alarm."""
    rows = institutions(actor=actor).filter(active=True)
    fuel = Q(heating__in=[Institution.Heating.GAS, Institution.Heating.COAL, Institution.Heating.WOOD])
    return rows.aggregate(
        total=Count("pk"),
        heated=Count("pk", filter=~Q(heating=Institution.Heating.NONE)),
        fuel=Count("pk", filter=fuel),
        unguarded=Count("pk", filter=unguarded_q()),
        with_alarms=Count("pk", filter=Q(co_alarms__gt=0)),
    )


def institution_area(pk: int) -> str | None:
    """Where an institution is (for the grants: a county grants only its own)."""
    return Institution.objects.filter(pk=pk).values_list("division_id", flat=True).first()


def institution_name(pk: int) -> str:
    return Institution.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


def institution_names(pks) -> dict[int, str]:
    """Names by id, in one query (a payroll names the institutions it pays)."""
    return dict(Institution.objects.filter(pk__in=set(pks)).values_list("pk", "name"))


# The institutions that take 特困 persons into centralised care (特困供养服务机构/敬老院, 养老机构, and
# medical institutions that take in persons with mental illness).
CARE_KINDS = (
    Institution.Kind.ELDERLY_PUBLIC,
    Institution.Kind.ELDERLY_PRIVATE,
    Institution.Kind.MENTAL_HEALTH,
)


def care_institutions() -> QuerySet[Institution]:
    """Every institution of the city in operation that takes 特困 persons: a placement may be made in
    another county's (their names and beds are no one's personal data)."""
    return Institution.objects.filter(kind__in=CARE_KINDS, active=True).select_related("division")


def care_institution_get(pk) -> Institution | None:
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**62:
        return None
    return care_institutions().filter(pk=pk).first()


def care_institution_lock(pk: int) -> None:
    """Hold the institution's row until the caller's transaction ends (its beds are being counted)."""
    Institution.objects.select_for_update().filter(pk=pk).exists()
