"""/api/v1/inspections, /api/v1/hazards and /api/v1/institution-safety: the inspections and hazards of
the institutions the caller reads (the offices by area, an institution's staff and its inspector by
grant), and the safety statistics (the offices and auditors). Steps of a hazard go through the
kernel's /api/v1/cases/{id}/steps."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from safetynet.core.api import ERRORS, Date
from safetynet.institutions.inspections import selectors

router = Router(tags=["institutions"])
LIMIT = 1000


class InspectionOut(Schema):
    id: int
    institution: int
    institution_name: str
    campaign: int | None
    checklist: str
    inspector: str
    due_on: Date
    state: str
    inspected_at: datetime.datetime | None
    score: int
    answers: dict[str, str]


class InspectionQuery(Schema):
    state: Literal["", "assigned", "done", "cancelled"] = ""
    campaign: int | None = Field(None, ge=1, le=2**62)
    mine: bool = False


@router.get(
    "/inspections",
    response={200: list[InspectionOut], **ERRORS},
    summary="Inspections of the institutions you read (at most 1000)",
)
def inspection_list(request, query: Query[InspectionQuery]):
    rows = selectors.inspection_list(
        actor=request.auth, state=query.state, campaign=query.campaign, mine=query.mine
    )
    return [
        {
            "id": row.pk,
            "institution": row.institution_id,
            "institution_name": row.institution.name,
            "campaign": row.campaign_id,
            "checklist": row.checklist_code,
            "inspector": str(row.inspector),
            "due_on": row.due_on,
            "state": row.state,
            "inspected_at": row.inspected_at,
            "score": row.score,
            "answers": row.answers,
        }
        for row in rows[:LIMIT]
    ]


class HazardOut(Schema):
    id: int
    institution: int
    institution_name: str
    inspection: int | None
    grade: str
    category: str
    description: str
    found_at: datetime.datetime
    case: int | None
    state: str
    due_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    plan_owner: str
    plan_deadline: Date | None


class HazardQuery(Schema):
    grade: Literal["", "general", "major"] = ""
    category: str = Field("", max_length=20, pattern="^[a-z_]*$")
    status: Literal["open", "overdue", "closed", "supervised", "all"] = "all"
    campaign: int | None = Field(None, ge=1, le=2**62)


@router.get(
    "/hazards",
    response={200: list[HazardOut], **ERRORS},
    summary="Hazards of the institutions you read, newest first (at most 1000)",
)
def hazard_list(request, query: Query[HazardQuery]):
    rows = selectors.hazard_list(
        actor=request.auth,
        grade=query.grade,
        category=query.category,
        status=query.status,
        campaign=query.campaign,
    )
    return [
        {
            "id": row.pk,
            "institution": row.institution_id,
            "institution_name": row.institution.name,
            "inspection": row.inspection_id,
            "grade": row.grade,
            "category": row.category,
            "description": row.description,
            "found_at": row.found_at,
            "case": row.case_id,
            "state": row.case.state if row.case_id else "",
            "due_at": row.case.due_at if row.case_id else None,
            "closed_at": row.case.closed_at if row.case_id else None,
            "plan_owner": row.plan_owner,
            "plan_deadline": row.plan_deadline,
        }
        for row in rows[:LIMIT]
    ]


class StatisticsQuery(Schema):
    campaign: int | None = Field(None, ge=1, le=2**62)


class CountyFigures(Schema):
    county: str
    name: str
    institutions: int
    elderly: int
    children: int
    inspected: int
    heated: int
    fuel: int
    with_alarms: int
    heated_and_alarmed: int
    unguarded: int
    found: int
    major: int
    rectified: int
    open: int
    overdue: int


class StatisticsOut(Schema):
    campaign: int | None
    counties: list[CountyFigures]
    hazards: dict[str, int]
    categories: list[dict[str, str | int]]
    inspections_done: int
    inspections_waiting: int


@router.get(
    "/institution-safety",
    response={200: StatisticsOut, **ERRORS},
    summary="Institution safety statistics: inspected, hazards by grade and category, coverage",
)
def statistics(request, query: Query[StatisticsQuery]):
    if not selectors.may_read_statistics(request.auth):
        raise PermissionDenied(_("Your role does not read the safety statistics."))
    campaigns = {c.pk: c for c in selectors.safety_campaigns_all(actor=request.auth)}
    if query.campaign and query.campaign not in campaigns:
        raise Http404(_("There is no such safety campaign."))
    campaign = campaigns.get(query.campaign) if query.campaign else None
    figures = selectors.statistics(actor=request.auth, campaign=campaign)
    return {
        "campaign": campaign.pk if campaign else None,
        **figures,
        "categories": [
            {k: str(v) if k == "label" else v for k, v in row.items()} for row in figures["categories"]
        ],
    }
