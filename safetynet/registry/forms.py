"""Forms of the registry pages. They read what people type; the services check the whole and save."""

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from safetynet.core import pages
from safetynet.core.money import YuanField
from safetynet.core.privacy import hidden_fields, sees_whole_numbers
from safetynet.core.selectors import division_list, division_villages
from safetynet.core.types import DivisionLevel, Role, UrbanRural, User
from safetynet.registry import codes, selectors, services
from safetynet.registry.identifiers import PERSON
from safetynet.registry.models import (
    AssetItem,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
    Supporter,
)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def attach_errors(error: ValidationError, *filled_in: forms.Form) -> None:
    """core.pages.attach_errors, with a link to the person a message names."""
    pages.attach_errors(error, *filled_in, decorate=_with_link)


def _with_link(error: ValidationError) -> ValidationError:
    """The services say who holds an ID number in words; a page adds a link to that person."""
    if getattr(error, "code", None) != "id_number_registered" or not error.params:
        return error
    params = error.params
    if params.get("household_id"):
        url = reverse("registry:household_detail", args=[params["household_id"]])
        label = _("Open their household")
    else:
        url, label = reverse("registry:person_edit", args=[params["person_id"]]), _("Open their record")
    return ValidationError(format_html('{} <a href="{}">{}</a>', error.message % params, url, label),
                           code=error.code)


class ServiceForm(forms.ModelForm):
    """A model's fields with their labels and choices. The service validates the record as a
    whole and saves it, so the model's own validation does not run here and the form never saves.

    An edit form carries the version the user saw; the service refuses it if the record has
    changed since.
    """

    required_css_class = "required"
    error_css_class = "has-error"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
        else:
            self.initial.setdefault("version", self.instance.version)

    def _post_clean(self):
        pass

    def save(self, commit=True):
        raise NotImplementedError("Registry records are saved by the services.")

    @property
    def seen_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class PlainForm(forms.Form):
    required_css_class = "required"
    error_css_class = "has-error"


# --- people ---------------------------------------------------------------------------------------

class PersonForm(ServiceForm):
    fieldsets = [
        (_("Identity"), ["id_number", "name", "sex", "birth_date", "ethnicity"]),
        (_("Registration and residence"), ["hukou_division", "residence_division", "address", "urban_rural",
                                           "phone"]),
        (_("Situation"), ["status", "marital", "education", "employment", "in_school", "labour_capacity",
                          "health"]),
        (_("Disability and illness"), ["disability_category", "disability_grade", "disability_cert_no",
                                       "serious_illness", "mental_illness", "self_care"]),
    ]

    class Meta:
        model = Person
        fields = services.PERSON_FIELDS
        widgets = {
            "birth_date": date_input(),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "id_number": _("18 characters. An old 15-digit number is converted."),
            "sex": _("Left empty, it is taken from the ID number."),
            "birth_date": _("Left empty, it is taken from the ID number."),
            "hukou_division": _(
                "The code of the county, township or village where the hukou is registered."
            ),
            "residence_division": _(
                "The code of the village or township in your area where the person lives."
            ),
            "disability_cert_no": _("20 characters: the ID number, then the category and grade digits."),
        }

    # Joining a household, a person usually lives there: these may be left empty to take its values.
    HOUSEHOLD_DEFAULTS = {"residence_division": "village", "hukou_division": "village",
                          "urban_rural": "urban_rural", "address": "address"}

    def __init__(self, *args, actor: User, defaults_from_household: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        # Whoever may not see the whole numbers (and the date of birth, which is in the ID number)
        # may not overwrite them either. A new person's numbers are the ones the user types.
        hidden = hidden_fields(actor, self.instance) if self.instance.pk else ()
        self.identifiers_hidden = [name for name in hidden if name in self.fields]
        for name in self.identifiers_hidden:
            del self.fields[name]
        # Identifiers the form shows whole, pre-filled: opening it is an unmasked view, logged.
        self.identifiers_shown = [name for name in PERSON.fields if self.instance.pk and name in self.fields]
        hukou, residence = self.fields["hukou_division"], self.fields["residence_division"]
        hukou.queryset = selectors.divisions_known()
        hukou.error_messages["invalid_choice"] = _("There is no division with this code.")
        residence.queryset = division_list(actor=actor)
        residence.error_messages["invalid_choice"] = _("No division in your area has this code.")
        for field in (hukou, residence):
            field.widget = forms.TextInput(attrs={"inputmode": "numeric", "list": "divisions-in-area",
                                                  "autocomplete": "off", "maxlength": 12})
        sex = self.fields["sex"]
        sex.required, sex.empty_value = False, None
        sex.choices = [("", _("From the ID number")), *codes.Sex.choices]
        if "birth_date" in self.fields:
            self.fields["birth_date"].required = False
        if defaults_from_household:
            for name in self.HOUSEHOLD_DEFAULTS:
                self.fields[name].required = False
                self.fields[name].help_text = _("Left empty: the same as the household's.")

    def service_data(self, household: dict | None = None) -> dict:
        """The values for the service; with `household`, empty ones taken from the household's."""
        data = super().service_data()
        for name, household_field in self.HOUSEHOLD_DEFAULTS.items():
            if household and data.get(name) in (None, ""):
                data[name] = household.get(household_field, data.get(name))
        return data

    @cached_property
    def division_options(self) -> list:
        """Townships and villages of the actor's area, offered while typing a division code. A city
        holds too many villages for that: city users type the code."""
        if len(self.actor.division_id) < 6:
            return []
        return sorted([*division_list(actor=self.actor, level=DivisionLevel.TOWNSHIP),
                       *division_list(actor=self.actor, level=DivisionLevel.VILLAGE)], key=lambda d: d.code)

    def grouped_fields(self):
        return [(legend, [self[name] for name in names if name in self.fields])
                for legend, names in self.fieldsets]


# --- households -----------------------------------------------------------------------------------

class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, division):
        township = division.parent.name if division.parent_id else ""
        return f"{township} · {division.name}" if township else division.name


