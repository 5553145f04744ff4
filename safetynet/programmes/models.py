from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.choices import ChoiceLabels
from safetynet.core.types import Division, UrbanRural
from safetynet.programmes.rules import PROGRAMME_NAMES
from safetynet.programmes.standards import KINDS


def plain_number(value) -> str:
    return format(value.normalize(), "f")


class Standard(ChoiceLabels, models.Model):
    """One dated value of a standard (programmes.standards.KINDS): for the whole city, or for one
    county where it differs, for urban or rural residents where the kind distinguishes them.

    A value holds from `valid_from` until the next approved value of the same kind for the same
    place and residence begins, so two values never overlap and none has an end to keep in step.
    The value that applies to a county on a day is the latest approved one begun by then, of the
    county or the city; at the same start the county's own wins. A value is scheduled by one
    officer and approved by another (maker-checker); approved values are never changed or removed:
    a correction is a new value from a later day."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    class Source(models.TextChoices):
        OFFICIAL = "official", _("official (published)")
        SYNTHETIC = "synthetic", _("synthetic (demo)")
        BUREAU = "bureau", _("set by the bureau")

    kind = models.CharField(_("standard"), max_length=32)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    urban_rural = models.CharField(_("urban or rural"), max_length=5, choices=UrbanRural.choices, blank=True)
    valid_from = models.DateField(_("valid from"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.BUREAU)
    note = models.CharField(_("note"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("approved or rejected by"))
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "division_id", "urban_rural", "valid_from"]
        constraints = [
            # One approved value per kind, place, residence and day: the dates cannot overlap.
            models.UniqueConstraint(fields=["kind", "division", "urban_rural", "valid_from"],
                                    condition=Q(status="approved"), name="standard_one_value_a_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="standard_value_not_negative"),
            # Maker-checker: whoever approves did not propose.
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | Q(proposed_by__isnull=True)
                                   | ~Q(decided_by=models.F("proposed_by")), name="standard_four_eyes"),
        ]
        indexes = [models.Index(fields=["kind", "status", "valid_from"], name="standard_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} {self.division_id} {self.urban_rural} {self.valid_from}: {self.value}"

    @property
    def value_text(self) -> str:
        """The value without trailing zeros, never in exponent form (800, not 8E+2)."""
        return plain_number(self.value)

    @property
    def kind_label(self):
        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind


class EligibilityRun(models.Model):
    """One run of the rules over an area as of a day: what it used and what it found. Its results
    stay as they were when the standards or the registry change later."""

    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    as_of = models.DateField(_("as of"))
    rules = models.JSONField(_("rule versions"), default=dict)  # programme → version
    standards = models.JSONField(_("standards used"), default=list)  # [{kind, county, residence, id, value}]
    households = models.PositiveIntegerField(_("households"), default=0)
    counts = models.JSONField(_("households qualifying"), default=dict)  # programme → count
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started at"))

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.area_id} {self.as_of} #{self.pk}"


class EligibilityResult(models.Model):
    """A household of a run that qualified for a programme, or that received it without qualifying,
    with the amount the rule gives and whether it was enrolled on the run's day. For a programme
    decided per member (特困) a household can be both: one member qualifies and receives it, another
    receives it and no longer qualifies (`no_longer`)."""

    run = models.ForeignKey(EligibilityRun, on_delete=models.CASCADE, related_name="results")
    household_id = models.BigIntegerField()  # the registry's household (no foreign key: runs outlive edits)
    village_id = models.CharField(max_length=12)
    programme = models.CharField(max_length=16)
    qualifies = models.BooleanField(default=True)
    enrolled = models.BooleanField(default=False)
    no_longer = models.BooleanField(default=False)  # receives it (or a member does) without qualifying
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "programme", "village_id"], name="eligibility_by_place")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.programme} {self.household_id}"


class Enrolment(models.Model):
    """A household (or, for the programmes decided per person, one of its members) receiving a
    programme from a day, at the monthly amount its decision fixed — until the day it ends. The
    amount is decided once here; payments read it and never recompute it."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person"))
    programme = models.CharField(_("programme"), max_length=16, choices=list(PROGRAMME_NAMES.items()))
    amount = models.DecimalField(_("monthly amount (yuan)"), max_digits=12, decimal_places=2)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    decision = models.CharField(_("decision number"), max_length=60, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    # The county that decided it and pays it: the household's when it began. A household handed over
    # to another county keeps this one's months here and continues in a new enrolment there.
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    # The enrolment this one continues (a changed amount, a new standard, a transfer): its history.
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="successor", verbose_name=_("continues"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["household", "programme"],
                                    condition=Q(until__isnull=True, person__isnull=True),
                                    name="enrolment_one_open_per_programme"),
            # A programme decided per person (特困): each member once, several in one household.
            models.UniqueConstraint(fields=["person", "programme"],
                                    condition=Q(until__isnull=True, person__isnull=False),
                                    name="enrolment_one_open_per_person"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="enrolment_amount_not_negative"),
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gt=models.F("since")),
                                   name="enrolment_ends_after_it_starts"),
        ]
        indexes = [models.Index(fields=["household", "programme", "since"], name="enrolment_of_household"),
                   models.Index(fields=["programme", "since"], name="enrolment_by_programme")]

    def __str__(self) -> str:
        return f"{self.programme} {self.household_id} {self.since}–{self.until or ''}"

    def save(self, *args, **kwargs):
        if self.county_id is None:  # decided by the household's county, where it is when it begins
            self.county_id = self.household.village_id[:6]
        super().save(*args, **kwargs)


