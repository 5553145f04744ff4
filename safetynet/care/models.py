"""特困 care (issue 14): whether a person is willing to enter centralised care, their placement in an
institution's bed (or their wait for one), and for a person cared for at home the caregiver and the
signed care agreement. The care tier is the self-care assessment's (programmes) and the payment
the enrolment's: care keeps no second copy of either."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.choices import ChoiceLabels
from safetynet.core.types import Division


class WillingnessSurvey(ChoiceLabels, models.Model):
    """One asking of a 特困 person whether they are willing to enter centralised care (集中供养意愿摸排):
    who consented for them, what they said; the signed form or a photo is kernel evidence."""

    class Consent(models.TextChoices):
        PERSON = "person", _("the person")
        GUARDIAN = "guardian", _("the guardian")
        RELATIVES = "relatives", _("the relatives")

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    # The village of the person's household: the area whose offices survey, place and pay for them.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    campaign = models.ForeignKey(
        "core.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("campaign"),
    )
    surveyed_on = models.DateField(_("surveyed on"))
    willing = models.BooleanField(_("willing to enter centralised care"))
    consent_by = models.CharField(_("consent given by"), max_length=10, choices=Consent.choices)
    consenter = models.CharField(_("name of who consented"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("surveyed by")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # The form's one-time key: the same survey sent twice (a double tap, a resent form) is stored once.
    submission = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("willingness survey")
        verbose_name_plural = _("willingness surveys")
        ordering = ["-surveyed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_by__in=["person", "guardian", "relatives"]), name="survey_consent_known"
            ),
            # Someone other than the person consented: named.
            models.CheckConstraint(
                condition=Q(consent_by="person") | ~Q(consenter=""), name="survey_consenter_named"
            ),
        ]
        indexes = [models.Index(fields=["person", "surveyed_on"], name="survey_person_day")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.surveyed_on} {self.willing}"


class Placement(ChoiceLabels, models.Model):
    """A 特困 person's centralised care: waiting in the county's queue for a bed (from a willing
    survey), admitted into an institution's bed, discharged. The supporting county keeps the person
    in its scope wherever the institution is; the institution's staff see their residents by the
    institution granted to them."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting for a bed")
        PLACED = "placed", _("in the institution")
        DISCHARGED = "discharged", _("discharged")
        WITHDRAWN = "withdrawn", _("no longer waiting")

    class Discharge(models.TextChoices):
        RETURNED_HOME = "returned_home", _("returned home")
        TRANSFERRED = "transferred", _("transferred to another institution")
        DIED = "died", _("died")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    # The village of the person's household (the supporting county's), wherever they are cared for.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    survey = models.ForeignKey(
        WillingnessSurvey,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("survey"),
    )
    requested_on = models.DateField(_("in the queue since"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    bed = models.CharField(_("bed"), max_length=20, blank=True)
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("why discharged"), max_length=14, choices=Discharge.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The placement this one continues (a transfer between institutions).
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
        verbose_name=_("continues"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["waiting", "placed", "discharged", "withdrawn"]),
                name="placement_state",
            ),
            # A person waits or lives in one place at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=["waiting", "placed"]),
                name="placement_one_open_per_person",
            ),
            models.UniqueConstraint(
                fields=["institution", "bed"],
                condition=Q(state="placed") & ~Q(bed=""),
                name="placement_one_per_bed",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["placed", "discharged"])
                | Q(institution__isnull=False, admitted_on__isnull=False),
                name="placement_admitted_somewhere",
            ),
            models.CheckConstraint(
                condition=~Q(state="discharged") | (Q(discharged_on__isnull=False) & ~Q(discharge_reason="")),
                name="placement_discharge_dated",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=models.F("admitted_on")),
                name="placement_discharged_after_admission",
            ),
        ]
        indexes = [
            models.Index(fields=["division", "state"], name="placement_area_state"),
            models.Index(fields=["institution", "state"], name="placement_institution_state"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.state}"


class CareAgreement(ChoiceLabels, models.Model):
    """A 特困 person cared for at home: the designated caregiver (a person or an organisation), the
    duties, how often they visit (at least monthly), the fee, the term, and the signatures (kernel
    evidence); and the officer who looks in on them (探视责任人). Signed, it is in force until its
    term ends or it is ended — a caregiver replaced after a failed evaluation ends one and starts
    the next."""

    class CaregiverKind(models.TextChoices):
        PERSON = "person", _("a person")
        ORGANISATION = "organisation", _("an organisation")

    class State(models.TextChoices):
        DRAFT = "draft", _("to be signed")
        SIGNED = "signed", _("signed")
        ENDED = "ended", _("ended")

    class EndReason(models.TextChoices):
        FAILED_EVALUATION = "failed_evaluation", _("failed evaluation")
        CAREGIVER_LEFT = "caregiver_left", _("caregiver can no longer care")
        PERSON_PLACED = "person_placed", _("person entered centralised care")
        PERSON_LEFT = "person_left", _("person no longer supported")
        EXPIRED = "expired", _("term ended")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    # The village of the person's household (the supporting county's), wherever they are cared for.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    caregiver_kind = models.CharField(_("caregiver is"), max_length=12, choices=CaregiverKind.choices)
    caregiver_name = models.CharField(_("caregiver"), max_length=100)
    caregiver_phone = models.CharField(_("caregiver's phone"), max_length=20, blank=True)
    # The caregiver's login, when they use the system (granted the person while the agreement is in force).
    caregiver_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("caregiver's login"),
    )
    visiting_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("visiting officer"),
    )
    duties = models.CharField(_("duties"), max_length=500)
    visit_every_days = models.PositiveSmallIntegerField(_("visits at least every (days)"), default=30)
    monthly_fee = models.DecimalField(_("monthly fee (yuan)"), max_digits=10, decimal_places=2, default=0)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why ended"), max_length=18, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note"), max_length=300, blank=True)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
        verbose_name=_("replaces"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("care agreement")
        verbose_name_plural = _("care agreements")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "signed", "ended"]), name="agreement_state"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=["draft", "signed"]),
                name="agreement_one_in_force_per_person",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_term"),
            models.CheckConstraint(
                condition=Q(visit_every_days__gte=1, visit_every_days__lte=31),
                name="agreement_visits_at_least_monthly",
            ),
            models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="agreement_fee_not_negative"),
            models.CheckConstraint(
                condition=~Q(state="signed") | Q(signed_on__isnull=False), name="agreement_signed_dated"
            ),
            models.CheckConstraint(
                condition=~Q(state="ended") | Q(ended_on__isnull=False), name="agreement_ended_dated"
            ),
        ]
        indexes = [models.Index(fields=["division", "state", "ends_on"], name="agreement_area_term")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.caregiver_name} {self.state}"