class HouseholdForm(ServiceForm):
    village = VillageChoiceField(queryset=None, label=capfirst(_("village or community")))

    class Meta:
        model = Household
        fields = services.HOUSEHOLD_FIELDS
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = division_villages(actor=actor).select_related("parent")
        # The words the person form has for a place outside the area (and the import, for a village).
        self.fields["village"].error_messages["invalid_choice"] = _("No division in your area has this code.")
        self.fields["grid_worker"].queryset = selectors.responsible_staff(actor=actor, role=Role.GRID_WORKER)
        self.fields["coordinator"].queryset = selectors.responsible_staff(
            actor=actor, role=Role.VILLAGE_COORDINATOR
        )
        if self.instance.pk is None:
            del self.fields["status"]
        else:
            for name in hidden_fields(actor, self.instance):
                del self.fields[name]


class PersonSource:
    NEW = "new"
    EXISTING = "existing"


class PickPersonForm(PlainForm):
    """Choose someone already registered in the actor's area (from the search results)."""

    person = forms.IntegerField(required=False, widget=forms.HiddenInput, label=capfirst(_("person")))

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_person(self) -> Person | None:
        pk = self.cleaned_data.get("person")
        if pk is None:
            return None
        try:
            return selectors.person_get(actor=self.actor, pk=pk)
        except ObjectDoesNotExist:
            raise ValidationError(_("This person is not registered in your area.")) from None

    def clean(self):
        cleaned = super().clean()
        if self.needs_person(cleaned) and not cleaned.get("person") and "person" not in self.errors:
            self.add_error("person", _("Search for the person and choose them from the results."))
        return cleaned

    def needs_person(self, cleaned) -> bool:
        return True


class NewOrExistingPersonForm(PickPersonForm):
    source = forms.ChoiceField(
        label=_("Who is it?"), widget=forms.RadioSelect, initial=PersonSource.NEW,
        choices=[(PersonSource.NEW, _("A person not registered yet")),
                 (PersonSource.EXISTING, _("A person already registered, in no household"))],
    )

    def needs_person(self, cleaned) -> bool:
        return cleaned.get("source") == PersonSource.EXISTING

    @property
    def wants_new_person(self) -> bool:
        return self.data.get(self.add_prefix("source"), self.initial.get("source", PersonSource.NEW)) \
            != PersonSource.EXISTING


class HeadForm(NewOrExistingPersonForm):
    relation = forms.ChoiceField(
        label=capfirst(_("relation to head")), initial=codes.Relation.HEAD,
        choices=[(code, codes.Relation(code).label) for code in (codes.Relation.HEAD, codes.Relation.SELF)],
    )


