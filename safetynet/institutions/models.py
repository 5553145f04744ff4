from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safetynet.core.choices import ChoiceLabels
from safetynet.core.types import Division


class Institution(ChoiceLabels, models.Model):
    """One institution (一老一小 and the rescue stations), owned by this app and used by care placements
    and rescue stations too: what it is, where, its licence, its capacity, how it is heated and how
    its rooms are guarded against carbon monoxide and fire. County and city offices see the
    institutions of their area; an institution's staff and a contracted inspector see only the ones
    granted to them."""

    class Kind(models.TextChoices):
        ELDERLY_PUBLIC = "elderly_public", _("elderly care, public (特困 support)")
        ELDERLY_PRIVATE = "elderly_private", _("elderly care, private")
        CHILD_WELFARE = "child_welfare", _("child welfare")
        MENTAL_HEALTH = "mental_health", _("care of persons with mental illness")
        RESCUE_STATION = "rescue_station", _("rescue station")

    class Heating(models.TextChoices):
        CENTRAL = "central", _("central heating")
        GAS = "gas", _("gas")
        COAL = "coal", _("coal")
        ELECTRIC = "electric", _("electric or air-conditioning")
        SOLAR = "solar", _("solar")
        WOOD = "wood", _("wood")
        NONE = "none", _("none")

    name = models.CharField(_("institution name"), max_length=100)
    kind = models.CharField(_("kind of institution"), max_length=16, choices=Kind.choices)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("township or village")
    )
    address = models.CharField(_("address"), max_length=200)
    operator = models.CharField(_("operated by"), max_length=100, blank=True)
    head = models.CharField(_("person in charge"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    licence_number = models.CharField(_("licence or registration number"), max_length=50, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    residents = models.PositiveIntegerField(_("residents"), default=0)
    staff = models.PositiveIntegerField(_("staff"), default=0)
    heating = models.CharField(_("heating"), max_length=10, choices=Heating.choices, default=Heating.NONE)
    co_alarms = models.PositiveIntegerField(_("CO alarms"), default=0)
    co_rooms_covered = models.PositiveIntegerField(_("rooms with a CO alarm"), default=0)
    co_rooms_heated = models.PositiveIntegerField(_("rooms heated by fuel"), default=0)
    co_last_tested = models.DateField(_("CO alarms last tested"), null=True, blank=True)
    fire_facilities = models.CharField(_("fire facilities"), max_length=300, blank=True)
    active = models.BooleanField(_("in operation"), default=True)
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["division_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="institution_name_once_per_place"),
        ]
        indexes = [models.Index(fields=["division", "kind"], name="institution_by_place")]

    def __str__(self) -> str:
        return self.name

    @property
    def fuel_heated(self) -> bool:
        """Heated by burning fuel (gas, coal, wood): carbon monoxide can build up."""
        return self.heating in (self.Heating.GAS, self.Heating.COAL, self.Heating.WOOD)

    @property
    def co_guarded(self) -> bool:
        """Every room heated by fuel has a CO alarm (none needed without fuel heating)."""
        return not self.fuel_heated or (self.co_alarms > 0 and self.co_rooms_covered >= self.co_rooms_heated)


# --- Inspections and hazards (issue 13, items 2–4) ---


class Inspection(ChoiceLabels, models.Model):
    """One inspection of an institution: assigned by the county or city bureau to one of its staff
    or to a contracted third-party inspector (granted the institution by the assignment), for a
    campaign or not, due by a day; filled in on a phone on site against a versioned checklist
    (core.checklists). Each failed item raises a Hazard."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("to inspect")
        DONE = "done", _("inspected")
        CANCELLED = "cancelled", _("cancelled")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("institution")
    )
    campaign = models.ForeignKey(
        "core.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("campaign"),
    )
    checklist_code = models.CharField(_("checklist"), max_length=60)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    due_on = models.DateField(_("to inspect by"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ASSIGNED)
    # What was answered, against which version of the checklist (set when inspected).
    checklist = models.ForeignKey(
        "core.ChecklistTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict, blank=True)
    score = models.PositiveIntegerField(_("risk score"), default=0)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The phone form's one-time key: sent again after a lost connection, it is stored once.
    submission = models.UUIDField(null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["assigned", "done", "cancelled"]), name="inspection_state"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="done")
                | models.Q(inspected_at__isnull=False, checklist__isnull=False, submission__isnull=False),
                name="inspection_done_has_answers",
            ),
            # One inspection waiting per institution and checklist: a repeated assignment is refused.
            models.UniqueConstraint(
                fields=["institution", "checklist_code"], condition=models.Q(state="assigned"),
                name="inspection_one_waiting",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "state"], name="inspection_by_institution"),
            models.Index(fields=["campaign", "state"], name="inspection_by_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.due_on}"


class Hazard(ChoiceLabels, models.Model):
    """A hazard found at an institution — by an inspection's failed item, or reported otherwise —
    and rectified to a verified closure as a case of the kernel's "institutions.hazard" workflow
    (SPEC §6.4 G). A major hazard carries its rectification plan."""

    class Grade(models.TextChoices):
        GENERAL = "general", _("general hazard")
        MAJOR = "major", _("major hazard")

    class Category(models.TextChoices):
        COAL_HEATING = "coal_heating", _("coal heating")
        GAS_HEATING = "gas_heating", _("gas heating")
        WOOD_HEATING = "wood_heating", _("wood heating")
        SOLAR_HEATING = "solar_heating", _("solar heating")
        CO_ALARM = "co_alarm", _("CO alarm missing or failing")
        APPLIANCES = "appliances", _("substandard appliances")
        WIRING = "wiring", _("wiring")
        OVERLOAD = "overload", _("overloaded circuits")
        SHORT_CIRCUIT = "short_circuit", _("no short-circuit protection")
        FIRE_FACILITIES = "fire_facilities", _("fire facilities")
        EVACUATION = "evacuation", _("evacuation routes")
        KITCHEN_GAS = "kitchen_gas", _("kitchen gas")
        BUILDING = "building", _("building structure")
        SPECIAL_EQUIPMENT = "special_equipment", _("special equipment")
        CARE = "care", _("care and supervision")
        OTHER = "other", _("other")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("institution")
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="hazards",
        verbose_name=_("inspection"),
    )
    # The checklist item that failed (or "" for a hazard reported otherwise).
    item = models.CharField(max_length=60, blank=True)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300)
    found_at = models.DateTimeField(_("found at"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("found by")
    )
    # A major hazard's rectification plan: who answers for it, the money, the measures, by when.
    plan_owner = models.CharField(_("person responsible"), max_length=50, blank=True)
    plan_funds = models.DecimalField(
        _("funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    plan_measures = models.CharField(_("measures"), max_length=500, blank=True)
    plan_deadline = models.DateField(_("rectified by"), null=True, blank=True)
    plan_recorded_at = models.DateTimeField(_("plan recorded at"), null=True, blank=True)
    plan_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"], condition=models.Q(inspection__isnull=False),
                name="hazard_once_per_inspection_item",
            ),
            models.CheckConstraint(condition=models.Q(grade__in=["general", "major"]), name="hazard_grade"),
            models.CheckConstraint(
                condition=models.Q(plan_funds__isnull=True) | models.Q(plan_funds__gte=0),
                name="hazard_plan_funds_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["institution", "grade"], name="hazard_by_institution")]

    def __str__(self) -> str:
        return self.description

    @property
    def plan_recorded(self) -> bool:
        return bool(self.plan_owner and self.plan_measures and self.plan_deadline)