# --- applications ------------------------------------------------------------------------------------

APPLIED_PROGRAMMES = ("dibao", "edge", "tekun", "rigid")


class Application(ChoiceLabels, models.Model):
    """A household's request for a programme (for 特困, one member's), and everything recorded on
    its way to a decision: a case of the kernel (programmes.applications.workflow) whose table
    holds the statutory steps and deadlines; the records each step needs are kept here.

    The decision freezes the rule's explanation as it stood and fixes the amount and the first
    month; the enrolment it starts is the one payments read."""

    class Channel(models.TextChoices):
        HOUSEHOLD = "household", _("by the household")
        PROXY = "proxy", _("by a proxy")
        FOUND = "found", _("found by staff (policy finds people)")

    class Decision(models.TextChoices):
        NONE = "", _("not decided")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    # Who applies: the member who signs (for 特困, the member it is for).
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("applicant"))
    programme = models.CharField(_("programme"), max_length=16,
                                 choices=[(code, PROGRAMME_NAMES[code]) for code in APPLIED_PROGRAMMES])
    channel = models.CharField(_("how it came"), max_length=10, choices=Channel.choices)
    proxy = models.CharField(_("proxy"), max_length=60, blank=True)
    found_by_run = models.ForeignKey(EligibilityRun, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("found by the run"))
    # Set in the step that makes the application (the case names it, so it is made second).
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("village"))
    # Art. 11: a member is a near relative of a case worker or committee member (names of those staff).
    near_relative_of = models.JSONField(_("near relative of"), default=list, blank=True)
    missing_materials = models.CharField(_("materials missing"), max_length=500, blank=True)
    # The investigation (art. 16): at least two investigators, what they did and found.
    investigators = models.JSONField(_("investigators"), default=list, blank=True)
    investigation_methods = models.JSONField(_("methods"), default=list, blank=True)
    findings = models.CharField(_("findings"), max_length=1000, blank=True)
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)
    # The data match (art. 17): filled by hand now, from the departments' data later.
    match_results = models.JSONField(_("data match results"), default=dict, blank=True)
    match_passes = models.BooleanField(_("data match passes"), null=True, blank=True)
    match_filled_at = models.DateTimeField(_("data match filled at"), null=True, blank=True)
    match_filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    opinion = models.CharField(_("township opinion"), max_length=500, blank=True)
    notice_from = models.DateField(_("public notice from"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    # 特困 (art. 16): the county spot-checks at least 30 % of the files it reviews.
    reviewed_at = models.DateTimeField(_("sent to the county at"), null=True, blank=True)
    spot_check = models.BooleanField(_("chosen for a spot-check"), default=False)
    spot_checked = models.CharField(_("spot-check finding"), max_length=500, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True,
                                default="")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    reasons = models.CharField(_("reasons"), max_length=500, blank=True)
    explanation = models.JSONField(_("the rule's explanation at the decision"), default=dict, blank=True)
    # Proposed with the township's opinion (shown on the notice), fixed by the decision.
    amount = models.DecimalField(_("monthly amount (yuan)"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    benefit_from = models.DateField(_("benefit from"), null=True, blank=True)
    enrolment = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("applied at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="application_amount_not_negative"),
            models.CheckConstraint(condition=Q(decision="") | Q(decided_at__isnull=False),
                                   name="application_decision_dated"),
        ]
        indexes = [models.Index(fields=["village", "programme"], name="application_by_village"),
                   models.Index(fields=["household", "programme"], name="application_of_household")]

    def __str__(self) -> str:
        return f"{self.programme} {self.household_id} #{self.pk}"


class Objection(models.Model):
    """An objection to a public notice (art. 19): who raised it, what it says, how it was settled."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    received_at = models.DateTimeField(_("received at"))
    raised_by = models.CharField(_("raised by"), max_length=60, blank=True)  # may be anonymous
    text = models.CharField(_("objection"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    settled = models.CharField(_("how it was settled"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.received_at:%Y-%m-%d}"


class Appeal(ChoiceLabels, models.Model):
    """An administrative reconsideration (行政复议) or lawsuit (行政诉讼) against a decision, and
    its outcome: upheld, or re-decided — a rejection turned into an approval pays the months owed
    from the month the first decision would have started."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", _("administrative reconsideration")
        LAWSUIT = "lawsuit", _("administrative lawsuit")

    class Outcome(models.TextChoices):
        PENDING = "", _("pending")
        UPHELD = "upheld", _("decision upheld")
        REDECIDED = "redecided", _("re-decided")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    filed_on = models.DateField(_("filed on"))
    body = models.CharField(_("decided by"), max_length=100)  # the reviewing government or the court
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True, default="")
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    arrears = models.DecimalField(_("arrears (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    arrears_months = models.PositiveSmallIntegerField(_("months owed"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome_on__isnull=False),
                                   name="appeal_outcome_dated"),
            models.CheckConstraint(condition=Q(arrears__isnull=True) | Q(arrears__gte=0),
                                   name="appeal_arrears_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.application_id} {self.filed_on}"


class NearRelative(models.Model):
    """A member of staff's declared near relative (art. 11 备案): an application whose household holds
    one is flagged, registered separately and visited by the county before approval."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("staff member"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("relative"))
    relation = models.CharField(_("relation"), max_length=30)
    declared_at = models.DateTimeField(_("declared at"))

    class Meta:
        verbose_name = _("near relative of staff")
        verbose_name_plural = _("near relatives of staff")
        constraints = [models.UniqueConstraint(fields=["staff", "person"], name="near_relative_once")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.person_id} {self.relation}"


class SelfCareAssessment(models.Model):
    """The six-item self-care assessment (特困认定办法 arts. 20–23): each item the person cannot do;
    k of six lost sets the care tier (0 able, 1–3 partly lost, 4 or more fully lost). The one place
    the tier is set: it is written to the person in the same step."""

    ITEMS = ("eating", "dressing", "bed", "toilet", "walking", "bathing")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    cannot = models.JSONField(_("items the person cannot do"), default=list)
    lost = models.PositiveSmallIntegerField(_("items lost"))
    level = models.PositiveSmallIntegerField(_("self-care ability"))
    previous_level = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(_("why assessed"), max_length=200, blank=True)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assessed by"))

    class Meta:
        verbose_name = _("self-care assessment")
        verbose_name_plural = _("self-care assessments")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(lost__lte=6), name="self_care_at_most_six"),
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="self_care_level_known"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.assessed_on} {self.lost}/6"


class SelfCareReport(models.Model):
    """A reported change of a 特困 person's self-care ability (art. 23): a case of its own, on the
    county's desk until the person is re-assessed, within 10 working days of the report."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    what = models.CharField(_("what changed"), max_length=300)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reported by"))
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(SelfCareAssessment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("reported change of self-care ability")
        verbose_name_plural = _("reported changes of self-care ability")
        ordering = ["-reported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.reported_at:%Y-%m-%d}"


class Complaint(ChoiceLabels, models.Model):
    """A real-name report (实名举报, art. 37) or a complaint to the 12349 hotline about social assistance:
    a case with its deadline, checked by the township, answered in writing by the county."""

    class Kind(models.TextChoices):
        REAL_NAME = "real_name", _("real-name report")
        HOTLINE = "hotline", _("12349 hotline complaint")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("received by"))
    complainant = models.CharField(_("complainant"), max_length=60)
    contact = models.CharField(_("contact phone"), max_length=20, blank=True)
    # The household it is about, when it names a registered one; the area answering it otherwise.
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("household"))
    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    text = models.CharField(_("what it says"), max_length=1000)
    substantiated = models.BooleanField(_("substantiated"), null=True, blank=True)
    findings = models.CharField(_("findings"), max_length=1000, blank=True)
    answer = models.CharField(_("written answer"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("report or complaint")
        verbose_name_plural = _("reports and complaints")
        ordering = ["-received_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                                              name="complaint_answer_in_writing")]

    def __str__(self) -> str:
        return f"{self.kind} {self.received_at:%Y-%m-%d}"


# --- the life of an enrolment: reviews, decisions, transfers, recoveries ------------------------------


class Review(ChoiceLabels, models.Model):
    """A review of a household's assistance in payment (SPEC §6.4 B): scheduled (stable households
    yearly, unstable or able-bodied every 6 months, 特困 yearly), or started by a change — reported
    by the family, found on a visit, raised by an alert, a member's death (completed within 3 months
    of it), three refusals of suitable work, fraud. A case of the kernel: the township visits, the
    county decides; the outcome is a decision with its notice (EnrolmentDecision)."""

    class Reason(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled review")
        REPORTED = "reported", _("change reported by the family")
        VISIT = "visit", _("change found on a visit")
        ALERT = "alert", _("raised by an alert")
        DEATH = "death", _("a member died")
        WORK = "work", _("work lifted the income")
        REFUSALS = "refusals", _("refused suitable work three times")
        FRAUD = "fraud", _("false information or concealment")
        STANDARD = "standard", _("a standard changed")

    class Outcome(models.TextChoices):
        NONE = "", _("not decided")
        CONTINUE = "continue", _("continue unchanged")
        ADJUST = "adjust", _("adjust the amount")
        SUSPEND = "suspend", _("suspend")
        TERMINATE = "terminate", _("terminate")
        PHASE_OUT = "phase_out", _("phase out")
        REDUCE = "reduce", _("reduce the member's share")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="reviews",
                                  verbose_name=_("enrolment"))
    # The member concerned: who died, who refused work; for 特困, the person receiving it.
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("member concerned"))
    reason = models.CharField(_("why reviewed"), max_length=10, choices=Reason.choices)
    what = models.CharField(_("what changed"), max_length=500, blank=True)
    # The day the review must be completed by (a death: 3 months after it).
    due_on = models.DateField(_("to complete by"))
    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("village"))
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    visitors = models.JSONField(_("visited by"), default=list, blank=True)
    findings = models.CharField(_("findings of the home visit"), max_length=1000, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True, default="")
    new_amount = models.DecimalField(_("new monthly amount (yuan)"), max_digits=12, decimal_places=2,
                                     null=True, blank=True)
    effective = models.DateField(_("from"), null=True, blank=True)
    reasons = models.CharField(_("reasons"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    opened_at = models.DateTimeField(_("opened at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome="") | Q(decided_at__isnull=False),
                                   name="review_outcome_dated"),
            models.CheckConstraint(condition=Q(new_amount__isnull=True) | Q(new_amount__gte=0),
                                   name="review_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["village", "due_on"], name="review_by_village"),
                   models.Index(fields=["enrolment", "opened_at"], name="review_of_enrolment")]

    def __str__(self) -> str:
        return f"{self.reason} {self.household_id} {self.due_on}"


class Transfer(models.Model):
    """A household moving to another county hands its assistance over (SPEC §6.4 B): the sending
    county pays up to and including `last_month`, the receiving one from the month after, so that
    each month is paid by exactly one county. The household moves with the hand-over; the receiving
    county confirms the amount at its own standard."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    from_village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("from"))
    to_village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    # The first day of the first month the receiving county pays.
    first_month = models.DateField(_("paid by the receiving county from"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"))
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("handed over by"))
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("transfer to another county")
        verbose_name_plural = _("transfers to another county")
        ordering = ["-handed_over_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.from_village_id}→{self.to_village_id} {self.first_month}"


class EnrolmentDecision(ChoiceLabels, models.Model):
    """A decision about an enrolment in payment and its written notice (art. 32: a decrease or a stop
    is notified with its reasons): continued, adjusted, suspended, terminated, phased out, a member's
    share reduced, adjusted for a new standard, handed to or taken over from another county. A
    changed amount is never written over: the enrolment ends the day before `effective` and a new
    one (`successor`) begins, so payments read one amount for each month."""

    class Kind(models.TextChoices):
        CONTINUED = "continued", _("continued unchanged")
        ADJUSTED = "adjusted", _("amount adjusted")
        STANDARD = "standard", _("adjusted for a new standard")
        SUSPENDED = "suspended", _("suspended")
        TERMINATED = "terminated", _("terminated")
        PHASE_OUT = "phase_out", _("phase-out")
        REDUCED = "reduced", _("a member's share reduced")
        TRANSFERRED_OUT = "transfer_out", _("handed over to another county")
        TRANSFERRED_IN = "transfer_in", _("taken over from another county")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="decisions",
                                  verbose_name=_("enrolment"))
    successor = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("continued as"))
    kind = models.CharField(_("decision"), max_length=12, choices=Kind.choices)
    effective = models.DateField(_("from"))
    amount_before = models.DecimalField(_("amount before (yuan)"), max_digits=12, decimal_places=2)
    amount_after = models.DecimalField(_("amount after (yuan)"), max_digits=12, decimal_places=2)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="decisions")
    standard = models.ForeignKey(Standard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reasons = models.CharField(_("reasons"), max_length=500)
    # The notice as given, in the official language whatever the page's.
    notice = models.TextField(_("notice"))
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))

    class Meta:
        verbose_name = _("decision on assistance in payment")
        verbose_name_plural = _("decisions on assistance in payment")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_before__gte=0) & Q(amount_after__gte=0),
                                   name="enrolment_decision_amounts_not_negative"),
            # A standard's batch decides each enrolment once.
            models.UniqueConstraint(fields=["enrolment", "standard"], condition=Q(standard__isnull=False),
                                    name="enrolment_decision_once_per_standard"),
        ]
        indexes = [models.Index(fields=["household", "decided_at"], name="decision_of_household")]

    def __str__(self) -> str:
        return f"{self.kind} {self.enrolment_id} {self.effective}"


class RecoveryOrder(models.Model):
    """What was paid without entitlement and is to be recovered (fraud: art. 36 of the 审核确认办法,
    暂行办法 art. 68), months and amount fixed by the decision that found it."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="recoveries")
    overpaid_from = models.DateField(_("paid without entitlement from"))
    overpaid_until = models.DateField(_("until"))  # exclusive: the month it stopped
    amount = models.DecimalField(_("to recover (yuan)"), max_digits=12, decimal_places=2)
    reasons = models.CharField(_("reasons"), max_length=500)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    recovered = models.DecimalField(_("recovered (yuan)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("recovery order")
        verbose_name_plural = _("recovery orders")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(condition=Q(recovered__gte=0) & Q(recovered__lte=models.F("amount")),
                                   name="recovery_within_amount"),
            models.CheckConstraint(condition=Q(overpaid_until__gt=models.F("overpaid_from")),
                                   name="recovery_period_forward"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.amount}"


class StandardAdjustment(models.Model):
    """A run of a standard's batch of adjustment decisions: when it ran, from which month, how many
    enrolments it adjusted and how many it left for a review (those the rule grants at one value and
    not the other). The city bureau may run it as soon as the value is approved, to give the notices
    early; the daily job runs it again on the value's first month for what was decided meanwhile.
    Each run adjusts only what no earlier one did."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="adjustments")
    effective = models.DateField(_("from"))
    adjusted = models.PositiveIntegerField(_("enrolments adjusted"), default=0)
    left_for_review = models.PositiveIntegerField(_("left for a review"), default=0)
    ran_at = models.DateTimeField(_("ran at"))
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("ran by"))
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("adjustment for a new standard")
        verbose_name_plural = _("adjustments for new standards")
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.effective}"


# --- temporary aid ------------------------------------------------------------------------------------

from safetynet.core.money import MoneyField  # noqa: E402  (kept below the heading: only this part is aid's)


class TemporaryAid(ChoiceLabels, models.Model):
    """临时救助 for one person or household: the emergency type (急难型), paid first by the township
    within 24 hours of the report up to its cap and its paperwork completed within 5 days, or the
    expenditure type (支出型), applied for, investigated and decided by the township up to its cap and
    by the county above it. A case of the kernel (programmes.aid.workflow) holds the steps and the
    time limits; its payments (AidPayment) are recorded here as paid.

    The aid belongs where the emergency happened or the application was made (`area`), whatever
    the person's hukou: the person may be registered in another county (`person` then names them,
    and is not moved) or not at all — a traveller is recorded with name, optional ID number, home
    place and phone."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("emergency")
        EXPENDITURE = "expenditure", _("expenditure")

    class Cause(models.TextChoices):
        FIRE = "fire", _("fire")
        TRAFFIC = "traffic", _("traffic accident")
        ACCIDENT = "accident", _("other accident")
        ILLNESS = "illness", _("sudden serious illness")
        HARDSHIP = "hardship", _("other special hardship")
        MEDICAL = "medical", _("medical expenses")
        EDUCATION = "education", _("education expenses")
        LIVING = "living", _("basic living expenses")

    kind = models.CharField(_("kind of temporary aid"), max_length=12, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    # Where it happened (emergency) or where it was applied for (expenditure): a village or township.
    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("where"))
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("household"))
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person"))
    # Who is aided as the report names them (a traveller's only identity; a registered person's name).
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    home_place = models.CharField(_("home place"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    what = models.CharField(_("what happened"), max_length=1000)
    reported_at = models.DateTimeField(_("reported at"))
    # Set by the decision (the township up to its cap, the county above it); payments never exceed it.
    approved_amount = MoneyField(_("approved amount (yuan)"), null=True, blank=True)
    cap = MoneyField(_("township's cap at the time (yuan)"), null=True, blank=True)
    decided_by_county = models.BooleanField(_("decided by the county case by case"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    reasons = models.CharField(_("reasons"), max_length=500, blank=True)
    paid_total = MoneyField(_("paid so far (yuan)"), default=0)
    first_paid_at = models.DateTimeField(_("first paid at"), null=True, blank=True)
    # Expenditure type: the township's investigation.
    investigation = models.CharField(_("investigation findings"), max_length=1000, blank=True)
    explanation = models.JSONField(_("the rule's explanation at the decision"), default=dict, blank=True)
    # Emergency type: the paperwork completed after the first payment (within 5 days).
    paperwork_registrar = models.CharField(_("registered by"), max_length=50, blank=True)
    paperwork_signatories = models.JSONField(_("signed by"), default=list, blank=True)
    paperwork_note = models.CharField(_("paperwork note"), max_length=500, blank=True)
    paperwork_completed_at = models.DateTimeField(_("paperwork completed at"), null=True, blank=True)
    paperwork_late = models.BooleanField(_("paperwork completed late"), default=False)
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("temporary aid")
        verbose_name_plural = _("temporary aid")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                                   name="temporary_aid_amount_not_negative"),
            models.CheckConstraint(condition=Q(cap__isnull=True) | Q(cap__gte=0),
                                   name="temporary_aid_cap_not_negative"),
            # Never paid more than approved, nor anything before a decision.
            models.CheckConstraint(condition=Q(paid_total__gte=0) & (
                Q(paid_total=0) | Q(paid_total__lte=models.F("approved_amount"))),
                name="temporary_aid_paid_within_approved"),
            models.CheckConstraint(condition=~Q(name=""), name="temporary_aid_names_someone"),
            models.CheckConstraint(condition=Q(kind__in=["emergency", "expenditure"]),
                                   name="temporary_aid_kind_known"),
        ]
        indexes = [models.Index(fields=["area", "reported_at"], name="temporary_aid_by_area")]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} #{self.pk}"


class AidPayment(ChoiceLabels, models.Model):
    """One payment of a temporary aid, made and recorded as paid (one approval may pay in stages,
    in cash or in kind): the payments module books these as already paid and never pays them again."""

    class Means(models.TextChoices):
        CASH = "cash", _("cash")
        BANK = "bank", _("bank transfer")
        IN_KIND = "in_kind", _("in kind")

    aid = models.ForeignKey(TemporaryAid, on_delete=models.PROTECT, related_name="payments")
    stage = models.PositiveSmallIntegerField(_("stage"))
    amount = MoneyField(_("amount (yuan)"))
    means = models.CharField(_("how it was paid"), max_length=8, choices=Means.choices)
    # In kind: what was given (quilts, food) at the amount's value.
    note = models.CharField(_("note"), max_length=200, blank=True)
    from_reserve = models.BooleanField(_("from the township's reserve fund"), default=False)
    paid_at = models.DateTimeField(_("paid at"))
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("paid by whom"))

    class Meta:
        verbose_name = _("temporary aid payment")
        verbose_name_plural = _("temporary aid payments")
        ordering = ["aid", "stage"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_payment_positive"),
            models.UniqueConstraint(fields=["aid", "stage"], name="aid_payment_stage_once"),
            models.CheckConstraint(condition=Q(means__in=["cash", "bank", "in_kind"]),
                                   name="aid_payment_means"),
        ]

    def __str__(self) -> str:
        return f"{self.aid_id}/{self.stage} {self.amount}"


class AidInstalment(models.Model):
    """One monthly stage of a temporary aid the county decided to pay in stages through the
    county's payroll (instead of the township paying it): the payroll pays it once, and the
    payment it makes (`payment`) is recorded on the aid when the bank reports it paid."""

    aid = models.ForeignKey(TemporaryAid, on_delete=models.PROTECT, related_name="instalments")
    stage = models.PositiveSmallIntegerField(_("stage"))
    month = models.DateField(_("for the month"))  # its first day: the payroll month that pays it
    amount = MoneyField(_("amount (yuan)"))
    payment = models.OneToOneField(AidPayment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="instalment", verbose_name=_("paid by"))
    # Stopped by the county (the person died, the need ended …): no later payroll drafts it. A stage
    # already on a payroll when stopped is paid there if the bank pays it (then both are set).
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stop_reason = models.CharField(_("why it was stopped"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("stage paid through the payroll")
        verbose_name_plural = _("stages paid through the payroll")
        ordering = ["aid", "stage"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_instalment_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="aid_instalment_month_first_day"),
            models.UniqueConstraint(fields=["aid", "stage"], name="aid_instalment_stage_once"),
            models.UniqueConstraint(fields=["aid", "month"], name="aid_instalment_one_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.aid_id}/{self.stage} {self.month:%Y-%m} {self.amount}"


class HeatingAidBatch(models.Model):
    """A winter heating aid (取暖救助) decided as a batch over an area: every household receiving one
    of the named programmes there on a day, at a per-household amount set for the season."""

    season = models.PositiveSmallIntegerField(_("winter starting in"))
    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    programmes = models.JSONField(_("programmes"), default=list)
    on = models.DateField(_("receiving on"))
    amount = MoneyField(_("per household (yuan)"))
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    granted = models.PositiveIntegerField(_("households granted"), default=0)

    class Meta:
        verbose_name = _("heating aid batch")
        verbose_name_plural = _("heating aid batches")
        ordering = ["-season", "-decided_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="heating_batch_amount_positive")]

    def __str__(self) -> str:
        return f"{self.season} {self.area_id} {self.amount}"


class HeatingAidGrant(models.Model):
    """One household's heating aid of a season: never twice in one season (database constraint)."""

    batch = models.ForeignKey(HeatingAidBatch, on_delete=models.PROTECT, related_name="grants")
    season = models.PositiveSmallIntegerField(_("winter starting in"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("village"))
    amount = MoneyField(_("amount (yuan)"))

    class Meta:
        verbose_name = _("heating aid grant")
        verbose_name_plural = _("heating aid grants")
        constraints = [
            models.UniqueConstraint(fields=["season", "household"], name="heating_aid_once_a_season"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="heating_grant_amount_positive"),
        ]
        indexes = [models.Index(fields=["village", "season"], name="heating_grant_by_village")]

    def __str__(self) -> str:
        return f"{self.season} {self.household_id} {self.amount}"


class WorkOffer(models.Model):
    """Suitable work offered to an able-bodied member of a household receiving 低保, and whether they
    took it (审核确认办法 art. 34, 暂行办法 art. 45): refused three times in a row without good reason,
    the member's share is reviewed."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("member"))
    offered = models.CharField(_("work offered"), max_length=200)
    offered_on = models.DateField(_("offered on"))
    accepted = models.BooleanField(_("accepted"))
    # A refusal with a good reason (illness, caring for a relative …) does not count towards three.
    good_reason = models.CharField(_("good reason for refusing"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("work offered")
        verbose_name_plural = _("work offered")
        ordering = ["-offered_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(accepted=False) | Q(good_reason=""),
                                              name="work_offer_reason_only_for_a_refusal")]
        indexes = [models.Index(fields=["person", "offered_on"], name="work_offer_of_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.offered_on} {'accepted' if self.accepted else 'refused'}"