class MemberAddForm(NewOrExistingPersonForm):
    relation = forms.ChoiceField(label=capfirst(_("relation to head")), choices=codes.Relation.choices)
    co_living = forms.BooleanField(
        label=capfirst(_("lives with the household")), required=False, initial=True
    )
    exclusion = forms.ChoiceField(
        label=capfirst(_("reason not counted as living together")), required=False,
        choices=[("", "—"), *codes.Exclusion.choices],
    )
    joined_on = forms.DateField(
        label=capfirst(_("joined on")), widget=date_input(), initial=timezone.localdate
    )

    def member_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("relation", "co_living", "exclusion", "joined_on")}


class MemberMoveForm(PickPersonForm):
    relation = forms.ChoiceField(label=capfirst(_("relation to head")), choices=codes.Relation.choices)
    on = forms.DateField(label=capfirst(_("moved on")), widget=date_input(), initial=timezone.localdate)


class MembershipForm(ServiceForm):
    class Meta:
        model = Membership
        fields = services.MEMBERSHIP_FIELDS
        help_texts = {"exclusion": _("Only for a member who does not count as living together.")}


class MemberRemoveForm(PlainForm):
    left_on = forms.DateField(label=capfirst(_("left on")), widget=date_input(), initial=timezone.localdate)
    reason = forms.ChoiceField(label=capfirst(_("reason for leaving")), choices=codes.LeaveReason.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- income, assets, expenses, documents ------------------------------------------------------------

MONEY_FIELDS = {"amount", "value", "deduction_amount"}


class HouseholdItemForm(ServiceForm):
    """An item of one household; `person` is one of its members."""

    def __init__(self, *args, actor: User, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        if "person" in self.fields:
            self.fields["person"].queryset = selectors.household_people(actor=actor, household=household)
        for name in MONEY_FIELDS & set(self.fields):
            old = self.fields[name]
            self.fields[name] = YuanField(
                label=old.label, required=old.required, help_text=old.help_text, min_value=0,
                initial=old.initial,
            )


class IncomeForm(HouseholdItemForm):
    class Meta:
        model = IncomeItem
        fields = services.INCOME_FIELDS
        widgets = {"period_start": date_input(), "period_end": date_input()}
        help_texts = {"amount": _("Total over the period, in yuan.")}


class AssetForm(HouseholdItemForm):
    class Meta:
        model = AssetItem
        fields = services.ASSET_FIELDS
        help_texts = {"plate_number": _("Only for a vehicle.")}


class ExpenseForm(HouseholdItemForm):
    class Meta:
        model = RigidExpense
        fields = services.EXPENSE_FIELDS
        widgets = {"incurred_on": date_input()}


class SupporterForm(HouseholdItemForm):
    class Meta:
        model = Supporter
        fields = services.SUPPORTER_FIELDS
        widgets = {"birth_date": date_input()}
        help_texts = {"income_year": _("Their income of the last twelve months, in yuan.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].required = True
        old = self.fields["income_year"]
        self.fields["income_year"] = YuanField(label=old.label, required=True, help_text=old.help_text,
                                               min_value=0, initial=0)


class DocumentForm(PlainForm):
    material_type = forms.ChoiceField(label=capfirst(_("material")), choices=codes.MaterialType.choices)
    file = forms.FileField(
        label=capfirst(_("file")),
        help_text=_("PDF, JPG, PNG, Word (.docx) or Excel (.xlsx), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )
    person = forms.ModelChoiceField(queryset=None, required=False, label=capfirst(_("member")))

    def __init__(self, *args, actor: User, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.household_people(actor=actor, household=household)


class ConfirmForm(PlainForm):
    """Confirms a deletion of a record of which the user saw `version`."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


# --- the household list ---------------------------------------------------------------------------

# Which level the division filter offers: the one below the user's own. (Two levels put every
# village of a county, hundreds of options, into every list page: a third of its render time.)
_FILTER_LEVELS = {
    4: [DivisionLevel.COUNTY],
    6: [DivisionLevel.TOWNSHIP],
    9: [DivisionLevel.VILLAGE],
}
_ANY = ("", _("All"))


def search_hint(actor: User) -> str:
    """Every kind of search, in words, for what the actor's role may search by."""
    if sees_whole_numbers(actor):
        return _("Search by a whole ID number or its last four characters or more; a name or a given "
                 "name; pinyin or its initials (zs finds 张三); a phone number or its start (seven "
                 "digits or more); or part of an address.")
    return _("Search by a whole ID number or its last four characters; a name or a given name; pinyin "
             "or its initials (zs finds 张三); a whole mobile number; or part of an address. Your role "
             "sees ID and phone numbers masked: a search by a whole number is logged, and only a few "
             "are allowed a day.")


def _attributes(attrs: dict) -> str:
    """A tag's attributes as Django's django/forms/widgets/attrs.html writes them (escaped)."""
    return mark_safe("".join(  # noqa: S308 — every part escaped by format_html
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False
    ))


class ListSelect(forms.Select):
    """A drop-down of the household list's filters, written as Django's select widget writes it,
    character for character, without its templates: a template for each option and another for
    each option's attributes took a sixth of the list page's time. (Groups of options, which these
    lists have none of, are left to Django's templates.)"""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            format_html('\n  <option value="{}"{}>{}</option>\n', option["value"],
                        _attributes(option["attrs"]), option["label"])
            for _group, group_options, _index in widget["optgroups"] for option in group_options
        )
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], _attributes(widget["attrs"]),
                           mark_safe(options))  # noqa: S308 — every option escaped by format_html


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=50,
        widget=forms.TextInput(attrs={
            "type": "search", "autocomplete": "off",
            "placeholder": _("ID number or its last four, name, pinyin or initials, phone, address"),
        }),
    )
    division = forms.ChoiceField(label=capfirst(_("township or village")), required=False, widget=ListSelect)
    status = forms.ChoiceField(
        label=capfirst(_("status")), required=False, choices=[_ANY, *codes.HouseholdStatus.choices],
        widget=ListSelect,
    )
    heating = forms.ChoiceField(
        label=capfirst(_("heating")), required=False, choices=[_ANY, *codes.Heating.choices],
        widget=ListSelect,
    )
    co_alarm = forms.ChoiceField(
        label=_("CO alarm"), required=False,
        choices=[_ANY, ("yes", _("Installed")), ("no", _("Not installed"))], widget=ListSelect,
    )
    urban_rural = forms.ChoiceField(
        label=capfirst(_("urban or rural")), required=False, choices=[_ANY, *UrbanRural.choices],
        widget=ListSelect,
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        levels = _FILTER_LEVELS.get(len(actor.division_id), [])
        divisions = sorted(
            (d for level in levels for d in division_list(actor=actor, level=level)), key=lambda d: d.code
        )
        deepest = levels[-1] if len(levels) > 1 else None
        # Named by what it lists: a city user chooses a county, a county user a township.
        self.fields["division"].label = capfirst(DivisionLevel(levels[0]).label) if levels else ""
        self.fields["q"].help_text = search_hint(actor)
        self.fields["division"].choices = [_ANY] + [
            (d.code, f"\u2003{d.name}" if d.level == deepest else d.name) for d in divisions
        ]
        if not divisions:
            del self.fields["division"]

    def filters(self) -> dict:
        """Keyword arguments for selectors.household_list; a value that does not parse is ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = self.cleaned_data
        co_alarm = {"yes": True, "no": False}.get(cleaned.get("co_alarm") or "")
        return {
            "query": cleaned.get("q") or "",
            "division": cleaned.get("division") or "",
            "status": cleaned.get("status") or "",
            "heating": cleaned.get("heating") or "",
            "co_alarm": co_alarm,
            "urban_rural": cleaned.get("urban_rural") or "",
        }

    @property
    def is_filtered(self) -> bool:
        return any(v not in ("", None) for v in self.filters().values())


# --- grants ---------------------------------------------------------------------------------------

class GrantForm(PlainForm):
    """Give a service provider or a caregiver of the user's area access to a person (core.grants)."""

    user = forms.ModelChoiceField(label=_("Service provider or caregiver"), queryset=None)  # the grantees
    reason = forms.CharField(label=_("Reason (the contract, say)"), required=False, max_length=200)

    def __init__(self, *args, actor: User, kind: str, **kwargs):
        from safetynet.core.grants import grantees

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = grantees(actor=actor, kind=kind)


class GrantRevokeForm(PlainForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
