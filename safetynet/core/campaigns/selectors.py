"""Reading campaigns: those whose area covers the actor's, and their progress against the targets."""

from django.conf import settings
from django.db.models import Q, QuerySet

from safetynet.core import hooks
from safetynet.core.models import Campaign, Division, DivisionLevel, User
from safetynet.core.scope import county_of, grant_only, subtree_q


def campaigns(*, actor: User) -> QuerySet[Campaign]:
    """City-wide campaigns, and those of the actor's county (the city bureau: all of the city's)."""
    qs = Campaign.objects.select_related("area")
    if grant_only(actor.role):
        return qs.none()
    county = county_of(actor)
    if county is None:
        return qs.filter(subtree_q("area_id", settings.SAFETYNET_CITY_CODE))
    return qs.filter(Q(area_id=settings.SAFETYNET_CITY_CODE) | Q(area_id=county))


def campaign(*, actor: User, pk: int) -> Campaign:
    return campaigns(actor=actor).get(pk=pk)


def campaign_counties(campaign: Campaign) -> list[Division]:
    """The counties a campaign covers."""
    qs = Division.objects.filter(level=DivisionLevel.COUNTY, abolished=False)
    return list(qs.filter(subtree_q("code", campaign.area_id)).order_by("code"))


def campaign_progress(*, actor: User, campaign: Campaign) -> list[dict]:
    """Each target the actor may see (its county's, or all for the city bureau), with what has been
    reached by the measure's own count, in county order."""
    measures = hooks.campaign_measures()
    county = county_of(actor)
    targets = campaign.targets.select_related("county")
    if county is not None:
        targets = targets.filter(county_id=county)
    rows = []
    for target in targets:
        measure = measures.get(target.measure)
        reached = measure.count(campaign, target.county_id) if measure else None
        percent = round(100 * reached / target.target) if reached is not None and target.target else None
        rows.append({"county": target.county, "measure": target.measure,
                     "label": measure.label if measure else target.measure, "target": target.target,
                     "reached": reached, "percent": percent})
    return rows
