"""The registry: people, households, their members, income, assets, rigid expenses, documents (SPEC §6.1).

Every record carries `version`, raised by each save through a service: two people editing the
same record cannot silently overwrite each other.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safetynet.core.choices import ChoiceLabels
from safetynet.core.money import MoneyField
from safetynet.core.types import Division, UrbanRural
from safetynet.registry import codes

# The collation of the columns searched by prefix ranges (registry.search): byte order, the same on
# SQLite (its built-in BINARY) and PostgreSQL (a copy of "C" made by the migration registry 0003),
# whatever the database's locale, so `name >= '张' AND name < '弡'` is exactly "starts with 张".
SEARCH_COLLATION = "BINARY"


class Person(ChoiceLabels, models.Model):
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    id_note = models.CharField(_("note on the ID number"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=50, db_collation=SEARCH_COLLATION)
    sex = models.PositiveSmallIntegerField(_("sex"), choices=codes.Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=codes.Ethnicity.choices, default="01")
    hukou_division = models.ForeignKey(
        Division,
        verbose_name=_("household registration (hukou) place"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence_division = models.ForeignKey(
        Division,
        verbose_name=_("place of residence"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    urban_rural = models.CharField(_("urban or rural"), max_length=5, choices=UrbanRural.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_collation=SEARCH_COLLATION)
    marital = models.CharField(_("marital status"), max_length=2, choices=codes.Marital.choices, blank=True)
    education = models.CharField(_("education"), max_length=2, choices=codes.Education.choices, blank=True)
    employment = models.CharField(
        _("employment"), max_length=16, choices=codes.Employment.choices, blank=True
    )
    labour_capacity = models.CharField(
        _("capacity to work"), max_length=2, choices=codes.LabourCapacity.choices, default="01"
    )
    health = models.CharField(_("health"), max_length=2, choices=codes.Health.choices, default="10")
    disability_category = models.PositiveSmallIntegerField(
        _("disability category"), choices=codes.DisabilityCategory.choices, null=True, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), choices=codes.DisabilityGrade.choices, null=True, blank=True
    )
    disability_cert_no = models.CharField(_("disability certificate number"), max_length=20, blank=True)
    serious_illness = models.CharField(
        _("serious illness"), max_length=2, choices=codes.SeriousIllness.choices, blank=True
    )
    mental_illness = models.BooleanField(_("mental illness"), default=False)
    self_care = models.PositiveSmallIntegerField(
        _("self-care ability"), choices=codes.SelfCare.choices, null=True, blank=True
    )
    in_school = models.BooleanField(_("in full-time schooling"), default=False)
    status = models.CharField(
        _("status"), max_length=2, choices=codes.PersonStatus.choices, default=codes.PersonStatus.NORMAL
    )
    # Who may see this person: their current household's village, else their place of residence.
    # Kept by the membership services so that scoping a million people is one indexed prefix query.
    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", editable=False)
    # Search keys (registry.search.person_search_keys), kept by the services with the name and ID.
    name_pinyin = models.CharField(max_length=60, editable=False, default="", db_collation=SEARCH_COLLATION)
    name_initials = models.CharField(max_length=12, editable=False, default="", db_collation=SEARCH_COLLATION)
    name_given = models.CharField(max_length=50, editable=False, default="", db_collation=SEARCH_COLLATION)
    id_reversed = models.CharField(max_length=18, editable=False, default="", db_collation=SEARCH_COLLATION)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_category__isnull=True, disability_grade__isnull=True)
                | Q(disability_category__isnull=False, disability_grade__isnull=False),
                name="person_disability_category_and_grade_together",
                violation_error_message=_("Give both the disability category and the grade, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="person_disability_grade_1_to_4",
                violation_error_message=_("The disability grade is 1 to 4."),
            ),
            models.CheckConstraint(
                condition=Q(sex__in=[1, 2]),
                name="person_sex_1_or_2",
                violation_error_message=_("Choose the sex."),
            ),
        ]
        indexes = [
            models.Index(fields=["area", "id"], name="person_area"),
            # Each search key leads an index with the area beside it, so a scoped search reads
            # the index range of the key and checks the area without visiting the table.
            models.Index(fields=["name", "area"], name="person_name_area"),
            models.Index(fields=["name_pinyin", "area"], name="person_pinyin_area"),
            models.Index(fields=["name_initials", "area"], name="person_initials_area"),
            models.Index(fields=["name_given", "area"], name="person_given_name_area"),
            models.Index(fields=["id_reversed", "area"], name="person_id_reversed_area"),
            models.Index(fields=["phone", "area"], name="person_phone_area"),
        ]

    def __str__(self) -> str:
        return self.name


class Household(ChoiceLabels, models.Model):
    village = models.ForeignKey(
        Division, verbose_name=_("village or community"), on_delete=models.PROTECT, related_name="+"
    )
    head = models.ForeignKey(
        Person,
        verbose_name=_("head of household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200)
    urban_rural = models.CharField(_("urban or rural"), max_length=5, choices=UrbanRural.choices)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    housing_status = models.CharField(
        _("housing"), max_length=2, choices=codes.HousingStatus.choices, blank=True
    )
    house_structure = models.CharField(
        _("house structure"), max_length=2, choices=codes.HouseStructure.choices, blank=True
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    heating = models.CharField(_("heating"), max_length=1, choices=codes.Heating.choices, blank=True)
    co_alarm = models.BooleanField(_("CO alarm installed"), default=False)
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("social-assistance coordinator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=codes.HouseholdStatus.choices, default="active"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gte=0),
                name="household_floor_area_not_negative",
                violation_error_message=_("The floor area cannot be negative."),
            ),
        ]
        # Addresses are searched by a trigram index the migration registry 0003 makes (FTS5 on
        # SQLite, kept by triggers; pg_trgm on PostgreSQL): see registry.search.household_address_q.
        indexes = [models.Index(fields=["village", "id"], name="household_village")]

    def __str__(self) -> str:
        return f"{self.head.name if self.head_id else '—'} · {self.address}"

    @property
    def lacks_co_alarm(self) -> bool:
        """Heating that burns indoors (coal, wood, gas) and no CO alarm: a risk of poisoning."""
        return self.heating in codes.COMBUSTION_HEATING and not self.co_alarm

    @property
    def has_risk_heating(self) -> bool:
        """Heating the winter safety campaign checks first (codes.RISK_HEATING)."""
        return self.heating in codes.RISK_HEATING


class Membership(ChoiceLabels, models.Model):
    """A person's place in a household over a period. A person has at most one current membership."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("relation to head"), max_length=2, choices=codes.Relation.choices)
    co_living = models.BooleanField(_("lives with the household"), default=True)
    exclusion = models.CharField(
        _("reason not counted as living together"), max_length=12, choices=codes.Exclusion.choices, blank=True
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(
        _("reason for leaving"), max_length=12, choices=codes.LeaveReason.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True, relation__in=["01", "02"]),
                name="one_head_per_household",
                violation_error_message=_("The household already has a head."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(left_on__isnull=True),
                name="person_in_one_household_at_a_time",
                violation_error_message=_("This person already belongs to a household. Move them instead."),
            ),
            models.CheckConstraint(
                condition=Q(exclusion="") | Q(co_living=False),
                name="membership_excluded_not_co_living",
                violation_error_message=_(
                    "A member with a reason for not living together is not counted as co-living."
                ),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_leaves_after_joining",
                violation_error_message=_("A person cannot leave before they joined."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True, leave_reason="")
                | Q(left_on__isnull=False) & ~Q(leave_reason=""),
                name="membership_leave_reason_with_date",
                violation_error_message=_("Give both the date of leaving and the reason."),
            ),
        ]
        indexes = [models.Index(fields=["household", "left_on"], name="membership_household")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.household_id}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class IncomeItem(ChoiceLabels, models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="income_items")
    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("category"), max_length=16, choices=codes.IncomeCategory.choices)
    description = models.CharField(_("description"), max_length=100, blank=True)
    amount = MoneyField(_("amount (yuan)"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    excluded = models.BooleanField(_("not counted"), default=False)
    exclusion_reason = models.CharField(
        _("why not counted"), max_length=24, choices=codes.IncomeExclusion.choices, blank=True
    )
    deduction_kind = models.CharField(
        _("deduction"), max_length=16, choices=codes.Deduction.choices, blank=True
    )
    deduction_amount = MoneyField(_("deduction (yuan)"), default=0)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("income item")
        verbose_name_plural = _("income items")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="income_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(deduction_amount__gte=0),
                name="income_deduction_not_negative",
                violation_error_message=_("The deduction cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="income_period_ordered",
                violation_error_message=_("The period ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(excluded=False, exclusion_reason="") | Q(excluded=True) & ~Q(exclusion_reason=""),
                name="income_exclusion_has_reason",
                violation_error_message=_("Say why this income is not counted."),
            ),
            models.CheckConstraint(
                condition=Q(deduction_kind="", deduction_amount=0) | ~Q(deduction_kind=""),
                name="income_deduction_has_kind",
                violation_error_message=_("Say what the deduction is for."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"


class AssetItem(ChoiceLabels, models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="asset_items")
    person = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asset_type = models.CharField(_("type"), max_length=3, choices=codes.AssetType.choices)
    description = models.CharField(_("description"), max_length=100, blank=True)
    value = MoneyField(_("value (yuan)"))
    area = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    plate_number = models.CharField(_("plate number"), max_length=12, blank=True)
    exempt = models.BooleanField(_("exempt"), default=False)
    exempt_reason = models.CharField(
        _("why exempt"), max_length=24, choices=codes.AssetExemption.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="asset_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(exempt=False, exempt_reason="") | Q(exempt=True) & ~Q(exempt_reason=""),
                name="asset_exemption_has_reason",
                violation_error_message=_("Say why this property is exempt."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_asset_type_display()} {self.value}"


class RigidExpense(ChoiceLabels, models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="expenses")
    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expense_type = models.CharField(_("type"), max_length=16, choices=codes.ExpenseType.choices)
    amount = MoneyField(_("amount (yuan)"))
    incurred_on = models.DateField(_("date"))
    receipt_ref = models.CharField(_("receipt number"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("rigid expense")
        verbose_name_plural = _("rigid expenses")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="expense_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_expense_type_display()} {self.amount}"


class Supporter(ChoiceLabels, models.Model):
    """Someone who owes a member support by law (赡养、抚养、扶养义务人), with what decides whether
    they are able to give it (特困人员认定办法 art. 8): age, income, disability, their own assistance
    and incapacity. Supporters are often not members of the household, nor in the registry."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="supporters")
    person = models.ForeignKey(Person, verbose_name=_("member supported"), on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField(_("supporter's name"), max_length=50)
    relation = models.CharField(_("relation to the member"), max_length=12,
                                choices=codes.SupporterRelation.choices)
    birth_date = models.DateField(_("supporter's date of birth"))
    income_year = MoneyField(_("supporter's income of the last year (yuan)"), default=0)
    disability_category = models.PositiveSmallIntegerField(
        _("disability category"), choices=codes.DisabilityCategory.choices, null=True, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), choices=codes.DisabilityGrade.choices, null=True, blank=True
    )
    assistance = models.CharField(_("supporter's own assistance"), max_length=8, blank=True,
                                  choices=codes.SupporterAssistance.choices)
    incapacity = models.CharField(_("other inability"), max_length=20, blank=True,
                                  choices=codes.SupporterIncapacity.choices)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        ordering = ["person_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(income_year__gte=0), name="supporter_income_not_negative",
                violation_error_message=_("The income cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(disability_category__isnull=True, disability_grade__isnull=True)
                | Q(disability_category__isnull=False, disability_grade__isnull=False),
                name="supporter_disability_category_and_grade_together",
                violation_error_message=_("Give both the disability category and the grade, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="supporter_disability_grade_1_to_4",
                violation_error_message=_("The disability grade is 1 to 4."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"


def document_path(instance: "Document", filename: str) -> str:
    # The stored name is the content hash: no user-chosen path ever reaches the disk.
    return f"households/{instance.household_id}/{instance.sha256}{instance.extension}"


class Document(ChoiceLabels, models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="documents")
    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    material_type = models.CharField(_("material"), max_length=3, choices=codes.MaterialType.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0),
                name="document_not_empty",
                violation_error_message=_("The file is empty."),
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ImportJob(ChoiceLabels, models.Model):
    """One spreadsheet import, run as a background task; the page polls its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="imports/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_households = models.PositiveIntegerField(default=0)
    updated_households = models.PositiveIntegerField(default=0)
    unchanged_households = models.PositiveIntegerField(default=0)
    rejected_households = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    rejected_file = models.FileField(upload_to="imports/", max_length=200, blank=True)
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The returned rows' reasons, for the page: [[row number, reason], …] (the first few hundred).
    returned_reasons = models.JSONField(default=list, blank=True)
    # Who runs it: "host pid start-time" of the worker process, and when it last reported; a job
    # whose worker is gone is marked interrupted (imports.settle_interrupted).
    worker = models.CharField(max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resumed = models.PositiveSmallIntegerField(default=0)  # times the user ran it again after a stop

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def in_progress(self) -> bool:
        """Waiting to start or running: its page keeps polling."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Visit(ChoiceLabels, models.Model):
    """A visit to a household on a phone: why, who went and whom they saw, the checklist answered
    (with the version it answered), the photos (core evidence of "registry.visit"). Each hazard the
    checklist marks becomes a Problem."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"),
                                on_delete=models.PROTECT,
                                related_name="+")
    purpose = models.CharField(_("purpose"), max_length=12, choices=codes.VisitPurpose.choices)
    campaign = models.ForeignKey("core.Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    people_seen = models.ManyToManyField(Person, verbose_name=_("people seen"), blank=True, related_name="+")
    checklist = models.ForeignKey("core.ChecklistTemplate", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    score = models.PositiveIntegerField(_("risk score"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The form's one-time key: the same visit sent twice (a double tap, a resent form) is stored once.
    submission = models.UUIDField(unique=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["household", "visited_at"], name="visit_household_time")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_at:%Y-%m-%d}"


class Problem(ChoiceLabels, models.Model):
    """A hazard or need a visit found: a case of the kernel's "registry.problem" workflow (owner,
    deadline, escalation, closed only with a photo of the fix)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="problems")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="problems")
    category = models.CharField(_("category"), max_length=12, choices=codes.ProblemCategory.choices)
    item = models.CharField(max_length=60)
    description = models.CharField(_("description"), max_length=300)
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="problem_once_per_visit_item"),
        ]

    def __str__(self) -> str:
        return self.description


class VisitRule(ChoiceLabels, models.Model):
    """How often a group of households is visited (registry.visits.rules names the groups): a rules
    table the city bureau edits, not code."""

    group = models.CharField(_("group"), max_length=40, unique=True)
    every_days = models.PositiveSmallIntegerField(_("every (days)"), null=True, blank=True)
    # After a cold-wave warning for the county starts: visited within this many hours.
    cold_wave_hours = models.PositiveSmallIntegerField(_("within hours of a cold wave"), null=True,
                                                       blank=True)
    active = models.BooleanField(_("in force"), default=True)
    # A household never visited falls due this long after the rule came into force (or after its
    # registration, if later): a new rule does not make every household overdue at once.
    in_force_since = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["group"]
        constraints = [
            models.CheckConstraint(condition=Q(every_days__isnull=True) | Q(every_days__gte=1,
                                                                            every_days__lte=366),
                                   name="visit_rule_days_range"),
            models.CheckConstraint(condition=Q(cold_wave_hours__isnull=True)
                                   | Q(cold_wave_hours__gte=1, cold_wave_hours__lte=240),
                                   name="visit_rule_hours_range"),
        ]

    def __str__(self) -> str:
        return self.group
