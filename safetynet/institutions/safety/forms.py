"""The forms of the safety records: a training, a plan, a drill, a night's watch, an incident, and a
photo or PDF added to a record afterwards."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.institutions.models import Incident, SafetyTraining, Scenario
from safetynet.registry.forms import PlainForm, date_input

COUNT = {"min_value": 0, "max_value": 100_000}


def _photo(label):
    return forms.FileField(
        label=label, required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"})
    )


class TrainingForm(PlainForm):
    held_on = forms.DateField(label=capfirst(_("held on")), widget=date_input())
    topic = forms.ChoiceField(label=capfirst(_("topic")), choices=SafetyTraining.Topic.choices)
    trainer = forms.CharField(label=capfirst(_("trainer")), max_length=50)
    attendee_count = forms.IntegerField(
        label=capfirst(_("number of attendees")), min_value=1, max_value=10_000
    )
    attendees = forms.CharField(
        label=capfirst(_("attendees (names)")),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label=capfirst(_("note")), max_length=500, required=False)
    photo = _photo(_("Photo of the sign-in sheet"))


class PlanForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)
    title = forms.CharField(label=capfirst(_("title")), max_length=100)
    scenarios = forms.MultipleChoiceField(
        label=capfirst(_("scenarios")), choices=Scenario.choices, widget=forms.CheckboxSelectMultiple
    )
    approved_on = forms.DateField(label=capfirst(_("approved on")), widget=date_input())
    review_due = forms.DateField(label=capfirst(_("review due")), widget=date_input())
    document = forms.FileField(
        label=_("The approved plan (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["document"]


class DrillForm(PlainForm):
    held_on = forms.DateField(label=capfirst(_("held on")), widget=date_input())
    scenario = forms.ChoiceField(label=capfirst(_("scenario")), choices=Scenario.choices)
    residents_evacuated = forms.IntegerField(label=capfirst(_("residents evacuated")), **COUNT)
    evacuation_seconds = forms.IntegerField(
        label=capfirst(_("time to evacuate (seconds)")), min_value=1, max_value=86_400
    )
    problems = forms.CharField(
        label=capfirst(_("problems found")),
        max_length=2000,
        required=False,
        help_text=_("One problem a line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = _photo(_("Photo of the drill"))


class WatchForm(PlainForm):
    night = forms.DateField(label=capfirst(_("night of")), widget=date_input())
    on_duty = forms.CharField(label=capfirst(_("person on duty")), max_length=50)
    leader = forms.CharField(label=capfirst(_("leader on duty")), max_length=50)
    rounds = forms.IntegerField(label=capfirst(_("rounds made")), min_value=0, max_value=48)
    round_times = forms.CharField(
        label=capfirst(_("times of the rounds")),
        max_length=200,
        required=False,
        help_text=_("For example 22:00, 00:30, 03:00, 05:30."),
    )
    handover_done = forms.BooleanField(label=capfirst(_("handover done")), required=False)
    note = forms.CharField(label=capfirst(_("note")), max_length=300, required=False)
    photo = _photo(_("Photo of the watch log"))


class IncidentForm(PlainForm):
    kind = forms.ChoiceField(label=capfirst(_("kind of incident")), choices=Incident.Kind.choices)
    major = forms.BooleanField(
        label=capfirst(_("major incident")),
        required=False,
        help_text=_(
            "A death, several injured, a fire or a poisoning: to be reported upward within the hour."
        ),
    )
    occurred_at = forms.DateTimeField(
        label=capfirst(_("occurred at")),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reported_by = forms.CharField(label=capfirst(_("reported by")), max_length=50)
    description = forms.CharField(
        label=capfirst(_("what happened")), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    deaths = forms.IntegerField(label=capfirst(_("deaths")), initial=0, **COUNT)
    injured = forms.IntegerField(label=capfirst(_("injured")), initial=0, **COUNT)


class RecordEvidenceForm(PlainForm):
    kind = forms.ChoiceField(
        label=_("What the file shows"), choices=[("photo", _("photo")), ("pdf", _("PDF document"))]
    )
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
