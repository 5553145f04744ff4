"""The demo city's 遍访 visiting campaign: this winter's drive with a target per county (its
high-risk households), visits by each township's grid worker over the last three weeks through the
visit service (checklists answered, photos of the hazards), the problems they found — some fixed
with a photo and verified, some open, some overdue and escalated to the county by the kernel's
sweep. Visits are recorded within 30 days of being made, so the campaign is built only when the
demo's day is today or close to it."""

import datetime
import random
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.campaigns.services import campaign_create, campaign_targets_set
from safetynet.core.clock import start_of_day
from safetynet.core.demo import DemoContext, demo_date_campaign, demo_photo, not_after_now
from safetynet.core.selectors import divisions_under
from safetynet.core.types import DivisionLevel, Role
from safetynet.core.workflows.evidence import evidence_add
from safetynet.core.workflows.services import case_transition, cases_sweep
from safetynet.registry.demo.city import CITY_CODE
from safetynet.registry.visits import selectors
from safetynet.registry.visits.services import visit_record

MEASURE = "registry.households_visited"
VISITS_PER_WORKER = 3
FINE = {"co_alarm": "yes", "co_alarm_works": "yes", "stove": "ok", "wiring": "ok", "gas": "none",
        "food": "enough", "clothing": "enough", "medicines": "none_needed", "house": "safe"}
# What a visit may find, and how often (each visit draws each independently).
HAZARDS = [("wiring", "aged", 0.2), ("co_alarm", "no", 0.2), ("gas", "aged", 0.08), ("food", "short", 0.08),
           ("clothing", "short", 0.1), ("stove", "no_flue", 0.08), ("house", "dangerous", 0.03)]
PHOTO_ITEMS = {"wiring", "gas", "stove", "house"}


def _campaign(context: DemoContext, city) -> object | None:
    starts = max(context.clock.as_of - datetime.timedelta(days=21), context.clock.history_start)
    name = _("%(year)s winter visiting campaign (遍访)") % {"year": starts.year}
    known = campaigns(actor=city).filter(name=name, starts_on=starts).first()
    if known is not None:
        return None  # a city built again keeps its campaign and its visits
    drive = campaign_create(actor=city, data={
        "name": name, "kind": "visiting", "area": CITY_CODE, "starts_on": starts,
        "ends_on": context.clock.as_of + datetime.timedelta(days=60),
        "description": _("Every household at risk visited before the cold sets in: heating, CO alarms, "
                         "wiring, food, clothing and medicines; each problem fixed by its deadline.")})
    counties = [c.code for c in divisions_under(CITY_CODE, level=DivisionLevel.COUNTY)]
    campaign_targets_set(actor=city, campaign=drive, version=drive.version,
                         targets=[(county, MEASURE, max(1, selectors.high_risk_households(county)))
                                  for county in counties])
    demo_date_campaign(campaign_id=drive.pk, at=not_after_now(start_of_day(starts)))
    return drive


def _answers(rng: random.Random, household) -> dict[str, list[str]]:
    heating = household.heating or rng.choice(["2", "4", "5", "3"])
    answers = dict(FINE) | {"heating": heating}
    for item, value, chance in HAZARDS:
        if rng.random() < chance:
            answers[item] = value
    if answers["co_alarm"] == "no":
        answers.pop("co_alarm_works")
    return {item: [value] for item, value in answers.items()}


def build_visits(context: DemoContext) -> str | None:
    city = context.users.get("city")
    if city is None:
        return None
    if abs((timezone.localdate() - context.clock.as_of).days) > 7:
        return _("No visiting campaign: visits are recorded within 30 days, and the demo's day is not today.")
    drive = _campaign(context, city)
    if drive is None:
        return None
    rng = context.rng("registry.visits")
    logins = sorted(context.users.items())
    townships = {user.division_id: user for _name, user in logins if user.role == Role.TOWNSHIP_OFFICE}
    now = timezone.now()
    visits = problems = solved = 0
    for _name, grid in logins:
        if grid.role != Role.GRID_WORKER:
            continue
        for household in selectors.households_to_visit(actor=grid, limit=VISITS_PER_WORKER):
            days_ago = rng.randrange(1, 20)
            visited_at = not_after_now(now - datetime.timedelta(days=days_ago, hours=rng.randrange(0, 6)))
            answers = _answers(rng, household)
            photos = {item: demo_photo(rng, f"{item}.jpg") for item, (value,) in answers.items()
                      if item in PHOTO_ITEMS and value != FINE[item]}
            visit = visit_record(actor=grid, household=household, answers=answers, photos=photos,
                                 data={"purpose": "campaign", "campaign": drive.pk, "visited_at": visited_at,
                                       "note": ""},
                                 people=list(household.memberships.filter(left_on__isnull=True)
                                             .values_list("person_id", flat=True)[:2]),
                                 submission=uuid.UUID(int=rng.getrandbits(128)))
            visits += 1
            township = townships.get(household.village_id[:9])
            for problem in visit.problems.select_related("case"):
                problems += 1
                # Problems found more than a week ago were mostly fixed; the rest stay open (and
                # the oldest go overdue and up to the county).
                if days_ago < 8 or township is None or rng.random() < 0.35:
                    continue
                fixed_at = visited_at + datetime.timedelta(days=2)
                repair = evidence_add(actor=grid, case=problem.case, kind="photo",
                                      upload=demo_photo(rng, "repair.jpg"), note=_("after the repair"))
                case = case_transition(actor=grid, case_id=problem.case_id, transition="report_fixed",
                                       version=problem.case.version, evidence=[repair.pk], at=fixed_at)
                case_transition(actor=township, case_id=case.pk, transition="verify", version=case.version,
                                at=fixed_at + datetime.timedelta(days=1))
                solved += 1
    swept = cases_sweep(now)
    said = _("A visiting campaign: %(visits)s visits, %(problems)s problems found, %(solved)s solved.") % {
        "visits": visits, "problems": problems, "solved": solved}
    return f"{said} {swept}"
