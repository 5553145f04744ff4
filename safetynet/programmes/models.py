from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.choices import ChoiceLabels
from safetynet.core.types import Division, UrbanRural
from safetynet.programmes.standards import KINDS


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
    def kind_label(self):
        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind
