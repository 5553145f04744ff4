"""Forms of purchased services: a provider, a staff account, a contract, a person covered, a service
log (the phone's form: one-time submission key, kept on the phone when there is no network)."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.care.models import ServiceKind
from safetynet.core.text import refuse_control_characters
from safetynet.registry.forms import PlainForm, date_input


class ProviderForm(PlainForm):
    name = forms.CharField(label=capfirst(_("name")), max_length=100, validators=[refuse_control_characters])
    credit_code = forms.CharField(
        label=capfirst(_("unified social credit code")), max_length=18, validators=[refuse_control_characters]
    )
    contact = forms.CharField(
        label=capfirst(_("contact person")), max_length=50, validators=[refuse_control_characters]
    )
    phone = forms.CharField(label=capfirst(_("phone")), max_length=20, validators=[refuse_control_characters])


class StaffForm(PlainForm):
    user = forms.TypedChoiceField(label=capfirst(_("user account")), coerce=int)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(user.pk, f"{user} ({user.username})") for user in users]


class ContractForm(PlainForm):
    provider = forms.TypedChoiceField(label=capfirst(_("service provider")), coerce=int)
    area = forms.ChoiceField(label=capfirst(_("area")))
    title = forms.CharField(
        label=capfirst(_("title")), max_length=100, validators=[refuse_control_characters]
    )
    starts_on = forms.DateField(label=capfirst(_("from")), widget=date_input())
    ends_on = forms.DateField(label=capfirst(_("until")), widget=date_input())
    budget = forms.DecimalField(
        label=capfirst(_("budget (yuan)")), min_value=0, max_digits=12, decimal_places=2
    )
    kinds = forms.MultipleChoiceField(
        label=capfirst(_("services bought")), choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, providers=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p.pk, p.name) for p in providers]
        self.fields["area"].choices = [(d.code, d.name) for d in areas]


class PersonForm(PlainForm):
    person = forms.TypedChoiceField(label=capfirst(_("person")), coerce=int)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (row.person_id, f"{row.person.name} · {row.household.address}") for row in candidates
        ]


class EndForm(PlainForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)


class LogForm(PlainForm):
    submission = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=capfirst(_("service")), widget=forms.RadioSelect)
    started_at = forms.DateTimeField(
        label=capfirst(_("started at")),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ended_at = forms.DateTimeField(
        label=capfirst(_("ended at")),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(
        label=capfirst(_("where")), max_length=200, validators=[refuse_control_characters]
    )
    latitude = forms.DecimalField(
        label=capfirst(_("latitude")),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "data-latitude": ""}),
    )
    longitude = forms.DecimalField(
        label=capfirst(_("longitude")),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "data-longitude": ""}),
    )
    done = forms.CharField(
        label=capfirst(_("what was done")),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[lambda value: refuse_control_characters(value, lines=True)],
    )
    photo = forms.ImageField(
        label=capfirst(_("photo")),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
    signature = forms.FileField(
        label=capfirst(_("signature of the person served")),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png"}),
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, ServiceKind(k).label) for k in kinds]

    def clean(self):
        data = super().clean()
        if not data.get("photo") and not data.get("signature"):
            self.add_error(None, _("Take a photo of the service or have the person sign."))
        return data
