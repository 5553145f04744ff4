"""The forms of the application pages."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.programmes.applications.services import INVESTIGATION_METHODS, MATCH_SOURCES
from safetynet.programmes.models import APPLIED_PROGRAMMES, Appeal, Application, SelfCareAssessment
from safetynet.programmes.rules import PROGRAMME_NAMES
from safetynet.registry.forms import PlainForm, date_input

METHOD_LABELS = {
    "home_visit": _("home visit"),
    "neighbours": _("neighbour interviews"),
    "letters": _("letters asking for evidence"),
}
SOURCE_LABELS = {
    "hukou": _("household registration (police)"),
    "tax": _("tax"),
    "social_insurance": _("social insurance"),
    "real_estate": _("real estate"),
    "business": _("business registration"),
    "housing_fund": _("housing provident fund"),
    "vehicles": _("vehicles and ships"),
    "deposits": _("bank deposits"),
    "insurance": _("commercial insurance"),
    "securities": _("securities"),
    "internet_finance": _("internet finance"),
}
ITEM_LABELS = {
    "eating": _("eating"),
    "dressing": _("dressing"),
    "bed": _("getting in and out of bed"),
    "toilet": _("using the toilet"),
    "walking": _("walking indoors"),
    "bathing": _("bathing"),
}


class ApplicationStartForm(PlainForm):
    programme = forms.ChoiceField(
        label=capfirst(_("programme")), choices=[(code, PROGRAMME_NAMES[code]) for code in APPLIED_PROGRAMMES]
    )
    person = forms.TypedChoiceField(
        label=capfirst(_("applicant")),
        coerce=int,
        help_text=_("For extreme poverty assistance: the member it is for."),
    )
    channel = forms.ChoiceField(label=capfirst(_("how it came")), choices=Application.Channel.choices)
    proxy = forms.CharField(
        label=capfirst(_("proxy")),
        max_length=60,
        required=False,
        help_text=_("Who hands it in for the household, with its power of attorney."),
    )
    reason = forms.CharField(
        label=capfirst(_("remark")), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    run = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**62)

    def __init__(self, *args, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(person.pk, person.name) for person in members]


class InvestigationForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)
    first = forms.CharField(label=capfirst(_("first investigator")), max_length=30)
    second = forms.CharField(label=capfirst(_("second investigator")), max_length=30)
    methods = forms.MultipleChoiceField(
        label=capfirst(_("methods")),
        widget=forms.CheckboxSelectMultiple,
        choices=[(m, METHOD_LABELS[m]) for m in INVESTIGATION_METHODS],
        initial=["home_visit"],
    )
    findings = forms.CharField(
        label=capfirst(_("findings")), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MatchForm(PlainForm):
    passes = forms.TypedChoiceField(
        label=capfirst(_("on these records the household")),
        coerce=lambda v: v == "1",
        choices=[("1", _("still qualifies")), ("0", _("does not qualify"))],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for source in MATCH_SOURCES:
            self.fields[source] = forms.CharField(
                label=SOURCE_LABELS[source], max_length=200, initial="无记录"
            )


class SpotCheckForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)
    finding = forms.CharField(
        label=capfirst(_("spot-check finding")), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealFileForm(PlainForm):
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=Appeal.Kind.choices)
    filed_on = forms.DateField(label=capfirst(_("filed on")), widget=date_input())
    body = forms.CharField(
        label=capfirst(_("decided by")),
        max_length=100,
        help_text=_("The government reviewing it, or the court."),
    )


class AppealDecideForm(PlainForm):
    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")),
        choices=[
            (Appeal.Outcome.UPHELD, Appeal.Outcome.UPHELD.label),
            (Appeal.Outcome.REDECIDED, Appeal.Outcome.REDECIDED.label),
        ],
    )
    outcome_on = forms.DateField(label=capfirst(_("outcome on")), widget=date_input())
    note = forms.CharField(
        label=capfirst(_("note")), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)


class SelfCareForm(PlainForm):
    cannot = forms.MultipleChoiceField(
        label=capfirst(_("items the person cannot do")),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(item, ITEM_LABELS[item]) for item in SelfCareAssessment.ITEMS],
    )
    reason = forms.CharField(label=capfirst(_("why assessed")), max_length=200, required=False)


class NearRelativeForm(PlainForm):
    id_number = forms.CharField(label=capfirst(_("ID number")), max_length=18, min_length=18)
    name = forms.CharField(label=capfirst(_("name")), max_length=50)
    relation = forms.CharField(label=capfirst(_("relation")), max_length=30)


class SelfCareReportForm(PlainForm):
    what = forms.CharField(
        label=capfirst(_("what changed")), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintForm(PlainForm):
    kind = forms.ChoiceField(
        label=capfirst(_("kind")),
        choices=[("real_name", _("real-name report")), ("hotline", _("12349 hotline complaint"))],
    )
    complainant = forms.CharField(
        label=capfirst(_("complainant")),
        max_length=60,
        required=False,
        help_text=_("Required for a real-name report."),
    )
    contact = forms.CharField(label=capfirst(_("contact phone")), max_length=20, required=False)
    household = forms.IntegerField(
        label=capfirst(_("household number")),
        required=False,
        min_value=1,
        max_value=2**62,
        help_text=_("The registered household it is about, if any."),
    )
    area = forms.CharField(
        label=capfirst(_("area code")),
        max_length=12,
        required=False,
        help_text=_("Otherwise the county, township or village it is about."),
    )
    text = forms.CharField(
        label=capfirst(_("what it says")), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingsForm(PlainForm):
    substantiated = forms.TypedChoiceField(
        label=capfirst(_("it holds")),
        coerce=lambda v: v == "1",
        choices=[("1", _("yes, it holds")), ("0", _("no, it does not hold"))],
    )
    findings = forms.CharField(
        label=capfirst(_("findings")), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)


class AnswerForm(PlainForm):
    answer = forms.CharField(
        label=capfirst(_("written answer")), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)


class ObjectionForm(PlainForm):
    text = forms.CharField(
        label=capfirst(_("objection")), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    raised_by = forms.CharField(
        label=capfirst(_("raised by")),
        max_length=60,
        required=False,
        help_text=_("Leave empty for an anonymous objection."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_000_000_000)
