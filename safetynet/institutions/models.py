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


# --- Safety management records (issue 13, item 5) ---


class SafetyTraining(ChoiceLabels, models.Model):
    """One training session of an institution's staff (fire, gas, CO, evacuation …): when, on what,
    by whom, who attended; a photo of the sign-in sheet is its evidence (core.workflows.evidence)."""

    class Topic(models.TextChoices):
        FIRE = "fire", _("fire safety")
        GAS = "gas", _("gas safety")
        CO = "co", _("carbon monoxide")
        EVACUATION = "evacuation", _("evacuation")
        OTHER = "other", _("other")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="safety_trainings", verbose_name=_("institution")
    )
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    trainer = models.CharField(_("trainer"), max_length=50)
    attendees = models.CharField(_("attendees (names)"), max_length=500, blank=True)
    attendee_count = models.PositiveIntegerField(_("number of attendees"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("safety training")
        verbose_name_plural = _("safety trainings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendee_count__gte=1, attendee_count__lte=10_000),
                name="training_attendees_counted",
            ),
        ]
        indexes = [models.Index(fields=["institution", "held_on"], name="training_by_institution")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_topic_display()}"


class Scenario(models.TextChoices):
    """What an emergency plan and its drills prepare for."""

    FIRE = "fire", _("fire")
    GAS_LEAK = "gas_leak", _("gas leak")
    CO = "co", _("carbon monoxide poisoning")
    EVACUATION = "evacuation", _("evacuation")
    SEVERE_WEATHER = "severe_weather", _("severe weather or flood")
    POWER_CUT = "power_cut", _("power or heating cut")
    MISSING = "missing", _("missing resident")
    EPIDEMIC = "epidemic", _("epidemic")
    OTHER = "other", _("other")


class EmergencyPlan(ChoiceLabels, models.Model):
    """An institution's emergency plan (应急预案): what it is for, when it was approved, when it is to
    be reviewed. Drills are run against it."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="emergency_plans", verbose_name=_("institution")
    )
    title = models.CharField(_("title"), max_length=100)
    scenarios = models.JSONField(_("scenarios"), default=list)
    approved_on = models.DateField(_("approved on"))
    review_due = models.DateField(_("review due"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["institution_id", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "title"], name="plan_title_once_per_institution"),
            models.CheckConstraint(
                condition=models.Q(review_due__gte=models.F("approved_on")),
                name="plan_reviewed_after_approval",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def scenario_labels(self) -> list[str]:
        labels = dict(Scenario.choices)
        return [str(labels.get(code, code)) for code in self.scenarios]


class Drill(ChoiceLabels, models.Model):
    """A drill run against an emergency plan: when, which scenario, how many residents were evacuated
    and in how many seconds, and the problems found (one a line)."""

    plan = models.ForeignKey(
        EmergencyPlan, on_delete=models.PROTECT, related_name="drills", verbose_name=_("emergency plan")
    )
    held_on = models.DateField(_("held on"))
    scenario = models.CharField(_("scenario"), max_length=16, choices=Scenario.choices)
    residents_evacuated = models.PositiveIntegerField(_("residents evacuated"))
    evacuation_seconds = models.PositiveIntegerField(_("time to evacuate (seconds)"))
    problems = models.TextField(_("problems found"), max_length=2000, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(residents_evacuated__lte=100_000, evacuation_seconds__lte=86_400),
                name="drill_figures_plausible",
            ),
        ]
        indexes = [models.Index(fields=["plan", "held_on"], name="drill_by_plan")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_scenario_display()}"


class WatchNight(models.Model):
    """Who kept the 24-hour watch on one night at an institution: the person on duty and the leader
    on duty, the rounds made (how many, when), whether the handover was done. One a night."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="watch_nights", verbose_name=_("institution")
    )
    night = models.DateField(_("night of"))
    on_duty = models.CharField(_("person on duty"), max_length=50)
    leader = models.CharField(_("leader on duty"), max_length=50)
    rounds = models.PositiveSmallIntegerField(_("rounds made"))
    round_times = models.CharField(_("times of the rounds"), max_length=200, blank=True)
    handover_done = models.BooleanField(_("handover done"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("night watch")
        verbose_name_plural = _("night watches")
        ordering = ["-night", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "night"], name="watch_once_per_night"),
            models.CheckConstraint(condition=models.Q(rounds__lte=48), name="watch_rounds_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.night} {self.on_duty}"


class Incident(ChoiceLabels, models.Model):
    """A safety incident at an institution (fire, CO poisoning, a fall, a missing resident …), reported
    upward as a kernel case (institutions.safety.workflow): the first report within the hours the
    settings give, counted from when it occurred, then the written follow-up."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("fire")
        CO_POISONING = "co_poisoning", _("carbon monoxide poisoning")
        FALL = "fall", _("fall")
        MISSING = "missing", _("missing resident")
        CHOKING = "choking", _("choking")
        OTHER = "other", _("other")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("institution")
    )
    kind = models.CharField(_("kind of incident"), max_length=16, choices=Kind.choices)
    major = models.BooleanField(_("major incident"), default=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    reported_by = models.CharField(_("reported by"), max_length=50)
    description = models.TextField(_("what happened"), max_length=2000)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injured = models.PositiveIntegerField(_("injured"), default=0)
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deaths__lte=10_000, injured__lte=10_000),
                name="incident_casualties_plausible",
            ),
        ]
        indexes = [models.Index(fields=["institution", "occurred_at"], name="incident_by_institution")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"
