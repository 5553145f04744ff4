"""The official calendar's pages (/calendar/): every staff member reads it and reckons a deadline
on it; the city bureau enters a year from the State Council's schedule (a CSV)."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from safetynet.core.pages import role_required
from safetynet.core.types import CalendarSource
from safetynet.core.workdays.files import MAX_BYTES, CalendarFileError, read_calendar_file
from safetynet.core.workdays.selectors import calendar_days, calendar_years, work_calendar
from safetynet.core.workdays.services import calendar_years_replace, may_edit_calendar

UNITS = (("working_days", gettext_lazy("working days")), ("calendar_days", gettext_lazy("calendar days")))


class ReckonForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.IntegerField(label=gettext_lazy("Period"), min_value=0, max_value=366)
    unit = forms.ChoiceField(label=gettext_lazy("Counted in"), choices=UNITS)

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not 1990 <= start.year <= 2099:
            raise forms.ValidationError(_("Give a date from 1990 to 2099."))
        return start


class CalendarFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Schedule file (CSV)"))


def _staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@login_required
@role_required(_staff, lambda: _("Only staff may open this page."))
@require_http_methods(["GET", "POST"])
def calendar_page(request):
    calendar = work_calendar()
    reckon = ReckonForm(request.GET or None)
    result = None
    if request.GET and reckon.is_valid():
        start, amount, unit = (reckon.cleaned_data[k] for k in ("start", "amount", "unit"))
        if unit == "working_days":
            result = calendar.add_working_days(start, amount)
        else:
            result = calendar.add_calendar_days(start, amount)
    upload = CalendarFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_edit_calendar(request.user):
            raise PermissionDenied(_("Only the city bureau may change the official calendar."))
        if upload.is_valid():
            content = upload.cleaned_data["file"].read(MAX_BYTES + 1)
            try:
                years = read_calendar_file(content)
            except CalendarFileError as error:
                for message in error.messages:
                    upload.add_error("file", message)
            else:
                moved = calendar_years_replace(actor=request.user, years=years, source=CalendarSource.FILE)
                for year, days in sorted(years.items()):
                    messages.success(request, _("%(year)s entered: %(days)s days set apart.")
                                     % {"year": year, "days": len(days)})
                for line in moved or [_("No deadline moved.")]:
                    messages.info(request, line)
                return redirect("calendar")
    years = calendar_years()
    return render(request, "core/calendar.html", {
        "years": years, "last_year": calendar.last_year, "reckon": reckon, "result": result,
        "weekday": _weekday(result.due) if result else "", "upload": upload,
        "may_edit": may_edit_calendar(request.user),
    })


@login_required
@role_required(_staff, lambda: _("Only staff may open this page."))
def calendar_year_page(request, year: int):
    calendar = work_calendar()
    entered = year in calendar.years
    return render(request, "core/calendar_year.html", {
        "year": year, "entered": entered, "days": calendar_days(year) if entered else [],
    })


def _weekday(day: datetime.date) -> str:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
             _("Sunday")]
    return names[day.weekday()]
