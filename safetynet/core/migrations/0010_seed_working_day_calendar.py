"""The official calendar for the years the chinesecalendar package covers (2004 to 2026 in 1.11):
holidays and adjusted working days (调休). Later years are entered by the city bureau (a page, or
`safetynet calendar import FILE`)."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from chinese_calendar.constants import Holiday, holidays, workdays

    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    now = datetime.datetime.now(tz=datetime.UTC)
    days = [(day, "holiday", name) for day, name in holidays.items()]
    days += [(day, "workday", name) for day, name in workdays.items()]
    years = sorted({day.year for day, _kind, _name in days})
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    CalendarYear.objects.bulk_create([
        CalendarYear(year=year, source="chinesecalendar", entered_at=now)
        for year in range(years[0], years[-1] + 1) if year not in existing
    ])
    CalendarDay.objects.bulk_create([
        CalendarDay(year_id=day.year, date=day, kind=kind, name=Holiday(name).chinese)
        for day, kind, name in sorted(days) if day.year not in existing
    ])


class Migration(migrations.Migration):
    dependencies = [("core", "0009_working_day_calendar")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
