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
