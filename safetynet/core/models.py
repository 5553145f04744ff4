"""Areas (the division tree), accounts bound to an area, the audit trail and API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

from safetynet.core.choices import ChoiceLabels


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village / community")


# The code length of each level: the code prefix is the path through the tree.
LEVEL_CODE_LENGTH = {
    DivisionLevel.PROVINCE: 2,
    DivisionLevel.CITY: 4,
    DivisionLevel.COUNTY: 6,
    DivisionLevel.TOWNSHIP: 9,
    DivisionLevel.VILLAGE: 12,
}


class UrbanRural(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class Division(ChoiceLabels, models.Model):
    """One administrative division. Subtree queries are prefix queries on `code`."""

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("division name"), max_length=64)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Functional zones (高新区, 经开区 …) that a city treats separately for benefit standards.
    service_zone = models.CharField(_("service zone"), max_length=32, blank=True)
    urban_rural_default = models.CharField(
        _("urban or rural"), max_length=5, choices=UrbanRural.choices, blank=True
    )
    # Codes no longer in force stay known: ID numbers keep the address code of their first issue.
    abolished = models.BooleanField(_("abolished"), default=False)
    in_force_until = models.PositiveSmallIntegerField(_("in force until (year)"), null=True, blank=True)

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=In(Length("code"), [2, 4, 6, 9, 12]),
                name="division_code_is_2_4_6_9_or_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_village(self) -> bool:
        return self.level == DivisionLevel.VILLAGE


class Role(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("City civil-affairs bureau")
    COUNTY_BUREAU = "county_bureau", _("County civil-affairs bureau")
    TOWNSHIP_OFFICE = "township_office", _("Township office")
    VILLAGE_COORDINATOR = "village_coordinator", _("Village social-assistance coordinator")
    GRID_WORKER = "grid_worker", _("Grid worker")
    RESCUE_STATION = "rescue_station", _("Rescue station staff")
    INSTITUTION_STAFF = "institution_staff", _("Institution staff")
    INSPECTOR = "inspector", _("Third-party inspector")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    OPERATOR = "operator", _("System operator")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")
    CAREGIVER = "caregiver", _("Caregiver")


# Which division level each role is bound to. Station, institution and contract bindings come
# with their own apps; until then those roles are bound to the division they serve.
ROLE_LEVELS = {
    Role.CITY_BUREAU: {DivisionLevel.CITY},
    Role.COUNTY_BUREAU: {DivisionLevel.COUNTY},
    Role.TOWNSHIP_OFFICE: {DivisionLevel.TOWNSHIP},
    Role.VILLAGE_COORDINATOR: {DivisionLevel.VILLAGE},
    Role.GRID_WORKER: {DivisionLevel.VILLAGE},
    Role.RESCUE_STATION: {DivisionLevel.CITY, DivisionLevel.COUNTY},
    Role.INSTITUTION_STAFF: {DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP},
    Role.INSPECTOR: {DivisionLevel.CITY, DivisionLevel.COUNTY},
    Role.SERVICE_PROVIDER: {DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP},
    # The operator runs the system for the whole city; it sees no personal data.
    Role.OPERATOR: {DivisionLevel.CITY},
    Role.FINANCE_OFFICER: {DivisionLevel.CITY, DivisionLevel.COUNTY},
    Role.AUDITOR: {DivisionLevel.CITY, DivisionLevel.COUNTY},
    # A person or an organisation's worker caring for people of a county, township or village.
    Role.CAREGIVER: {DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE},
}

# Which roles' accounts a role may create and manage (user administration), always inside its own
# area. Nobody manages a role of its own rank or above: a county bureau manages the staff of its
# county below it; the city bureau those, the county bureaus and finance officers (appointed by the
# city, not by the county they pay for). City bureau logins and auditors are made at the console
# (`safetynet user create`): whoever resets an account learns its one-time password, so a city
# login managing another could act as its own checker, and the audited would manage their auditor.
# The operator runs the system and manages only operator accounts: it cannot make itself an
# account that sees personal data.
COUNTY_MANAGED_ROLES = frozenset({
    Role.TOWNSHIP_OFFICE, Role.VILLAGE_COORDINATOR, Role.GRID_WORKER, Role.CAREGIVER,
    Role.SERVICE_PROVIDER, Role.INSTITUTION_STAFF, Role.INSPECTOR, Role.RESCUE_STATION,
})
MANAGED_ROLES: dict[str, frozenset] = {
    Role.COUNTY_BUREAU: COUNTY_MANAGED_ROLES,
    Role.CITY_BUREAU: COUNTY_MANAGED_ROLES | {Role.COUNTY_BUREAU, Role.FINANCE_OFFICER},
    Role.OPERATOR: frozenset({Role.OPERATOR}),
}


class User(ChoiceLabels, AbstractUser):
    """A member of staff. Everything they read or write lies in their division's subtree."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set when someone else gave the password (a new account, a reset): the user must choose their
    # own before any page opens (core.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Raised by every change made through user administration: two administrators editing one
    # account at once, the second is told (core.services.ConflictError).
    version = models.PositiveIntegerField(default=1)

    REQUIRED_FIELDS = ["email", "role", "division"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ChangeRecord(ChoiceLabels, models.Model):
    """One change to one record, attributable: who, when, what it was before and after.

    `subject` is the case the change belongs to (a household's timeline shows every change whose
    subject is that household); `entity` is the record that changed.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=32)
    subject_id = models.BigIntegerField()
    entity_type = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The typed part (core.audit): the entity's app and the event its app declared for the change.
    app_label = models.CharField(max_length=32, default="")
    event = models.CharField(max_length=64, default="")
    # When the fact took effect, where that is not when it was recorded (a member who left last
    # month, recorded today); figures for a month count facts by this, and are reproducible by
    # `at`: what was known then. A correction is a new record naming the one it corrects.
    effective_at = models.DateTimeField(_("took effect"), null=True, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"], name="change_subject_time"),
            # A record's own history (the names a timeline shows as they were, a member's joining
            # and leaving): without it, one household page read the whole history table.
            models.Index(fields=["entity_type", "entity_id", "at"], name="change_entity_time"),
            models.Index(fields=["app_label", "event", "at"], name="change_event_time"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class UnmaskLog(ChoiceLabels, models.Model):
    """Every time a full ID number or phone number was shown to someone."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=32)
    subject_id = models.BigIntegerField()
    fields = models.CharField(max_length=100)
    channel = models.CharField(max_length=10)  # page, api, export

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="unmask_subject")]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.subject_type} {self.subject_id} {self.at:%Y-%m-%d %H:%M}"


