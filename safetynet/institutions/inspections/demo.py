"""The demo city's winter safety campaign (SPEC §6.8, the briefing's figures): the city's 100-day
一老一小 campaign with targets per county; 68 institutions inspected by the demo's contracted
inspector (60 elderly, 8 child welfare) on the winter checklist, finding 15 hazards (14 general —
coal, gas and solar heating, substandard appliances, wiring, overloads, missing short-circuit
protection — and 1 major); most rectified and verified, some open, one overdue and escalated, the
major one planned and under listed supervision. Three inspections wait on the inspector's desk, one
of them at the institution the demo's institution account works for.

Written through the services, as an inspector would, so every inspection, hazard and step is real;
dated within the last weeks, as inspections are recorded within 30 days — a city built as of an
earlier day has no campaign."""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.campaigns.services import campaign_create, campaign_targets_set
from safetynet.core.clock import start_of_day
from safetynet.core.demo import DemoContext, demo_date_campaign, demo_date_changes, demo_photo, not_after_now
from safetynet.core.grants import grants_of_user
from safetynet.core.scope import subtree_q
from safetynet.core.types import Role
from safetynet.core.workflows.evidence import evidence_add
from safetynet.core.workflows.services import case_transition, cases_sweep

INSPECTED_ELDERLY = 60
INSPECTED_CHILDREN = 8
WAITING = 3
# The hazards the briefing names: (checklist item, the failing answer, the heating it needs or "").
GENERAL_HAZARDS = [
    ("coal_stove", "unsafe", "coal"),
    ("coal_stove", "unsafe", "coal"),
    ("coal_stove", "unsafe", "coal"),
    ("gas_heater", "unsafe", "gas"),
    ("gas_heater", "unsafe", "gas"),
    ("gas_heater", "unsafe", "gas"),
    ("solar_heating", "unsafe", "solar"),
    ("appliances", "found", ""),
    ("appliances", "found", ""),
    ("wiring", "unsafe", ""),
    ("wiring", "unsafe", ""),
    ("overload", "overloaded", ""),
    ("overload", "overloaded", ""),
    ("short_circuit", "missing", ""),
]
MAJOR_HAZARD = ("colour_steel", "present", "")
HEATING_ITEM = {"coal": "coal_stove", "gas": "gas_heater", "wood": "wood_stove", "solar": "solar_heating"}


def _fine_answers(rng, institution) -> dict[str, list[str]]:
    from safetynet.institutions.inspections.checklists import WINTER_ITEMS

    heating = institution.heating
    answers = {"heating": heating}
    for item in WINTER_ITEMS:
        code = item["code"]
        if code == "heating" or item["kind"] != "choice":
            continue
        condition = item.get("show_if")
        if condition and answers.get(condition["item"]) not in condition["in"]:
            continue
        answers[code] = "all" if code == "co_alarm" else "ok"
    answers["room_temperature"] = str(rng.randrange(17, 23))
    return {code: [value] for code, value in answers.items()}


def _campaign(context: DemoContext, city):
    starts = max(context.clock.as_of - datetime.timedelta(days=25), context.clock.history_start)
    name = _("%(year)s winter safety campaign for the old and the young (一老一小 100 days)") % {
        "year": starts.year
    }
    if campaigns(actor=city).filter(name=name, starts_on=starts).exists():
        return None  # a city built again keeps its campaign and its inspections
    return campaign_create(
        actor=city,
        data={
            "name": name,
            "kind": "safety",
            "area": city.division_id,
            "starts_on": starts,
            "ends_on": starts + datetime.timedelta(days=99),
            "description": _(
                "Third-party inspections of elderly and child-welfare institutions: heating, CO "
                "alarms, wiring and fire safety; every hazard rectified to a verified closure."
            ),
        },
    )


