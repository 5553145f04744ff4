"""The station's forms: supplies received and issued, a minimum level, a hand-out booking, the
supplies budget, a duty shift and its handover."""

from django import forms
from django.utils.translation import gettext_lazy as _

from safetynet.registry.forms import PlainForm
from safetynet.rescue.models import DutyShift, StationStay, SupplyItem

MAX_QUANTITY = 100_000


def _quantity(label, low=1):
    return forms.IntegerField(label=label, min_value=low, max_value=MAX_QUANTITY)


def _when(label):
    return forms.DateTimeField(label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class StationForm(PlainForm):
    """The station page holds several forms with like fields: each form's ids are its own."""

    id_prefix = "station"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ActionForm(PlainForm):
    """A button with nothing to fill in (book the waiting hand-outs, take a shift off): it carries
    the service's refusal back to the page."""


class ReceiveForm(StationForm):
    id_prefix = "receive"

    item = forms.ChoiceField(label=_("item"), choices=SupplyItem.choices)
    quantity = _quantity(_("quantity"))
    cost = forms.CharField(
        label=_("cost (yuan)"), max_length=20, required=False, help_text=_("blank for a donation")
    )
    supplier = forms.CharField(label=_("supplier"), max_length=100, required=False)


class IssueForm(StationForm):
    id_prefix = "issue"

    item = forms.ChoiceField(label=_("item"), choices=SupplyItem.choices)
    quantity = _quantity(_("quantity"))
    recipient = forms.CharField(
        label=_("to whom"),
        max_length=100,
        required=False,
        help_text=_("a person in the station, named or described; or choose a patrol"),
    )
    patrol = forms.TypedChoiceField(label=_("to a patrol"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, patrols=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patrol"].choices = [("", "—"), *patrols]


class MinimumForm(StationForm):
    id_prefix = "minimum"

    item = forms.ChoiceField(label=_("item"), choices=SupplyItem.choices)
    minimum = _quantity(_("minimum level"), low=0)


class BudgetForm(StationForm):
    id_prefix = "budget"

    division = forms.ChoiceField(label=_("area"))
    starts_on = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("budget (yuan)"), max_length=20)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = list(areas)


class ShiftForm(StationForm):
    id_prefix = "shift"

    post = forms.ChoiceField(label=_("post"), choices=DutyShift.Post.choices)
    user = forms.TypedChoiceField(label=_("on duty"), coerce=int)
    starts_at = _when(_("from"))
    ends_at = _when(_("to"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(person.pk, f"{person}（{person.username}）") for person in people]


class HandoverForm(StationForm):
    id_prefix = "handover"

    handover = forms.CharField(
        label=_("handover note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("what happened on the shift, and what the next shift must do"),
    )


class ArrivalForm(StationForm):
    id_prefix = "arrival"

    arrival = forms.ChoiceField(label=_("how they came"), choices=StationStay.Arrival.choices)
    name = forms.CharField(label=_("name"), max_length=50, required=False, help_text=_("blank if not known"))
    sex = forms.ChoiceField(
        label=_("sex"), required=False, choices=[("", "—"), ("1", _("man")), ("2", _("woman"))]
    )
    approximate_age = forms.IntegerField(label=_("age (about)"), min_value=0, max_value=120, required=False)
    hometown = forms.CharField(label=_("home town (as said)"), max_length=100, required=False)
    features = forms.CharField(
        label=_("appearance, clothing, features"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    belongings = forms.CharField(
        label=_("belongings kept"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    identity_known = forms.BooleanField(label=_("identity confirmed"), required=False)
    needs_care = forms.BooleanField(
        label=_("minor, or signs of mental or intellectual disability"), required=False
    )


class CollectorForm(StationForm):
    id_prefix = "collector"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)
    collector_name = forms.CharField(label=_("collected by"), max_length=50)
    collector_relation = forms.CharField(label=_("relation"), max_length=20)
    collector_id_number = forms.CharField(label=_("collector's ID number"), max_length=18)


class FoundForm(StationForm):
    id_prefix = "found"

    name = forms.CharField(label=_("name"), max_length=50)
    hometown = forms.CharField(label=_("home town (as said)"), max_length=100, required=False)
