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
