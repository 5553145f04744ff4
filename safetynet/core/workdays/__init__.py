"""The official working-day calendar (issue 8, item 1): holidays and adjusted working days (调休)
as data, per year, and the deadlines reckoned on it.

- `calendar.WorkCalendar`: the reckoning (working days, calendar days, hours), pure Python;
- `selectors.work_calendar()`: the calendar as entered, to reckon with;
- `services.calendar_years_replace`: enter or replace years (the page, `safetynet calendar import`);
- `files.read_calendar_file`: the State Council's yearly schedule as a small CSV.

Past the last year entered, Monday to Friday count as working days and every deadline reckoned
there is marked provisional, never refused. When a year is entered, the apps that keep deadlines
hear of it (`register_calendar_listener`) and say what moved.
"""
