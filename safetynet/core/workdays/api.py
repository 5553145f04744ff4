"""The official calendar in /api/v1: the years entered, and a deadline reckoned on it (marked
provisional past the last year entered, as on the page)."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from safetynet.core.api import ERRORS, Date
from safetynet.core.workdays.selectors import calendar_years, work_calendar

router = Router(tags=["calendar"])


class CalendarYearOut(Schema):
    year: int
    holidays: int = Field(description="days off (休) entered for the year")
    workdays: int = Field(description="weekend days worked (班, 调休) entered for the year")
    source: str
    entered_at: datetime.datetime


class CalendarOut(Schema):
    last_year: int | None = Field(description="after it, Monday to Friday count as working days and "
                                                "deadlines are provisional")
    years: list[CalendarYearOut]


class DeadlineQuery(Schema):
    start: Date = Field(description="the day of the event; the period counts from the day after")
    amount: int = Field(ge=0, le=366)
    unit: Literal["working_days", "calendar_days"] = "working_days"


class DeadlineOut(Schema):
    start: datetime.date
    amount: int
    unit: str
    due: datetime.date
    working_day: bool = Field(description="whether the due day is a working day")
    provisional: bool = Field(description="reckoned over a year not entered yet: Monday to Friday "
                                          "assumed")


@router.get("/calendar", response={200: CalendarOut, **ERRORS}, summary="The years of the official calendar")
def calendar(request):
    years = calendar_years()
    return {"last_year": max((y.year for y in years), default=None),
            "years": [{"year": y.year, "holidays": y.holidays, "workdays": y.workdays, "source": y.source,
                       "entered_at": y.entered_at} for y in years]}


@router.get("/calendar/deadline", response={200: DeadlineOut, **ERRORS},
            summary="A deadline reckoned on the official calendar")
def deadline(request, query: Query[DeadlineQuery]):
    if not 1990 <= query.start.year <= 2099:
        raise ValidationError({"start": [_("Give a date from 1990 to 2099.")]})
    calendar = work_calendar()
    if query.unit == "working_days":
        due = calendar.add_working_days(query.start, query.amount)
    else:
        due = calendar.add_calendar_days(query.start, query.amount)
    return {"start": query.start, "amount": query.amount, "unit": query.unit, "due": due.due,
            "working_day": calendar.is_working_day(due.due), "provisional": due.provisional}
