"""The groups of households the visiting rules (VisitRule rows) name, each a set-based filter on
the registry: a group is code, a rule's interval is data the city bureau edits. An app above the
registry adds a group of its own (care: dispersed 特困 persons) with `register_visit_group`."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from safetynet.core.clock import today
from safetynet.registry import codes
from safetynet.registry.models import Membership


@dataclass(frozen=True)
class VisitGroup:
    code: str
    label: Any
    # households (a QuerySet) → those of them in the group, still a QuerySet: one query in all.
    narrow: Callable


_GROUPS: dict[str, VisitGroup] = {}


def register_visit_group(*, code: str, label, narrow: Callable) -> None:
    _GROUPS[code] = VisitGroup(code, label, narrow)


def visit_group(code: str) -> VisitGroup | None:
    return _GROUPS.get(code)


def visit_groups() -> dict[str, VisitGroup]:
    return dict(_GROUPS)


def _member(**person) -> Exists:
    return Exists(
        Membership.objects.filter(
            household=OuterRef("pk"), left_on__isnull=True, **{f"person__{k}": v for k, v in person.items()}
        )
    )


def _eighty_years_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 80)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 80, day=28)


def _alone_over_80(households):
    """One current member, born 80 or more years ago. The member count is a subquery: counted in
    the households' own GROUP BY it would be multiplied by any other join (their visits)."""
    living = (Membership.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
              .values("household").annotate(n=Count("pk")).values("n"))
    return households.annotate(living=Subquery(living)).filter(living=1).filter(
        _member(birth_date__lte=_eighty_years_before(today())))


register_visit_group(code="alone_over_80", label=_("Living alone, aged 80 or over"), narrow=_alone_over_80)
register_visit_group(
    code="severe_disability",
    label=_("A member with a grade 1 or 2 disability"),
    narrow=lambda households: households.filter(_member(disability_grade__in=[1, 2])),
)
register_visit_group(
    code="dangerous_housing",
    label=_("Dangerous housing"),
    narrow=lambda households: households.filter(
        housing_status__in=[codes.HousingStatus.DANGEROUS_SEVERE, codes.HousingStatus.DANGEROUS]
    ),
)
register_visit_group(
    code="fire_heating_no_co_alarm",
    label=_("Heated by fire without a CO alarm"),
    narrow=lambda households: households.filter(
        heating__in=[str(h) for h in codes.COMBUSTION_HEATING], co_alarm=False
    ),
)
register_visit_group(
    code="unable_self_care",
    label=_("A member unable to look after themselves"),
    narrow=lambda households: households.filter(_member(self_care=codes.SelfCare.FULLY_LOST)),
)
