"""Payments: who is paid what for each month of an enrolment, the monthly payroll run per county
that pays it, the bank's result, and an append-only ledger every yuan can be traced through from
the decision that granted it to the bank line that paid it.

Amounts are decided by programmes (an enrolment's monthly amount) and never recomputed here: a line
pays an enrolment's amount for one month, less what earlier lines already paid for that month. No
enrolment month is paid twice: each is one line of one run (a database constraint), and a line
that failed is paid again only as its one re-issue."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.choices import ChoiceLabels
from safetynet.core.money import MoneyField
from safetynet.core.types import Division


class FundSource(models.TextChoices):
    CENTRAL = "central", _("central funds")
    PROVINCIAL = "provincial", _("provincial funds")
    CITY = "city", _("city funds")
    COUNTY = "county", _("county funds")


class PayeeKind(models.TextChoices):
    PERSON = "person", _("the person or household")
    INSTITUTION = "institution", _("the institution")
    CAREGIVER = "caregiver", _("the caregiver")


class PayeeAccount(ChoiceLabels, models.Model):
    """An account benefits are paid into: a person's social-security card or 惠民惠农 一卡通 account
    or bank card, an institution's account, or the account a caregiver named in the care agreement.
    A change of account closes the old row and opens a new one: the history stays. The number is
    personal information: masked except to the finance officer, whole in the bank file."""

    class Kind(models.TextChoices):
        ONE_CARD = "one_card", _("惠民惠农 one-card account")
        SOCIAL_CARD = "social_card", _("social-security card")
        BANK_CARD = "bank_card", _("bank card")
        CORPORATE = "corporate", _("institution's account")

    holder_kind = models.CharField(_("held by"), max_length=12, choices=PayeeKind.choices)
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    agreement = models.ForeignKey(
        "care.CareAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("care agreement"),
    )
    holder_name = models.CharField(_("account holder"), max_length=100)
    kind = models.CharField(_("kind of account"), max_length=12, choices=Kind.choices)
    bank = models.CharField(_("bank"), max_length=16)  # a bank of payments.banks
    number = models.CharField(_("account number"), max_length=32)
    # Where the holder lives or the institution is: who may read the account.
    area = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    opened_at = models.DateTimeField(_("recorded at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    closed_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    closed_reason = models.CharField(_("why replaced"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payee account")
        verbose_name_plural = _("payee accounts")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        holder_kind="person",
                        person__isnull=False,
                        institution__isnull=True,
                        agreement__isnull=True,
                    )
                    | Q(
                        holder_kind="institution",
                        institution__isnull=False,
                        person__isnull=True,
                        agreement__isnull=True,
                    )
                    | Q(
                        holder_kind="caregiver",
                        agreement__isnull=False,
                        person__isnull=True,
                        institution__isnull=True,
                    )
                ),
                name="payee_account_one_holder",
            ),
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9]{8,32}$"), name="payee_account_digits"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(closed_at__isnull=True, person__isnull=False),
                name="payee_account_one_open_per_person",
            ),
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(closed_at__isnull=True, institution__isnull=False),
                name="payee_account_one_open_per_institution",
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(closed_at__isnull=True, agreement__isnull=False),
                name="payee_account_one_open_per_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.bank}"


class HouseholdPayee(models.Model):
    """Who is paid a household's 低保 (and other household benefits) when it is not the head: a
    guardian of a head who is a minor or cannot manage money, or the member who keeps the family's
    card. Changing it ends the row in force and starts a new one: the history stays. Without a row
    in force the head is paid."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("payee")
    )
    reason = models.CharField(_("reason"), max_length=200)
    since = models.DateTimeField(_("since"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("household payee")
        verbose_name_plural = _("household payees")
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(ended_at__isnull=True), name="household_payee_one_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.person_id}"


class PayrollSetting(models.Model):
    """A county's payroll: the day of the month its run is drafted, the bank it pays through, and
    which fund each programme is charged to."""

    county = models.OneToOneField(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    draft_day = models.PositiveSmallIntegerField(_("drafted on day"), default=1)
    bank = models.CharField(_("bank"), max_length=16)
    funds = models.JSONField(_("fund charged, by programme"), default=dict)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("payroll setting")
        constraints = [
            models.CheckConstraint(
                condition=Q(draft_day__gte=1, draft_day__lte=28), name="payroll_draft_day_1_to_28"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county_id} day {self.draft_day}"


class PayrollRun(models.Model):
    """One county's payroll for one month, a case of the kernel's workflow `payments.payroll`
    (draft → checked → approved → exported → reconciled → closed). One per county and month: the
    same month drafted twice is refused by the database."""

    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    month = models.DateField(_("month"))  # its first day
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("drafted at"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    lines = models.PositiveIntegerField(_("lines"), default=0)
    total = MoneyField(_("total (yuan)"), default=0)
    # What moved since last month: {"new": n, "stopped": n, "changed": n, "reissued": n, "held": n}.
    changes = models.JSONField(_("changes from last month"), default=dict)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")
        ordering = ["-month", "county"]
        constraints = [
            models.UniqueConstraint(fields=["county", "month"], name="payroll_run_once_per_county_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="payroll_run_month_first_day"),
            models.CheckConstraint(condition=Q(total__gte=0), name="payroll_run_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month:%Y-%m}"


class PayrollLine(ChoiceLabels, models.Model):
    """What one payee is paid in one run for one month of an enrolment (or for one failed line
    paid again), with where it comes from and how it differs from last month. `stopped` lines pay
    nothing: they show the checker what was paid last month and is not now."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("this month")
        ARREARS = "arrears", _("arrears")
        ADJUSTMENT = "adjustment", _("adjustment")
        REISSUE = "reissue", _("re-issued")
        STOPPED = "stopped", _("stopped")
        STAGE = "stage", _("temporary aid stage")

    class Part(models.TextChoices):
        ALL = "all", _("the whole amount")
        BASIC = "basic", _("basic living")
        CARE = "care", _("care")

    class Change(models.TextChoices):
        NEW = "new", _("new")
        SAME = "same", _("unchanged")
        CHANGED = "changed", _("amount changed")
        STOPPED = "stopped", _("stopped")
        REISSUED = "reissued", _("re-issued")

    class Status(models.TextChoices):
        PENDING = "pending", _("to pay")
        HELD = "held", _("held: no account")
        SENT = "sent", _("sent to the bank")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        NONE = "none", _("nothing to pay")

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("run"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    part = models.CharField(_("part"), max_length=8, choices=Part.choices, default=Part.ALL)
    programme = models.CharField(_("programme"), max_length=16)
    month = models.DateField(_("for the month"))
    enrolment = models.ForeignKey(
        "programmes.Enrolment",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enrolment"),
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beneficiary"),
    )
    village = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    payee_kind = models.CharField(_("paid to"), max_length=12, choices=PayeeKind.choices)
    payee_name = models.CharField(_("payee"), max_length=100)
    # Whose account it is paid into: "person:<id>", "institution:<id>" or "caregiver:<agreement id>".
    payee_ref = models.CharField(max_length=32)
    account = models.ForeignKey(
        PayeeAccount, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    amount = MoneyField(_("amount (yuan)"))
    previous_amount = MoneyField(_("last month (yuan)"), null=True)
    change = models.CharField(_("change"), max_length=10, choices=Change.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    decision = models.CharField(_("decision"), max_length=80, blank=True)
    standard = models.ForeignKey(
        "programmes.Standard",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("standard"),
    )
    fund = models.CharField(_("fund"), max_length=12, choices=FundSource.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    failure = models.CharField(_("why it failed"), max_length=200, blank=True)
    reissue_of = models.OneToOneField(
        "self", null=True, on_delete=models.PROTECT, related_name="reissue", verbose_name=_("re-issues")
    )
    # A stage of a temporary aid the county decided to pay through its payroll (kind `stage`, and
    # the re-issues of one that failed).
    aid_instalment = models.ForeignKey(
        "programmes.AidInstalment",
        null=True,
        # Found through the partial unique index of stage lines below; a plain index over a
        # million NULLs would only slow every payroll's insert.
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("temporary aid stage"),
    )

    class Meta:
        verbose_name = _("payroll line")
        verbose_name_plural = _("payroll lines")
        ordering = ["run", "pk"]
        constraints = [
            # The heart of "no one is paid twice": an enrolment's month and part is paid by one line
            # of one run, whatever runs or re-runs come later (re-issues name the line they repeat).
            models.UniqueConstraint(
                fields=["enrolment", "month", "part"],
                condition=Q(kind__in=["regular", "arrears", "adjustment"]),
                name="payroll_enrolment_month_paid_once",
            ),
            # …and a stage of a temporary aid by one line too.
            models.UniqueConstraint(
                fields=["aid_instalment"],
                condition=Q(kind="stage"),
                name="payroll_aid_stage_paid_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind="stage") | Q(aid_instalment__isnull=False),
                name="payroll_stage_names_its_aid",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payroll_line_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="reissue", reissue_of__isnull=False)
                | (~Q(kind="reissue") & Q(reissue_of__isnull=True)),
                name="payroll_reissue_names_its_line",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "status"], name="payroll_line_by_status"),
            models.Index(fields=["household", "month"], name="payroll_line_of_household"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.pk} {self.amount}"

    @property
    def payee_id(self) -> int:
        """The id of the person, institution or care agreement paid (from `payee_ref`)."""
        return int(self.payee_ref.partition(":")[2] or 0)


class BankFile(models.Model):
    """An approved run handed to the bank in the bank's layout (and to the county finance bureau
    as its payment list): the file as given, kept, with its totals."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="+")
    bank = models.CharField(_("bank"), max_length=16)
    layout = models.CharField(_("layout"), max_length=16)
    name = models.CharField(_("file name"), max_length=120)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField(_("lines"))
    total = MoneyField(_("total (yuan)"))
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )

    class Meta:
        verbose_name = _("bank file")
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class BankResult(models.Model):
    """A bank's result file, imported: how many lines it paid and failed. A file that does not
    match its run is refused whole and not kept."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    paid = models.PositiveIntegerField(_("paid"))
    failed = models.PositiveIntegerField(_("failed"))
    paid_total = MoneyField(_("paid (yuan)"))
    failed_total = MoneyField(_("failed (yuan)"))
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )

    class Meta:
        verbose_name = _("bank result")
        ordering = ["-imported_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["run", "sha256"], name="bank_result_once")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.name}"


class LedgerEntry(ChoiceLabels, models.Model):
    """One movement of money, never updated nor deleted (a trigger refuses it on both databases):
    an entitlement fixed by an approved run, a payment sent, paid or failed, a re-issue, temporary
    aid paid by a township (from its reserve fund or otherwise), a recovery; a correction is a new
    row of the same kind with the opposite amount naming the row it corrects. Balances and the
    funds statistics are sums over it."""

    class Kind(models.TextChoices):
        ENTITLED = "entitled", _("entitlement")
        SENT = "sent", _("sent to the bank")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        REISSUED = "reissued", _("re-issued")
        AID_PAID = "aid_paid", _("temporary aid paid")
        RECOVERY = "recovery", _("recovery of overpayment")
        RECOVERED = "recovered", _("recovered")

    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = MoneyField(_("amount (yuan)"))
    month = models.DateField(_("booked in month"))  # the payroll's month, or the month aid was paid
    for_month = models.DateField(_("for the month"))
    programme = models.CharField(_("programme"), max_length=16)
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    household_id = models.BigIntegerField(_("household"), null=True)
    person_id = models.BigIntegerField(_("person"), null=True)
    fund = models.CharField(_("fund"), max_length=12, choices=FundSource.choices)
    run_id = models.BigIntegerField(_("run"), null=True)
    line_id = models.BigIntegerField(_("line"), null=True)
    aid_payment_id = models.BigIntegerField(_("aid payment"), null=True)
    recovery_id = models.BigIntegerField(_("recovery order"), null=True)
    decision = models.CharField(_("decision"), max_length=80, blank=True)
    standard_id = models.BigIntegerField(_("standard"), null=True)
    corrects = models.ForeignKey(
        "self", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("corrects")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-at", "-pk"]
        constraints = [
            # Each line is entitled, sent, paid or failed, re-issued once; each aid payment booked once.
            models.UniqueConstraint(
                fields=["line_id", "kind"],
                condition=Q(corrects__isnull=True, line_id__isnull=False),
                name="ledger_line_kind_once",
            ),
            models.UniqueConstraint(
                fields=["aid_payment_id"],
                condition=Q(aid_payment_id__isnull=False, corrects__isnull=True),
                name="ledger_aid_payment_once",
            ),
            models.UniqueConstraint(
                fields=["recovery_id", "kind", "at"],
                condition=Q(recovery_id__isnull=False),
                name="ledger_recovery_once_a_moment",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=False) | Q(amount__gte=0),
                name="ledger_negative_only_as_correction",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "month", "kind"], name="ledger_by_county_month"),
            models.Index(fields=["household_id"], name="ledger_of_household"),
            models.Index(fields=["person_id"], name="ledger_of_person"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class ReserveMovement(ChoiceLabels, models.Model):
    """A township's reserve fund (备用金) for emergency aid: topped up by the county, drawn by the
    emergency payments recorded as from the reserve, counted and reconciled. Its balance is the sum.
    Kept like the ledger: rows are only added."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("top-up")
        DRAWN = "drawn", _("paid out for emergency aid")
        RETURNED = "returned", _("returned to the county")
        COUNTED = "counted", _("counted and reconciled")

    township = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("township")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Signed: a top-up adds, a draw and a return take away; a count adds its difference (found − kept).
    amount = MoneyField(_("amount (yuan)"))
    counted = MoneyField(_("counted (yuan)"), null=True)
    aid_payment_id = models.BigIntegerField(_("aid payment"), null=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("reserve fund movement")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["aid_payment_id"],
                condition=Q(aid_payment_id__isnull=False),
                name="reserve_aid_payment_once",
            ),
            models.CheckConstraint(condition=Q(kind="counted") | ~Q(amount=0), name="reserve_movement_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.township_id} {self.kind} {self.amount}"
