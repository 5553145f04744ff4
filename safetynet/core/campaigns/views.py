"""Campaign pages (/campaigns/): the drives covering the user's area with their progress; the city
and county bureaus start one and set its targets per county."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from safetynet.core import hooks
from safetynet.core.campaigns.selectors import (
    campaign,
    campaign_counties,
    campaign_progress,
    campaigns,
)
from safetynet.core.campaigns.services import campaign_create, campaign_targets_set, may_run_campaigns
from safetynet.core.pages import call_service, finished, found
from safetynet.core.scope import county_of
from safetynet.core.selectors import division_names, divisions_under
from safetynet.core.types import CampaignKind, DivisionLevel

EXTRA_ROWS = 3


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Campaign name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CampaignKind.choices)
    area = forms.ChoiceField(label=gettext_lazy("Area"))
    starts_on = forms.DateField(label=gettext_lazy("First day"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas


class TargetForm(forms.Form):
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), required=False)
    target = forms.IntegerField(label=gettext_lazy("Target"), required=False, min_value=0,
                                max_value=10_000_000)

    def __init__(self, *args, counties, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "—"), *counties]
        self.fields["measure"].choices = [("", "—"), *measures]


TargetFormSet = forms.formset_factory(TargetForm, extra=0, max_num=200, validate_max=True)


def _areas(actor) -> list[tuple[str, str]]:
    city, mine = settings.SAFETYNET_CITY_CODE, county_of(actor)
    counties = [(c.code, c.name) for c in divisions_under(city, level=DivisionLevel.COUNTY)
                if mine is None or c.code == mine]
    if mine is None:
        return [(city, division_names([city]).get(city, city) + _(" (whole city)")), *counties]
    return counties


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request):
    may_run = may_run_campaigns(request.user)
    form = CampaignForm(request.POST or None, areas=_areas(request.user) if may_run else [])
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied(_("Only the city and county bureaus run campaigns."))
        if form.is_valid():
            outcome = call_service(lambda: campaign_create(actor=request.user, data=form.cleaned_data), form)
            if outcome.ok:
                return finished(request, reverse("campaign", args=[outcome.value.pk]),
                                _("The campaign is started: set its targets."))
    return render(request, "core/campaigns.html", {
        "campaigns": list(campaigns(actor=request.user)[:200]), "form": form, "may_run": may_run,
    })


@login_required
@require_http_methods(["GET", "POST"])
def campaign_page(request, pk: int):
    shown = found(campaign, actor=request.user, pk=pk)
    may_run = may_run_campaigns(request.user)
    mine = county_of(request.user)
    counties = [(c.code, c.name) for c in campaign_counties(shown) if mine is None or c.code == mine]
    measures = [(code, m.label) for code, m in hooks.campaign_measures().items()]
    rows = campaign_progress(actor=request.user, campaign=shown)
    initial = [{"county": r["county"].code, "measure": r["measure"], "target": r["target"]} for r in rows]
    formset = TargetFormSet(request.POST or None,
                            initial=None if request.POST else initial + [{}] * EXTRA_ROWS,
                            form_kwargs={"counties": counties, "measures": measures})
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied(_("Only the city and county bureaus run campaigns."))
        if formset.is_valid():
            targets = [(f.cleaned_data["county"], f.cleaned_data["measure"], f.cleaned_data["target"])
                       for f in formset.forms
                       if f.cleaned_data.get("county") or f.cleaned_data.get("measure")]
            version = _version(request.POST.get("version"))
            outcome = call_service(lambda: campaign_targets_set(actor=request.user, campaign=shown,
                                                                version=version, targets=targets),
                                   *formset.forms or [forms.Form()])
            if outcome.ok:
                return finished(request, reverse("campaign", args=[shown.pk]), _("The targets are set."))
    return render(request, "core/campaign.html", {
        "campaign": shown, "rows": rows, "formset": formset, "may_run": may_run and bool(counties),
    })


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # a form without its version: treated as stale, never as current