# --- Purchased third-party services (issue 14, item 4) ---


class ServiceKind(models.TextChoices):
    """What a purchased service is (the contract lists the kinds it buys; a log says which one)."""

    VISITING_CARE = "visiting_care", _("visiting care")
    COUNSELLING = "counselling", _("counselling")
    COMFORT = "comfort", _("emotional comfort")
    ERRANDS = "errands", _("errands")


class ServiceProvider(ChoiceLabels, models.Model):
    """An organisation the bureau buys care services from for 特困 persons cared for at home. Its
    user accounts (role service_provider) are its staff (ServiceProviderStaff)."""

    # The area of the bureau that recorded it (a county, or the city): whose contracts may use it.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    contact = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-Z]{18}$"), name="provider_credit_code_form"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceProviderStaff(models.Model):
    """A user account working for a provider: one provider per account."""

    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="staff", verbose_name=_("service provider")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("provider staff")
        verbose_name_plural = _("provider staff")

    def __str__(self) -> str:
        return f"{self.provider_id} {self.user_id}"


class ServiceContract(ChoiceLabels, models.Model):
    """A purchase of services from a provider for the 特困 persons cared for at home in an area (a
    county or a township), for a period and a budget; the persons it covers are ContractPersons."""

    class State(models.TextChoices):
        ACTIVE = "active", _("in force")
        ENDED = "ended", _("ended")

    provider = models.ForeignKey(
        ServiceProvider,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("service provider"),
    )
    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2)
    # ServiceKind values, each at most once.
    kinds = models.JSONField(_("services bought"), default=list)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["active", "ended"]), name="contract_state"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="contract_period"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="contract_budget_not_negative"),
            models.CheckConstraint(
                condition=~Q(state="ended") | Q(ended_on__isnull=False), name="contract_ended_dated"
            ),
        ]
        indexes = [models.Index(fields=["area", "state"], name="contract_area_state")]

    def __str__(self) -> str:
        return self.title


class ContractPerson(models.Model):
    """A person a contract covers, from the day added until the day removed (if)."""

    contract = models.ForeignKey(
        ServiceContract, on_delete=models.PROTECT, related_name="persons", verbose_name=_("contract")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    added_on = models.DateField(_("covered since"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    removed_on = models.DateField(_("covered until"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("removed by"),
    )

    class Meta:
        verbose_name = _("person covered")
        verbose_name_plural = _("persons covered")
        ordering = ["contract", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "person"],
                condition=Q(removed_on__isnull=True),
                name="contract_person_once",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("added_on")),
                name="contract_person_removed_after_added",
            ),
        ]
        indexes = [models.Index(fields=["person", "removed_on"], name="contract_person_person")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.person_id}"


class ServiceLog(ChoiceLabels, models.Model):
    """One service a provider's worker gave a covered person, logged on a phone: what, when, where;
    the photo and the signature are kernel evidence (subject "care.service_log")."""

    contract = models.ForeignKey(
        ServiceContract, on_delete=models.PROTECT, related_name="logs", verbose_name=_("contract")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    # Where the person lives (their village): the area whose bureaus read the log.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    kind = models.CharField(_("service"), max_length=14, choices=ServiceKind.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    place = models.CharField(_("where"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    done = models.TextField(_("what was done"), max_length=1000)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    logged_at = models.DateTimeField(_("logged at"))
    # The form's one-time key: a phone sending it again stores nothing twice.
    submission = models.UUIDField(unique=True)

    class Meta:
        verbose_name = _("service log")
        verbose_name_plural = _("service logs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["visiting_care", "counselling", "comfort", "errands"]),
                name="service_log_kind",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="service_log_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="service_log_position",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "started_at"], name="service_log_person_time"),
            models.Index(fields=["contract", "started_at"], name="service_log_contract_time"),
            models.Index(fields=["division", "started_at"], name="service_log_area_time"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.started_at}"
