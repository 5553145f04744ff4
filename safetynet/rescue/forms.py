"""The forms of street rescue: a call or referral logged, a team sent, a contact on scene, an
incident closed, a team's state, and the public's report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from safetynet.registry.forms import PlainForm
from safetynet.rescue.models import Hotspot, RescueTeam, StreetContact, StreetIncident, SupplyItem

Version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)
SEXES = [("", "—"), ("1", _("man")), ("2", _("woman"))]


def _coordinate(label, low, high):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )


class CallForm(PlainForm):
    source = forms.ChoiceField(
        label=_("source"),
        choices=[
            (StreetIncident.Source.HOTLINE, StreetIncident.Source.HOTLINE.label),
            (StreetIncident.Source.REFERRAL, StreetIncident.Source.REFERRAL.label),
            (StreetIncident.Source.PATROL, StreetIncident.Source.PATROL.label),
        ],
    )
    referrer = forms.ChoiceField(
        label=_("referred by"), required=False, choices=[("", "—"), *StreetIncident.Referrer.choices]
    )
    division = forms.ChoiceField(label=_("county"))
    place = forms.CharField(
        label=_("place"),
        max_length=200,
        required=False,
        help_text=_("e.g. under the 沂河 bridge, west end; the ATM room of a bank on 解放路"),
    )
    latitude = _coordinate(_("latitude"), -90, 90)
    longitude = _coordinate(_("longitude"), -180, 180)
    description = forms.CharField(
        label=_("what the caller saw"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    persons = forms.IntegerField(label=_("persons seen"), min_value=1, max_value=50, initial=1)
    caller_name = forms.CharField(label=_("caller"), max_length=50, required=False)
    caller_phone = forms.CharField(label=_("caller's phone"), max_length=20, required=False)
    recording = forms.CharField(
        label=_("call recording"),
        max_length=200,
        required=False,
        help_text=_("the recording's number in the telephone system"),
    )

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [(d.code, d.name) for d in counties]


class DispatchForm(PlainForm):
    version = Version
    team = forms.TypedChoiceField(label=_("team"), coerce=int)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(team.pk, label) for team, label in teams]


class ContactForm(PlainForm):
    submission = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=StreetContact.Outcome.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("the person"),
        max_length=200,
        help_text=_("who, as far as you can tell: e.g. man, about 60, red coat"),
    )
    sex = forms.ChoiceField(label=_("sex"), choices=SEXES, required=False)
    approximate_age = forms.IntegerField(
        label=_("approximate age"), min_value=0, max_value=120, required=False
    )
    card_given = forms.BooleanField(label=_("contact card given"), required=False)
    note = forms.CharField(
        label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    close = forms.BooleanField(label=_("close the incident after this contact"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item, label in SupplyItem.choices:
            self.fields[f"give_{item}"] = forms.IntegerField(
                label=label, min_value=0, max_value=100, required=False
            )

    def handouts(self) -> dict[str, int]:
        return {item: self.cleaned_data.get(f"give_{item}") or 0 for item in SupplyItem.values}

    def supply_fields(self):
        return [self[f"give_{item}"] for item in SupplyItem.values]


class CloseForm(PlainForm):
    version = Version
    closing = forms.ChoiceField(
        label=_("why"),
        choices=[
            (StreetIncident.Closing.NOT_FOUND, StreetIncident.Closing.NOT_FOUND.label),
            (StreetIncident.Closing.DUPLICATE, StreetIncident.Closing.DUPLICATE.label),
            (StreetIncident.Closing.NOT_OURS, StreetIncident.Closing.NOT_OURS.label),
        ],
    )
    reason = forms.CharField(label=_("note"), max_length=200, required=False)


class TeamStateForm(PlainForm):
    state = forms.ChoiceField(
        choices=[
            (RescueTeam.State.AVAILABLE, RescueTeam.State.AVAILABLE.label),
            (RescueTeam.State.RETURNING, RescueTeam.State.RETURNING.label),
            (RescueTeam.State.OFF_DUTY, RescueTeam.State.OFF_DUTY.label),
        ]
    )


class PublicReportForm(PlainForm):
    division = forms.ChoiceField(label=_("county or district"), required=False)
    place = forms.CharField(
        label=_("where"),
        max_length=200,
        required=False,
        help_text=_("a street, a bridge, a shop or a landmark nearby"),
    )
    latitude = _coordinate(_("latitude"), -90, 90)
    longitude = _coordinate(_("longitude"), -180, 180)
    description = forms.CharField(
        label=_("what you saw"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    persons = forms.IntegerField(label=_("how many persons"), min_value=1, max_value=50, initial=1)
    caller_name = forms.CharField(label=_("your name (optional)"), max_length=50, required=False)
    caller_phone = forms.CharField(label=_("your phone (optional)"), max_length=20, required=False)
    photo = forms.FileField(
        label=_("a photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [
            ("", _("— I do not know —")),
            *((d.code, d.name) for d in counties),
        ]


class PatrolPlanForm(PlainForm):
    team = forms.TypedChoiceField(label=_("team"), coerce=int)
    planned_for = forms.DateTimeField(
        label=_("planned for"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    points = forms.TypedMultipleChoiceField(
        label=_("points to check"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, teams=(), points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(team.pk, f"{team.name}（{team.county.name}）") for team in teams]
        self.fields["points"].choices = [
            (point.pk, f"{point.name} · {point.get_kind_display()}") for point in points
        ]


class PatrolLogForm(PlainForm):
    note = forms.CharField(
        label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.points = list(points)
        for point in self.points:
            self.fields[f"checked_{point.pk}"] = forms.BooleanField(
                label=point.name, required=False, initial=False
            )
            self.fields[f"found_{point.pk}"] = forms.IntegerField(
                label=_("persons found"), min_value=0, max_value=50, required=False
            )

    def checks(self) -> dict[int, int]:
        return {
            point.pk: self.cleaned_data.get(f"found_{point.pk}") or 0
            for point in self.points
            if self.cleaned_data.get(f"checked_{point.pk}")
        }

    def rows(self):
        return [(point, self[f"checked_{point.pk}"], self[f"found_{point.pk}"]) for point in self.points]


class LinkForm(PlainForm):
    person = forms.IntegerField(
        label=_("registered person's number"),
        min_value=1,
        max_value=2**62,
        help_text=_("the number in the address of the person's registry page: …/registry/people/NUMBER/"),
    )


class TeamForm(PlainForm):
    county = forms.ChoiceField(label=_("county"))
    name = forms.CharField(label=_("team name"), max_length=60)
    vehicle = forms.CharField(label=_("vehicle"), max_length=20, required=False)
    staff_count = forms.IntegerField(label=_("staff on the team"), min_value=1, max_value=50, initial=2)
    latitude = _coordinate(_("latitude"), -90, 90)
    longitude = _coordinate(_("longitude"), -180, 180)
    members = forms.TypedMultipleChoiceField(
        label=_("members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("their phones get the team's orders"),
    )

    def __init__(self, *args, counties=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(d.code, d.name) for d in counties]
        self.fields["members"].choices = [
            (u.pk, f"{u.username} · {u.get_full_name() or u.username}") for u in people
        ]


class HotspotForm(PlainForm):
    county = forms.ChoiceField(label=_("county"))
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=Hotspot.Kind.choices)
    latitude = _coordinate(_("latitude"), -90, 90)
    longitude = _coordinate(_("longitude"), -180, 180)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(d.code, d.name) for d in counties]