def build_inspections(context: DemoContext) -> str | None:
    from safetynet.institutions.inspections import checklists, services
    from safetynet.institutions.models import Hazard, Inspection, Institution

    city = context.users.get("city")
    inspector = context.users.get("inspector")
    if city is None or inspector is None or inspector.role != Role.INSPECTOR:
        return None
    if abs((timezone.localdate() - context.clock.as_of).days) > 7:
        return _(
            "No safety campaign: inspections are recorded within 30 days, and the demo's day is not today."
        )
    institutions = list(
        Institution.objects.filter(subtree_q("division_id", city.division_id), active=True).order_by(
            "division_id", "name", "pk"
        )
    )
    if not institutions:
        return None
    drive = _campaign(context, city)
    if drive is None:
        return None
    rng = context.rng("institutions.inspections")
    now = timezone.now()
    granted = context.users.get("institution")
    granted_ids = (
        {g.object_id for g in grants_of_user(user=granted, kind="institutions.institution")}
        if granted
        else set()
    )
    walked = next((i for i in institutions if i.pk in granted_ids), None)
    lanshan = [i for i in institutions if i.division_id.startswith("371302") and i.kind != "rescue_station"]
    waiting = ([walked] if walked else []) + [i for i in lanshan if i is not walked][
        : WAITING - (1 if walked else 0)
    ]
    candidates = [i for i in institutions if i not in waiting]
    elderly = [i for i in candidates if i.kind.startswith("elderly")]
    rng.shuffle(elderly)
    inspected = (
        elderly[:INSPECTED_ELDERLY]
        + [i for i in candidates if i.kind == "child_welfare"][:INSPECTED_CHILDREN]
    )
    counties: dict[str, int] = {}
    for institution in inspected + waiting:
        counties[institution.division_id[:6]] = counties.get(institution.division_id[:6], 0) + 1
    campaign_targets_set(
        actor=city,
        campaign=drive,
        version=drive.version,
        targets=[(county, "institutions.inspected", count) for county, count in sorted(counties.items())],
    )
    demo_date_campaign(campaign_id=drive.pk, at=not_after_now(start_of_day(drive.starts_on)))
    # Which inspections find which hazards: each hazard at an institution heated as it needs.
    findings: dict[int, tuple[str, str]] = {}
    for item, answer, heating in [*GENERAL_HAZARDS, MAJOR_HAZARD]:
        fits = [i for i in inspected if i.pk not in findings and (not heating or i.heating == heating)]
        if fits:
            findings[rng.choice(fits).pk] = (item, answer)
    county_users = {
        u.division_id: u
        for name, u in sorted(context.users.items())
        if u.role == Role.COUNTY_BUREAU and not name.endswith("2")
    }
    hazards = rectified = 0
    left_overdue = False
    for institution in inspected:
        days_ago = rng.randrange(1, 24)
        inspected_at = not_after_now(now - datetime.timedelta(days=days_ago, hours=rng.randrange(1, 8)))
        inspection = services.inspection_assign(
            actor=city,
            institution=institution,
            data={
                "inspector": inspector,
                "checklist": checklists.WINTER,
                "campaign": drive,
                "due_on": timezone.localdate(),
            },
        )
        answers = _fine_answers(rng, institution)
        photos = {}
        if institution.pk in findings:
            item, answer = findings[institution.pk]
            answers[item] = [answer]
            photos[item] = demo_photo(rng, f"{item}.jpg")
        done = services.inspection_record(
            actor=inspector,
            inspection=inspection,
            answers=answers,
            photos=photos,
            inspected_at=inspected_at,
            submission=uuid.UUID(int=rng.getrandbits(128)),
        )
        assigned_at = inspected_at - datetime.timedelta(days=rng.randrange(1, 4))
        Inspection.objects.filter(pk=done.pk).update(
            assigned_at=assigned_at,
            due_on=timezone.localtime(inspected_at).date() + datetime.timedelta(days=2),
        )
        demo_date_changes(entity_type="inspection", entity_ids=[done.pk], action="create", at=assigned_at)
        demo_date_changes(entity_type="inspection", entity_ids=[done.pk], action="update", at=inspected_at)
        for hazard in Hazard.objects.filter(inspection=done).select_related("case", "institution"):
            hazards += 1
            demo_date_changes(entity_type="hazard", entity_ids=[hazard.pk], at=inspected_at)
            county = county_users.get(institution.division_id[:6]) or city
            leave = not left_overdue and hazard.grade == "general" and days_ago >= 10
            left_overdue = left_overdue or leave
            rectified += _progress(
                rng, hazard, county, inspector, inspected_at, days_ago, leave_overdue=leave
            )
    for institution in waiting:
        services.inspection_assign(
            actor=city,
            institution=institution,
            data={
                "inspector": inspector,
                "checklist": checklists.WINTER,
                "campaign": drive,
                "due_on": timezone.localdate() + datetime.timedelta(days=rng.randrange(2, 6)),
            },
        )
    swept = cases_sweep(now)
    said = _(
        "A safety campaign: %(inspected)s institutions inspected, %(hazards)s hazards found, %(rectified)s "
        "rectified and verified, %(waiting)s inspections waiting."
    ) % {"inspected": len(inspected), "hazards": hazards, "rectified": rectified, "waiting": len(waiting)}
    return f"{said} {swept}"


def _progress(rng, hazard, county, inspector, found_at, days_ago, *, leave_overdue: bool) -> int:
    """Move a demo hazard along as the weeks since it was found would have: 1 if it was closed."""
    from safetynet.institutions.inspections import services

    case = hazard.case
    if hazard.grade == "major":
        deadline = timezone.localdate() + datetime.timedelta(days=30)
        services.hazard_plan_record(
            actor=county,
            hazard=hazard,
            version=hazard.version,
            data={
                "plan_owner": _("Head of the institution"),
                "plan_funds": Decimal("86000.00"),
                "plan_measures": _(
                    "Take down the colour-steel rooms and rebuild them in brick; move the residents "
                    "meanwhile."
                ),
                "plan_deadline": deadline,
            },
        )
        case_transition(
            actor=county,
            case_id=case.pk,
            transition="list_supervision",
            version=case.version,
            at=found_at + datetime.timedelta(days=1),
        )
        return 0
    if days_ago < 4:
        return 0  # found this week: being rectified
    fixed_at = found_at + datetime.timedelta(days=min(3, days_ago - 1))
    if leave_overdue:
        return 0  # never rectified: overdue, and escalated by the sweep
    photo = evidence_add(
        actor=county,
        case=case,
        kind="photo",
        upload=demo_photo(rng, "rectified.jpg"),
        note=_("after the rectification"),
    )
    case = case_transition(
        actor=county,
        case_id=case.pk,
        transition="report_rectified",
        version=case.version,
        evidence=[photo.pk],
        at=fixed_at,
    )
    if days_ago < 6:
        return 0  # reported, waiting for the inspector
    case_transition(
        actor=inspector,
        case_id=case.pk,
        transition="verify",
        version=case.version,
        reason=_("Verified on site."),
        at=fixed_at + datetime.timedelta(days=1),
    )
    return 1
