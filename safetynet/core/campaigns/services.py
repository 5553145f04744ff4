"""Running campaigns: creating one, and setting its targets per county and measure."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safetynet.core import hooks
from safetynet.core.models import Campaign, CampaignTarget, ChangeRecord, Division, DivisionLevel, Role, User
from safetynet.core.scope import county_of
from safetynet.core.services import ConflictError, change_record
from safetynet.core.text import has_control_characters

LONGEST = datetime.timedelta(days=366)
HIGHEST_TARGET = 10_000_000


def may_run_campaigns(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.role in (Role.CITY_BUREAU, Role.COUNTY_BUREAU))


def _check_area(actor: User, area_code: str) -> None:
    if not may_run_campaigns(actor):
        raise PermissionDenied(_("Only the city and county bureaus run campaigns."))
    county = county_of(actor)
    if county is not None and area_code != county:
        raise PermissionDenied(_("A county bureau runs campaigns of its own county."))


def campaign_create(*, actor: User, data: dict) -> Campaign:
    """A new campaign over the city or one of its counties. ValidationError with every reason."""
    errors: dict[str, list] = {}
    name = (data.get("name") or "").strip()
    if not name or len(name) > 100 or has_control_characters(name):
        errors.setdefault("name", []).append(
            _("Give the campaign's name: plain text, at most 100 characters."))
    if data.get("kind") not in Campaign.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of campaign."))
    area = data.get("area")
    code = area.code if isinstance(area, Division) else str(area or "")
    city = settings.SAFETYNET_CITY_CODE
    division = Division.objects.filter(code=code, abolished=False).first()
    county_of_city = division is not None and division.level == DivisionLevel.COUNTY and code.startswith(city)
    if division is None or not (code == city or county_of_city):
        errors.setdefault("area", []).append(_("Choose the whole city or one of its counties."))
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts, datetime.date) or not isinstance(ends, datetime.date):
        errors.setdefault("starts_on", []).append(_("Give the campaign's first and last day."))
    elif ends < starts:
        errors.setdefault("ends_on", []).append(_("The campaign must end on or after its first day."))
    elif ends - starts > LONGEST:
        errors.setdefault("ends_on", []).append(_("A campaign lasts at most a year."))
    description = data.get("description") or ""
    if len(description) > 2000 or has_control_characters(description, lines=True):
        errors.setdefault("description", []).append(_("The description must be plain text of at most 2000 "
                                                      "characters."))
    if errors:
        raise ValidationError(errors)
    _check_area(actor, division.code)
    with transaction.atomic():
        made = Campaign.objects.create(name=name, kind=data["kind"], area=division, starts_on=starts,
                                       ends_on=ends, description=description, created_by=actor)
        change_record(actor=actor, subject=made, entity=made, action=ChangeRecord.Action.CREATE, after={
            "name": name, "kind": made.kind, "area": division.code, "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat()})
    return made


def campaign_targets_set(*, actor: User, campaign: Campaign, version: int,
                         targets: list[tuple[str, str, int]]) -> Campaign:
    """Replace the targets the actor may set (every county's for the city bureau, its own county's
    for a county bureau) with `targets` [(county code, measure, target)]. Refused whole with every
    reason; ConflictError when someone set them since `version`."""
    _check_area(actor, county_of(actor) or campaign.area_id)
    measures = hooks.campaign_measures()
    mine = county_of(actor)
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    counties = {d.code: d for d in Division.objects.filter(level=DivisionLevel.COUNTY, abolished=False,
                                                           code__startswith=campaign.area_id)}
    for number, (county, measure, target) in enumerate(targets, start=1):
        where = _("Row %(row)s: ") % {"row": number}
        if county not in counties:
            errors.append(where + _("the county is not in the campaign's area."))
        elif mine is not None and county != mine:
            errors.append(where + _("a county bureau sets its own county's targets."))
        if measure not in measures:
            errors.append(where + _("there is no such measure."))
        if not isinstance(target, int) or isinstance(target, bool) or not 0 <= target <= HIGHEST_TARGET:
            errors.append(where + _("the target is a whole number from 0 to 10 000 000."))
        if (county, measure) in seen:
            errors.append(where + _("this county and measure are given twice."))
        seen.add((county, measure))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.version != version:
            raise ConflictError()
        kept = CampaignTarget.objects.filter(campaign=locked)
        if mine is not None:
            kept = kept.filter(county_id=mine)
        before = {f"{t.county_id} {t.measure}": t.target for t in kept}
        kept.delete()
        CampaignTarget.objects.bulk_create([
            CampaignTarget(campaign=locked, county_id=county, measure=measure, target=target)
            for county, measure, target in targets])
        locked.version += 1
        locked.save(update_fields=["version"])
        change_record(actor=actor, subject=locked, entity=locked, action=ChangeRecord.Action.UPDATE,
                      before=before, after={f"{c} {m}": t for c, m, t in targets})
    campaign.version = locked.version
    return locked
