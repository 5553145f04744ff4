"""The forms of user administration. The services check everything again; the forms offer only the
roles and divisions the administrator manages."""

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from safetynet.core.accounts.rules import managed_roles
from safetynet.core.models import DivisionLevel, Role, User
from safetynet.core.selectors import division_list
from safetynet.core.text import refuse_control_characters

# Where an account is bound. Stations, institutions and contracts come with their own apps, which
# add their binding fields to this group (the service then records them like the division).
BINDING_FIELDS = ["division"]


def _role_choices(actor: User) -> list[tuple[str, str]]:
    roles = managed_roles(actor)
    return [(value, label) for value, label in Role.choices if value in roles]


class _AreaForm(forms.Form):
    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    @cached_property
    def division_options(self) -> list:
        """The divisions an account can be bound to, offered while typing a code: the area itself,
        its counties and townships, and its villages where there are not too many to list."""
        levels = [DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP]
        if len(self.actor.division_id) >= 6:
            levels.append(DivisionLevel.VILLAGE)
        options = [d for level in levels for d in division_list(actor=self.actor, level=level)[:3000]]
        own = self.actor.division
        return sorted([own, *options], key=lambda d: d.code)


class UserForm(_AreaForm):
    name = forms.CharField(label=_("Name"), max_length=50, validators=[refuse_control_characters])
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            validators=[refuse_control_characters])
    role = forms.ChoiceField(label=_("Role"))
    division = forms.CharField(
        label=_("Division code"), max_length=12, validators=[refuse_control_characters],
        help_text=_("The county, township or village the account works in (its code): it sees only "
                    "that area."),
        widget=forms.TextInput(attrs={"list": "divisions-in-area", "inputmode": "numeric"}),
    )

    fieldsets = [
        (_("Person"), ["username", "name", "phone"]),
        (_("Role and binding"), ["role", *BINDING_FIELDS]),
    ]

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["role"].choices = [("", _("Choose a role")), *_role_choices(actor)]

    def grouped_fields(self):
        return [(legend, [self[name] for name in names if name in self.fields])
                for legend, names in self.fieldsets]

    def attach(self, error: ValidationError) -> None:
        """A service's refusal beside the field it is about (`first_name` is the name here)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            field = {"first_name": "name", "division_code": "division"}.get(field, field)
            self.add_error(field if field in self.fields else None, errors)


class UserCreateForm(UserForm):
    username = forms.CharField(
        label=_("User name"), max_length=150, validators=[refuse_control_characters],
        help_text=_("What the person types to log in: letters, digits and @ . + - _."),
    )
    field_order = ["username", "name", "phone", "role", "division"]


class UserEditForm(UserForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    field_order = ["name", "phone", "role", "division", "version"]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("User name, name or phone")}))
    role = forms.ChoiceField(label=_("Role"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), ("1", _("Active")), ("0", _("Deactivated"))])

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *_role_choices(actor)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class VersionForm(forms.Form):
    """The version of the account the administrator saw (deactivate, reactivate, reset)."""

    version = forms.IntegerField(required=False)
    reason = forms.CharField(required=False, max_length=200, validators=[refuse_control_characters])
