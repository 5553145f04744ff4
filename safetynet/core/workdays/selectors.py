"""Reading the calendar as entered."""

from django.db.models import Count, Q

from safetynet.core.models import CalendarDay, CalendarYear
from safetynet.core.workdays.calendar import WorkCalendar


def work_calendar() -> WorkCalendar:
    """The official calendar as entered now (a few hundred rows: read whole, reckon in memory)."""
    holidays, workdays, names = [], [], {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).append(day)
        names[day] = name
    years = CalendarYear.objects.values_list("year", flat=True)
    return WorkCalendar(holidays=holidays, workdays=workdays, years=years, names=names)


def calendar_years() -> list[CalendarYear]:
    """Every year entered, newest first, with how many holidays and adjusted working days it has."""
    return list(
        CalendarYear.objects.select_related("entered_by")
        .annotate(holidays=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
                  workdays=Count("days", filter=Q(days__kind=CalendarDay.Kind.WORKDAY)))
        .order_by("-year")
    )


def calendar_year(year: int) -> CalendarYear:
    """One year entered (CalendarYear.DoesNotExist if not)."""
    return CalendarYear.objects.select_related("entered_by").get(year=year)


def calendar_days(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(year_id=year).order_by("date"))
