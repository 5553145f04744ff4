"""Entering the official calendar: whole years at a time, as the State Council publishes them."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import hooks
from safetynet.core.models import CalendarDay, CalendarYear, ChangeRecord, Role, User
from safetynet.core.services import change_record
from safetynet.core.workdays.selectors import work_calendar


def may_edit_calendar(user) -> bool:
    """The city bureau keeps the calendar (the console may too: actor None)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.CITY_BUREAU)


def calendar_years_replace(
    *, actor: User | None, years: dict[int, list[tuple[datetime.date, str, str]]], source: str,
) -> list[str]:
    """Enter `years` ({year: [(date, kind, name)]}, as core.workdays.files reads them), each
    replacing what was entered for it, in one transaction; the history keeps each year's days as
    they were and as they are. Returns what moved among the deadlines the apps keep (their
    calendar listeners). Precondition: the days were checked (files.read_calendar_file)."""
    if actor is not None and not may_edit_calendar(actor):
        raise PermissionDenied(_("Only the city bureau may change the official calendar."))
    if source not in CalendarYear.Source.values:
        raise ValueError(source)
    for year, days in years.items():
        if any(day.year != year for day, _kind, _name in days):
            raise ValidationError(_("A day of the file lies outside the year it was given for."))
    now = timezone.now()
    with transaction.atomic():
        for year, days in sorted(years.items()):
            entry = CalendarYear.objects.select_for_update().filter(year=year).first()
            before = _described(year) if entry else {}
            if entry is None:
                entry = CalendarYear.objects.create(year=year, source=source, entered_at=now,
                                                    entered_by=actor)
                action = ChangeRecord.Action.CREATE
            else:
                entry.source, entry.entered_at, entry.entered_by = source, now, actor
                entry.save(update_fields=["source", "entered_at", "entered_by"])
                CalendarDay.objects.filter(year=entry).delete()
                action = ChangeRecord.Action.UPDATE
            CalendarDay.objects.bulk_create(
                [CalendarDay(year=entry, date=day, kind=kind, name=name) for day, kind, name in sorted(days)]
            )
            change_record(actor=actor, subject=entry, entity=entry, action=action, before=before,
                          after=_described(year) | {"source": source})
        return hooks.calendar_changed(work_calendar(), frozenset(years))


def _described(year: int) -> dict:
    days = CalendarDay.objects.filter(year_id=year).order_by("date")
    return {
        "holidays": "、".join(f"{d.date:%m-%d}" for d in days if d.kind == CalendarDay.Kind.HOLIDAY),
        "workdays": "、".join(f"{d.date:%m-%d}" for d in days if d.kind == CalendarDay.Kind.WORKDAY),
    }
