"""What-if: "raise the urban 低保 standard of 兰山区 to X from next month" — who would newly qualify,
who would no longer, and what it would cost a month and a year, by township; nothing is changed.
Both sides are the batch's statement (programmes.batch), once with the standards in force and once
with the new value in their place."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.selectors import division_get, division_names, divisions_under
from safetynet.core.types import DivisionLevel, UrbanRural
from safetynet.programmes.engine import what_if_in_duckdb
from safetynet.programmes.models import plain_number
from safetynet.programmes.services import may_run_eligibility, standard_value_check
from safetynet.programmes.standards import KINDS

MONTHS = 12


def standard_what_if(*, actor, area_code: str, residence: str, value, starting: datetime.date | None) -> dict:
    if not may_run_eligibility(actor):
        raise PermissionDenied(_("Only the city and county bureaus run the rules over an area."))
    errors = {}
    area = division_get(actor=actor, code=area_code) if area_code.isascii() and area_code.isdigit() else None
    if area is None or area.level not in (DivisionLevel.CITY, DivisionLevel.COUNTY):
        errors["area"] = _("Choose your county, or for the city bureau the city or one of its counties.")
    if residence not in UrbanRural.values:
        errors["residence"] = _("Choose urban or rural residents.")
    if not isinstance(starting, datetime.date) or not (
            timezone.localdate() < starting <= timezone.localdate() + datetime.timedelta(days=3660)):
        errors["starting"] = _("Choose a day after today and within ten years.")
    try:
        amount = standard_value_check(value, KINDS["dibao"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    counties = ([area.code] if area.level == DivisionLevel.COUNTY
                else [d.code for d in divisions_under(area.code, level=DivisionLevel.COUNTY)])
    overrides = {("dibao", county, residence): amount for county in counties}
    # The households as they are today: the registry knows nothing of next month's income yet.
    # In the engine (DuckDB over the rows moved out as Arrow); rows of a transaction not yet
    # committed (a test's) are read through Django's connection.
    rows = what_if_in_duckdb(area=area.code, on=timezone.localdate(), starting=starting, overrides=overrides,
                             through_django=connection.in_atomic_block)
    names = division_names([row[0] for row in rows])
    townships = [{"code": code, "name": names.get(code, code), "newly_households": nh, "newly_persons": np,
                  "lost_households": lh, "lost_persons": lp, "extra_month": extra,
                  "extra_year": extra * MONTHS, "households_then": then}
                 for code, nh, np, lh, lp, extra, then in rows]
    totals = {key: sum(t[key] for t in townships) for key in
              ("newly_households", "newly_persons", "lost_households", "lost_persons", "extra_month",
               "extra_year", "households_then")}
    widest = max((abs(t["extra_month"]) for t in townships), default=0)
    return {"area": area, "residence": residence, "value": amount, "value_text": plain_number(amount),
            "starting": starting,
            "townships": townships, "totals": totals, "widest": widest or 1}
