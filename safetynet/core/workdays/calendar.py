"""Reckoning deadlines on the official calendar: working days, calendar days, hours.

Conventions of Chinese administrative law, kept everywhere:
- a period counts from the day after the event (期间开始的当日不计入): three working days from a
  Friday application end on the Wednesday after, holidays and weekends skipped;
- a period in calendar days whose last day is a holiday or a weekend ends on the next working day
  (民法典 第二百零三条);
- a period in hours runs by the clock, nights and holidays included (a rescue team within the hour).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

Day = datetime.date

# Far enough for any statutory period: a loop that ran past it would be a bug, not a long holiday.
_MAX_STEPS = 3660


@dataclass(frozen=True)
class Deadline:
    """When something is due, and whether it was reckoned over a year not entered yet (Monday to
    Friday assumed): provisional deadlines are shown as such and reckoned again once it is."""

    due: datetime.date | datetime.datetime
    provisional: bool = False


class WorkCalendar:
    """The calendar as entered: holidays, adjusted working days (weekend days worked) and the
    years entered. Any date outside the years entered is reckoned by the week alone."""

    def __init__(self, *, holidays: Iterable[Day] = (), workdays: Iterable[Day] = (),
                 years: Iterable[int] = (), names: dict[Day, str] | None = None):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.years = frozenset(years)
        self.names = dict(names or {})

    @property
    def last_year(self) -> int | None:
        return max(self.years) if self.years else None

    def entered(self, day: Day) -> bool:
        """Is `day` in a year whose schedule has been entered?"""
        return day.year in self.years

    def is_working_day(self, day: Day) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: Day, days: int) -> Deadline:
        """The `days`-th working day after `start` (start itself not counted; 0 gives start)."""
        if days < 0:
            raise ValueError("a period of working days is not negative")
        day, counted, provisional = start, 0, False
        for _step in range(_MAX_STEPS * 2):
            if counted == days:
                return Deadline(day, provisional)
            day += datetime.timedelta(days=1)
            provisional = provisional or not self.entered(day)
            if self.is_working_day(day):
                counted += 1
        raise ValueError("period too long")

    def working_days_between(self, start: Day, end: Day) -> int:
        """Working days after `start` up to and including `end` (negative when end is before start):
        how many of a limit's working days have been used."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def provisional_between(self, start: Day, end: Day) -> bool:
        """Does a reckoning from `start` to `end` cross a year not entered?"""
        low, high = min(start, end), max(start, end)
        return any(year not in self.years for year in range(low.year, high.year + 1))

    def add_calendar_days(self, start: Day, days: int) -> Deadline:
        """`days` calendar days after `start`; a last day that is no working day moves to the next
        working day."""
        if days < 0:
            raise ValueError("a period of calendar days is not negative")
        day = start + datetime.timedelta(days=days)
        provisional = self.provisional_between(start, day)
        for _step in range(_MAX_STEPS):
            if self.is_working_day(day):
                return Deadline(day, provisional or not self.entered(day))
            day += datetime.timedelta(days=1)
        raise ValueError("no working day found")

    @staticmethod
    def add_hours(start: datetime.datetime, hours: float) -> Deadline:
        """`hours` after `start`, by the clock: never provisional."""
        if hours < 0:
            raise ValueError("a period of hours is not negative")
        return Deadline(start + datetime.timedelta(hours=hours), False)

    def next_working_day(self, day: Day) -> Day:
        """`day` itself if it is a working day, else the first after it."""
        for _step in range(_MAX_STEPS):
            if self.is_working_day(day):
                return day
            day += datetime.timedelta(days=1)
        raise ValueError("no working day found")