class IdentifierLookup(ChoiceLabels, models.Model):
    """A whole ID or phone number checked against the registry by someone who does not see such
    numbers whole: a search by it, or a form refusing it as already registered. Each answer tells
    whether somebody holds the number, so each is logged as a possible disclosure and counts towards
    the user's limit (core.services.identifier_lookup_start). A lookup refused past the limit, and a
    number found registered outside the user's area, are what the county bureau is shown."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Being checked")
        FOUND = "found", _("Found")
        NOT_FOUND = "not_found", _("No one found")
        ELSEWHERE = "elsewhere", _("Registered outside the user's area")
        REFUSED = "refused", _("Refused: the limit was reached")
        CREATED = "created", _("Registered as a new person")
        # A number no one holds, showing the same visible digits as someone the user sees masked:
        # as likely a guess at that person's hidden digits as a new person (counted like a search).
        RESEMBLES = "resembles", _("No one holds it, but it looks like the number of a person the user sees")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The user's division at the time: whose county bureau is told, even if the user moves later.
    area = models.CharField(max_length=12)
    kind = models.CharField(max_length=16)  # id_number, phone
    shown = models.CharField(max_length=40)  # the number masked: what the user sees of it anyway
    channel = models.CharField(max_length=10)  # page, api, form
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    matches = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["actor", "at"], name="lookup_actor_time"),
            models.Index(fields=["area", "at"], name="lookup_area_time"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.kind} {self.shown} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(ChoiceLabels, models.Model):
    """A bearer token for /api/v1. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("token name"), max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Grant(ChoiceLabels, models.Model):
    """A user may see one particular record outside the area rule: a service provider the persons of
    its contracts, an inspector its assigned institutions, institution staff their institution.

    `kind` names what is granted, as the granting app declared it (core.grants.register_grant_kind:
    "registry.person" is a registry Person); `object_id` is that record's id. A grant is never
    deleted: revoking it sets `revoked_at`, and the history of who granted what stays. At most one
    grant of a record to a user is in force at a time.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted to"), on_delete=models.PROTECT,
                             related_name="grants")
    kind = models.CharField(_("kind of record"), max_length=40)
    object_id = models.BigIntegerField(_("record"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"],
                                    condition=models.Q(revoked_at__isnull=True), name="grant_one_in_force"),
            models.CheckConstraint(
                condition=(models.Q(revoked_at__isnull=True)
                           | models.Q(revoked_at__gte=models.F("granted_at"))),
                name="grant_revoked_after_granted"),
        ]
        # Who may see a record (the record's page lists its grants): the constraint's index serves
        # "what is granted to this user".
        indexes = [models.Index(fields=["kind", "object_id"], name="grant_object")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.object_id}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class CalendarYear(ChoiceLabels, models.Model):
    """A year of the official calendar as entered: its holidays and adjusted working days are its
    CalendarDays. Past the last year entered, Monday to Friday count as working days and every
    deadline computed there is provisional (core.workdays)."""

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar package")
        FILE = "file", _("State Council schedule file")
        PAGE = "page", _("entered on the page")

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("year"))
    source = models.CharField(max_length=20, choices=Source.choices, verbose_name=_("source"))
    entered_at = models.DateTimeField(verbose_name=_("entered at"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by"))

    class Meta:
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year__gte=1990, year__lte=2100),
                                   name="calendar_year_range"),
        ]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(ChoiceLabels, models.Model):
    """A day the official calendar sets apart from the week: a holiday (休) or an adjusted working
    day on a weekend (班, 调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday (休)")
        WORKDAY = "workday", _("adjusted working day (班)")

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(unique=True, verbose_name=_("date"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    name = models.CharField(max_length=40, blank=True, verbose_name=_("name"))

    class Meta:
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["holiday", "workday"]),
                                   name="calendar_day_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}"


class RecurringJobRun(ChoiceLabels, models.Model):
    """One run of a recurring job (core.jobs) for one due time. The unique key is what makes a job
    run once per due time however many scheduler processes look: the first to insert the row runs it."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    job = models.CharField(max_length=80, verbose_name=_("job"))
    due_at = models.DateTimeField(verbose_name=_("due at"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING,
                               verbose_name=_("outcome"))
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    worker = models.CharField(max_length=120, blank=True, verbose_name=_("worker"))

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="recurring_job_once_per_due_time"),
            models.CheckConstraint(condition=models.Q(outcome__in=["running", "done", "failed"]),
                                   name="recurring_job_outcome"),
        ]
        indexes = [models.Index(fields=["job", "-due_at"], name="recurring_job_latest")]

    def __str__(self) -> str:
        return f"{self.job} {self.due_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class WeatherWarning(ChoiceLabels, models.Model):
    """A cold wave or a temperature below a threshold, for one county and a period: entered by the
    bureau or read from the meteorological feed file. The work that must react (visits to the
    high-risk households now; care and rescue later) reads the warnings in force from here."""

    class Kind(models.TextChoices):
        COLD_WAVE = "cold_wave", _("cold wave warning (寒潮预警)")
        LOW_TEMPERATURE = "low_temperature", _("low temperature (低温)")

    class Level(models.TextChoices):
        NONE = "", _("no colour")
        BLUE = "blue", _("blue")
        YELLOW = "yellow", _("yellow")
        ORANGE = "orange", _("orange")
        RED = "red", _("red")

    class Source(models.TextChoices):
        ENTERED = "entered", _("entered by staff")
        FEED = "feed", _("meteorological feed file")

    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    level = models.CharField(max_length=10, choices=Level.choices, blank=True, default="",
                             verbose_name=_("level"))
    lowest_temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True,
                                             verbose_name=_("lowest temperature (°C)"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    source = models.CharField(max_length=10, choices=Source.choices, verbose_name=_("source"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(verbose_name=_("entered at"))
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("withdrawn at"))

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="weather_warning_ends_after_start"),
            models.CheckConstraint(condition=models.Q(kind__in=["cold_wave", "low_temperature"]),
                                   name="weather_warning_kind"),
            models.CheckConstraint(
                condition=models.Q(lowest_temperature__isnull=True)
                | models.Q(lowest_temperature__gte=-60, lowest_temperature__lte=40),
                name="weather_warning_temperature_range"),
        ]
        indexes = [models.Index(fields=["county", "ends_at"], name="weather_warning_county_end")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


class Campaign(ChoiceLabels, models.Model):
    """A named drive over an area and a period (the 遍访 visiting campaign, 寒冬送温暖, the 100-day
    safety campaign), with targets per county. Later apps attach their work to one and measure
    their progress against its targets (core.campaigns)."""

    class Kind(models.TextChoices):
        VISITING = "visiting", _("visiting campaign (遍访)")
        WINTER = "winter", _("winter warmth action (寒冬送温暖)")
        SAFETY = "safety", _("safety campaign (一老一小)")
        OTHER = "other", _("other drive")

    name = models.CharField(max_length=100, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="campaign_ends_after_start"),
            models.CheckConstraint(condition=models.Q(kind__in=["visiting", "winter", "safety", "other"]),
                                   name="campaign_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignTarget(ChoiceLabels, models.Model):
    """How much of a measure (one an app registered, e.g. households visited) a county is to reach."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    measure = models.CharField(max_length=60, verbose_name=_("measure"))
    target = models.PositiveIntegerField(verbose_name=_("target"))

    class Meta:
        ordering = ["county_id", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "county", "measure"], name="campaign_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.county_id} {self.measure} {self.target}"


class RetentionRule(ChoiceLabels, models.Model):
    """How long one kind of record or file is kept, when the operator set it otherwise than its
    app's default (core.retention)."""

    kind = models.CharField(max_length=60, unique=True, verbose_name=_("kind"))
    keep_days = models.PositiveIntegerField(verbose_name=_("days kept"))
    changed_at = models.DateTimeField(verbose_name=_("changed at"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("changed by"))

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(condition=models.Q(keep_days__gte=1, keep_days__lte=36500),
                                   name="retention_days_range"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.keep_days}"


class Case(ChoiceLabels, models.Model):
    """One piece of casework moving through a workflow table (core.workflows): a problem found on a
    visit, an application, an alert, a hazard. The app owning the case type keeps its own record
    (the problem, the application) pointing here; the kernel keeps where the case stands, who must
    act, by when, and how it got there (CaseEvent). The work desk and the overdue sweep read this
    table alone, whichever app the case belongs to."""

    class Level(models.TextChoices):
        VILLAGE = "village", _("village / community")
        TOWNSHIP = "township", _("township")
        COUNTY = "county", _("county")
        CITY = "city", _("city")

    workflow = models.CharField(max_length=40, verbose_name=_("kind of case"))
    state = models.CharField(max_length=40, verbose_name=_("state"))
    version = models.PositiveIntegerField(default=1)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    # The app's record the case is about ("registry.problem", 17): its page is the case's page.
    subject_kind = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    opened_at = models.DateTimeField(verbose_name=_("opened at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("opened by"))
    # When each state was last entered (state code → ISO time): limits count from one of them.
    entered = models.JSONField(default=dict)
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("due"))
    due_provisional = models.BooleanField(default=False, verbose_name=_("provisional deadline"))
    overdue_since = models.DateTimeField(null=True, blank=True, verbose_name=_("overdue since"))
    # The level the overdue case was escalated to, and when (the desk of that level shows it).
    escalated_to = models.CharField(max_length=10, choices=Level.choices, blank=True, default="",
                                    verbose_name=_("escalated to"))
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("escalated at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    # Units added to the workflow's extendable limits (a statute's 30 working days become 45 "with a
    # recorded reason"): each extension is a CaseEvent with its reason.
    extension = models.PositiveSmallIntegerField(default=0, verbose_name=_("time limit extended by"))

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_id"], name="case_one_per_subject"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="case_version_positive"),
            models.CheckConstraint(condition=models.Q(escalated_to__in=["", "village", "township", "county",
                                                                        "city"]),
                                   name="case_escalated_to_level"),
        ]
        indexes = [
            models.Index(fields=["closed_at", "due_at"], name="case_open_due"),
            models.Index(fields=["division", "closed_at"], name="case_area_open"),
        ]

    def __str__(self) -> str:
        return f"{self.workflow}#{self.pk} {self.state}"


class CaseEvent(ChoiceLabels, models.Model):
    """One step of a case, never changed afterwards: opened, moved by a transition, escalated, or
    its deadline reckoned again when the calendar changed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        MOVED = "moved", _("moved")
        ESCALATED = "escalated", _("escalated")
        RECKONED = "reckoned", _("deadline reckoned again")
        EXTENDED = "extended", _("time limit extended")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(verbose_name=_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    transition = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason"))
    # What the step required and was given: evidence ids by kind; the deadline it set.
    evidence = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["opened", "moved", "escalated", "reckoned",
                                                                "extended"]),
                                   name="case_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_state}→{self.to_state}"


class Notice(ChoiceLabels, models.Model):
    """A message in one user's inbox: a case escalated to them, say. The words are made when the
    notice is read (kind + params), in the reader's language."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(db_index=True, verbose_name=_("time"))
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    # When an open page of the user's first received it (core.live): a text message kept back for
    # that (core.sms, a kind with `sms_unless_seen`) is then not sent.
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("shown on an open page at"))

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The stored name is the content hash: no user-chosen path ever reaches the disk.
    kind = instance.subject_kind.replace(".", "-")
    return f"evidence/{kind}/{instance.subject_id}/{instance.sha256}{instance.extension}"


class Evidence(ChoiceLabels, models.Model):
    """A file that shows something happened — a photo of a hazard or of its repair, a signature, a
    signed PDF — attached to any record (a visit, a problem, later an inspection or a stay),
    content-checked, kept with its digest; when a case's step required it, tied to that step."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        SIGNATURE = "signature", _("signature")
        PDF = "pdf", _("PDF document")

    # The record it belongs to ("registry.visit", 12), and the area that record lives in (scope).
    subject_kind = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200, verbose_name=_("file name"))
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    # Read from the photo's EXIF when it carries them: when and where it was taken.
    taken_at = models.DateTimeField(null=True, blank=True, verbose_name=_("taken at"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(verbose_name=_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["photo", "signature", "pdf"]),
                                   name="evidence_kind"),
            models.UniqueConstraint(fields=["subject_kind", "subject_id", "sha256"],
                                    name="evidence_once_per_record"),
        ]
        indexes = [models.Index(fields=["subject_kind", "subject_id"], name="evidence_subject")]

    def __str__(self) -> str:
        return f"{self.subject_kind}#{self.subject_id} {self.kind} {self.original_name}"


class ChecklistTemplate(ChoiceLabels, models.Model):
    """One version of a checklist (core.checklists): its items with their conditions, the answers
    that are hazards or need a photo, and their scores. A new version never changes the answers
    recorded against an old one."""

    code = models.CharField(max_length=60, verbose_name=_("checklist"))
    version = models.PositiveIntegerField(verbose_name=_("version"))
    title = models.CharField(max_length=100, verbose_name=_("title"))
    items = models.JSONField()
    published_at = models.DateTimeField(verbose_name=_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("published by"))

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_version_once"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="checklist_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


def generated_document_path(instance: "GeneratedDocument", filename: str) -> str:
    kind = instance.subject_kind.replace(".", "-")
    return f"documents/{kind}/{instance.subject_id}/{filename}"


class GeneratedDocument(ChoiceLabels, models.Model):
    """A document the system produced for a record (a visit record, a notice), kept as handed out,
    with its digest (core.documents)."""

    subject_kind = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    fmt = models.CharField(max_length=4, verbose_name=_("format"))
    name = models.CharField(max_length=150, verbose_name=_("file name"))
    file = models.FileField(upload_to=generated_document_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("generated by"))
    generated_at = models.DateTimeField(verbose_name=_("generated at"))

    class Meta:
        ordering = ["-generated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(fmt__in=["docx", "pdf"]),
                                   name="generated_document_format"),
        ]
        indexes = [models.Index(fields=["subject_kind", "subject_id"], name="generated_document_subject")]

    def __str__(self) -> str:
        return self.name


class LiveSignal(ChoiceLabels, models.Model):
    """"Something changed for these pages": a notice for a user (topic `u<user id>`) or casework in
    an area (`d<division code>`: the work desks over it). Written in the same transaction as the
    change, so a signal exists exactly when the change does; each web process reads the new ones
    (woken by PostgreSQL's NOTIFY, or polling on SQLite) and wakes the streams they concern.
    Kept minutes, not days (core.live_prune)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    topic = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.pk} {self.topic}"


class SmsRule(ChoiceLabels, models.Model):
    """Which notices also go out as a text message: per kind of notice and role of the receiver."""

    kind = models.CharField(_("kind of notice"), max_length=40)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "role"], name="sms_rule_once")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.role}"


class SmsMessage(ChoiceLabels, models.Model):
    """A text message sent, or tried, through the configured gateway (core.sms)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        NO_PHONE = "no_phone", _("no phone number")
        SEEN = "seen", _("not sent: seen on an open page")

    at = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("to"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    text = models.CharField(_("text"), max_length=500)
    notice = models.OneToOneField(Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set for a notice that goes by SMS only when no open page showed it: not sent before this time,
    # and not at all if a page showed the notice by then.
    due_at = models.DateTimeField(_("send after"), null=True, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["status", "at"], name="sms_status_at")]

    def __str__(self) -> str:
        return f"{self.phone} {self.at:%Y-%m-%d %H:%M}"
