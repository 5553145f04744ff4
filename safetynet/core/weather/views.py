"""Weather warnings' page (/weather/): staff read the warnings of their county (the city bureau all);
the city and county bureaus enter one, read the meteorological feed file, or withdraw one."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from safetynet.core.pages import call_service, finished, found
from safetynet.core.types import WeatherKind, WeatherLevel, WeatherSource
from safetynet.core.weather.files import FIRST_LINE, MAX_BYTES, WeatherFileError, read_weather_file
from safetynet.core.weather.selectors import warning_counties, weather_warning, weather_warnings
from safetynet.core.weather.services import (
    may_enter_warnings,
    weather_warning_withdraw,
    weather_warnings_create,
)

SHOWN_DAYS = 30


class WarningForm(forms.Form):
    county = forms.ChoiceField(label=gettext_lazy("County"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=WeatherKind.choices)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=WeatherLevel.choices, required=False)
    lowest_temperature = forms.DecimalField(label=gettext_lazy("Lowest temperature (°C)"), required=False,
                                            max_digits=4, decimal_places=1, min_value=-60, max_value=40)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts at"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends at"),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(c.code, c.name) for c in counties]


class FeedForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Feed file (CSV)"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=200)


def _staff(request) -> None:
    if not (request.user.is_authenticated and request.user.is_active):
        raise PermissionDenied(_("Only staff may open this page."))


@login_required
@require_http_methods(["GET", "POST"])
def weather_page(request):
    _staff(request)
    may_enter = may_enter_warnings(request.user)
    counties = warning_counties(request.user) if may_enter else []
    form = WarningForm(request.POST if request.POST.get("action") == "enter" else None, counties=counties)
    feed = FeedForm(request.POST if request.POST.get("action") == "feed" else None,
                    request.FILES if request.POST.get("action") == "feed" else None)
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied(_("Only the city and county bureaus may enter weather warnings."))
        if request.POST.get("action") == "enter" and form.is_valid():
            outcome = call_service(lambda: weather_warnings_create(
                actor=request.user, items=[form.cleaned_data], source=WeatherSource.ENTERED), form,
                attach=_attach_single)
            if outcome.ok:
                return _done(request, outcome.value)
        elif request.POST.get("action") == "feed" and feed.is_valid():
            try:
                items = read_weather_file(feed.cleaned_data["file"].read(MAX_BYTES + 1))
            except WeatherFileError as error:
                for message in error.messages:
                    feed.add_error("file", message)
            else:
                try:
                    made = weather_warnings_create(actor=request.user, items=items, source=WeatherSource.FEED)
                except ValidationError as error:
                    for position, reasons in error.message_dict.items():
                        line = int(position) + FIRST_LINE if position.isdigit() else position
                        for reason in reasons:
                            feed.add_error("file", _("Line %(line)s: ") % {"line": line} + reason)
                else:
                    return _done(request, made)
    since = timezone.now() - datetime.timedelta(days=SHOWN_DAYS)
    now = timezone.now()
    rows = [{"warning": w, "in_force": w.withdrawn_at is None and w.starts_at <= now < w.ends_at,
             "coming": w.withdrawn_at is None and now < w.starts_at}
            for w in weather_warnings(actor=request.user, since=since)[:200]]
    return render(request, "core/weather.html", {
        "rows": rows, "form": form, "feed": feed, "may_enter": may_enter, "days": SHOWN_DAYS,
        "withdraw": WithdrawForm(),
    })


def _attach_single(error: ValidationError, form) -> None:
    """The service keys a batch's errors by position: a single warning's are the form's own."""
    for reasons in error.message_dict.values():
        for reason in reasons:
            form.add_error(None, reason)


def _done(request, outcome):
    made, reactions = outcome
    messages.success(request, _("%(count)s warnings entered.") % {"count": len(made)})
    for line in reactions:
        messages.info(request, line)
    return finished(request, request.path)


@login_required
@require_POST
def weather_withdraw(request, pk: int):
    _staff(request)
    warning = found(weather_warning, actor=request.user, pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            weather_warning_withdraw(actor=request.user, warning=warning, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for reasons in error.message_dict.values():
                for reason in reasons:
                    messages.error(request, reason)
        else:
            messages.success(request, _("The warning is withdrawn."))
    else:
        messages.error(request, _("Say why the warning is withdrawn (at most 200 characters)."))
    return finished(request, reverse("weather"))


