"""Winter street rescue on the street: the teams that go out, the incidents they go to (a hotline
call, a public report, an Open311 request, a referral) and what they found there (contacts and the
supplies handed out). Times are kept on the incident as it moves, so that the response time (report
to on scene) is a plain difference of two columns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safetynet.core.choices import ChoiceLabels
from safetynet.core.types import Division


class RescueTeam(ChoiceLabels, models.Model):
    """A patrol or response team of a county (or of the city's station): its members' accounts, its
    vehicle, where it is based and what it is doing now."""

    class State(models.TextChoices):
        AVAILABLE = "available", _("available")
        DISPATCHED = "dispatched", _("dispatched")
        ON_SCENE = "on_scene", _("on scene")
        RETURNING = "returning", _("returning")
        OFF_DUTY = "off_duty", _("off duty")

    name = models.CharField(_("team name"), max_length=60)
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    station = models.ForeignKey(
        "institutions.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rescue station"),
    )
    vehicle = models.CharField(_("vehicle"), max_length=20, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("members")
    )
    staff_count = models.PositiveSmallIntegerField(_("staff on the team"), default=2)
    base_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    base_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.AVAILABLE)
    state_since = models.DateTimeField(_("since"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["county_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="rescue_team_name_once"),
            models.CheckConstraint(
                condition=Q(state__in=["available", "dispatched", "on_scene", "returning", "off_duty"]),
                name="rescue_team_state",
            ),
            models.CheckConstraint(condition=Q(staff_count__gte=1), name="rescue_team_has_staff"),
            models.CheckConstraint(
                condition=Q(base_latitude__isnull=True, base_longitude__isnull=True)
                | Q(base_latitude__isnull=False, base_longitude__isnull=False),
                name="rescue_team_base_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StreetIncident(ChoiceLabels, models.Model):
    """A person on the street who may need help, as it reached the duty officer, and what became of
    it: received → dispatched → on scene → closed (or closed without a dispatch: a duplicate, no one
    found)."""

    class Source(models.TextChoices):
        HOTLINE = "hotline", _("hotline call")
        PUBLIC = "public", _("public report")
        OPEN311 = "open311", _("Open311 request")
        REFERRAL = "referral", _("referral")
        PATROL = "patrol", _("found on patrol")

    class Referrer(models.TextChoices):
        POLICE = "police", _("police (公安)")
        URBAN_MANAGEMENT = "urban_management", _("urban management (城管)")
        HOSPITAL = "hospital", _("hospital")
        OTHER = "other", _("other department")

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        DISPATCHED = "dispatched", _("team sent")
        ON_SCENE = "on_scene", _("team on scene")
        CLOSED = "closed", pgettext_lazy("street incident", "closed")

    class Closing(models.TextChoices):
        HELPED = "helped", _("contact recorded")
        NOT_FOUND = "not_found", _("no one found")
        DUPLICATE = "duplicate", _("duplicate of another report")
        NOT_OURS = "not_ours", _("not a rescue matter")

    # The number a reporter is given (Open311's service_request_id): random, so that one report's
    # status cannot lead to the guessing of another's.
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    referrer = models.CharField(_("referred by"), max_length=20, choices=Referrer.choices, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    persons = models.PositiveSmallIntegerField(_("persons seen"), default=1)
    caller_name = models.CharField(_("caller"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)
    recording = models.CharField(_("call recording"), max_length=200, blank=True)
    photo = models.FileField(upload_to="rescue/reports/", max_length=200, blank=True)
    # Public reports: a keyed digest of the sender's address, to turn away a flood from one address.
    sender = models.CharField(max_length=64, blank=True, db_index=True)
    service_code = models.CharField(max_length=40, blank=True)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    team = models.ForeignKey(
        RescueTeam,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("team"),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing = models.CharField(_("how it ended"), max_length=12, choices=Closing.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["hotline", "public", "open311", "referral", "patrol"]),
                name="rescue_incident_source",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["received", "dispatched", "on_scene", "closed"]),
                name="rescue_incident_state",
            ),
            # A location: coordinates (both or neither, on the globe) or a place in words.
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="rescue_incident_coordinates",
            ),
            models.CheckConstraint(
                condition=~Q(place="") | Q(latitude__isnull=False), name="rescue_incident_has_location"
            ),
            models.CheckConstraint(
                condition=Q(state="received")
                | Q(state="closed", team__isnull=True)
                | Q(team__isnull=False, dispatched_at__isnull=False),
                name="rescue_incident_dispatch_has_team",
            ),
            models.CheckConstraint(
                condition=~Q(state="on_scene") | Q(on_scene_at__isnull=False),
                name="rescue_incident_on_scene_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False) & ~Q(closing=""),
                name="rescue_incident_closed_how",
            ),
            # A team goes to one incident at a time.
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(state__in=["dispatched", "on_scene"]),
                name="rescue_team_one_incident_at_a_time",
            ),
        ]
        indexes = [models.Index(fields=["division", "state"], name="rescue_incident_board")]

    def __str__(self) -> str:
        return f"{self.pk} {self.place}"

    @property
    def response_seconds(self) -> int | None:
        if self.on_scene_at is None:
            return None
        return int((self.on_scene_at - self.reported_at).total_seconds())

    @property
    def response_minutes(self) -> int | None:
        seconds = self.response_seconds
        return None if seconds is None else round(seconds / 60)


class StreetContact(ChoiceLabels, models.Model):
    """A team's contact with one person on scene (HMIS-style): who, as far as known, and the outcome.
    The person may be described only ("man, about 60, red coat") and linked to a registered person
    later; the link changes nothing in the registry."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("accepted help: taken to the station")
        REFUSED = "refused", _("refused: supplies handed out")
        SICK = "sick", _("sick: taken to hospital")
        DANGER = "danger", _("danger: handed to the police")

    incident = models.ForeignKey(StreetIncident, on_delete=models.PROTECT, related_name="contacts")
    team = models.ForeignKey(RescueTeam, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    description = models.CharField(_("the person"), max_length=200)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    approximate_age = models.PositiveSmallIntegerField(_("approximate age"), null=True, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered person"),
    )
    card_given = models.BooleanField(_("contact card given"), default=False)
    revisit_due_at = models.DateTimeField(_("revisit due"), null=True, blank=True)
    revisited_at = models.DateTimeField(_("revisited at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission = models.UUIDField(unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["accepted", "refused", "sick", "danger"]),
                name="rescue_contact_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="refused") | Q(revisit_due_at__isnull=False),
                name="rescue_refusal_has_revisit",
            ),
            models.CheckConstraint(condition=Q(sex__in=["", "1", "2"]), name="rescue_contact_sex"),
        ]
        indexes = [models.Index(fields=["division", "at"], name="rescue_contact_area")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.outcome} {self.description}"


class SupplyItem(models.TextChoices):
    COAT = "coat", _("cotton coat")
    QUILT = "quilt", _("quilt")
    FOOD = "food", _("food")
    HOT_WATER = "hot_water", _("hot water")
    GLOVES = "gloves", _("gloves")
    HAT = "hat", _("cotton hat")
    OTHER = "other", _("other supplies")


class Handout(ChoiceLabels, models.Model):
    """Supplies handed to a person on scene: what and how many (drawn from a station's stock once the
    station keeps one; `booked_at` says when it was)."""

    contact = models.ForeignKey(StreetContact, on_delete=models.CASCADE, related_name="handouts")
    item = models.CharField(_("item"), max_length=10, choices=SupplyItem.choices)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contact_id", "item"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "item"], name="rescue_handout_item_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=100), name="rescue_handout_quantity"
            ),
            models.CheckConstraint(
                condition=Q(item__in=["coat", "quilt", "food", "hot_water", "gloves", "hat", "other"]),
                name="rescue_handout_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.item}×{self.quantity}"


class Hotspot(ChoiceLabels, models.Model):
    """A point a patrol checks: where people shelter from the cold (SPEC §3.5: underpasses, bridges,
    ATM rooms, abandoned buildings, stations, parks, shopping streets, stairwells)."""

    class Kind(models.TextChoices):
        UNDERPASS = "underpass", _("underpass")
        BRIDGE = "bridge", _("bridge or culvert")
        ATM_ROOM = "atm_room", _("24-hour ATM room")
        ABANDONED = "abandoned", _("abandoned building")
        STATION = "station", _("station or square")
        PARK = "park", _("park or green space")
        STREET = "street", _("shopping street")
        STAIRWELL = "stairwell", _("stairwell")

    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    active = models.BooleanField(_("checked on patrols"), default=True)

    class Meta:
        ordering = ["county_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="rescue_hotspot_name_once"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="rescue_hotspot_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "underpass",
                        "bridge",
                        "atm_room",
                        "abandoned",
                        "station",
                        "park",
                        "street",
                        "stairwell",
                    ]
                ),
                name="rescue_hotspot_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Patrol(ChoiceLabels, models.Model):
    """One planned patrol of a team over a list of points, and its log: the points actually checked
    and the persons met. A cold wave adds patrols (`cold`)."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        ON_PATROL = "on_patrol", _("on patrol")
        LOGGED = "logged", _("logged")

    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    team = models.ForeignKey(
        RescueTeam, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("team")
    )
    planned_for = models.DateTimeField(_("planned for"))
    points = models.ManyToManyField(Hotspot, related_name="+", verbose_name=_("points to check"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    cold = models.BooleanField(_("added for a cold wave"), default=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    persons_met = models.PositiveSmallIntegerField(_("persons met"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-planned_for", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["planned", "on_patrol", "logged"]), name="rescue_patrol_state"
            ),
            models.CheckConstraint(
                condition=~Q(state="logged") | Q(ended_at__isnull=False), name="rescue_patrol_logged_has_end"
            ),
        ]
        indexes = [models.Index(fields=["county", "planned_for"], name="rescue_patrol_area")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.planned_for:%Y-%m-%d %H:%M}"


class PatrolCheck(models.Model):
    """A point checked on a patrol, and how many persons were found there."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="checks")
    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="+")
    persons_found = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patrol", "hotspot"], name="rescue_point_checked_once")
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id} {self.hotspot_id} {self.persons_found}"


class ColdSwitch(models.Model):
    """Cold mode switched on for a county by a weather warning, and what it did: the log of the
    switch and its effects (refusers' revisits brought forward, patrols added, duty checked)."""

    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    warning = models.ForeignKey("core.WeatherWarning", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    revisits_brought_forward = models.PositiveIntegerField(default=0)
    patrols_added = models.PositiveIntegerField(default=0)
    teams_on_duty = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["warning"], name="rescue_cold_switch_once_per_warning")
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.at:%Y-%m-%d %H:%M}"


# --- the station: supplies and the duty roster (issue 17) -------------------------------------------


class Stock(models.Model):
    """What a rescue station holds of one kind of supplies, and the level below which its desk warns.
    `division` is the station's (its township), so that a county reads its stations' stock by area."""

    station = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rescue station"),
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("item"), max_length=10, choices=SupplyItem.choices)
    on_hand = models.PositiveIntegerField(_("in stock"), default=0)
    minimum = models.PositiveIntegerField(_("minimum level"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["station_id", "item"]
        constraints = [
            models.UniqueConstraint(fields=["station", "item"], name="rescue_stock_item_once"),
            # The database itself refuses an issue of more than is held (a conditional update).
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="rescue_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(item__in=["coat", "quilt", "food", "hot_water", "gloves", "hat", "other"]),
                name="rescue_stock_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.item} {self.on_hand}"


class StockMovement(ChoiceLabels, models.Model):
    """One line of a station's supplies ledger: a receipt (with what it cost, against the campaign's
    budget), an issue (to a person in the station, to a patrol) or a hand-out on the street drawn
    from the stock (booked once: `handout` is unique)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", pgettext_lazy("stock movement", "received")
        ISSUE = "issue", pgettext_lazy("stock movement", "issued")
        HANDOUT = "handout", _("handed out on the street")

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    at = models.DateTimeField(_("time"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    cost = models.DecimalField(_("cost (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    supplier = models.CharField(_("supplier"), max_length=100, blank=True)
    recipient = models.CharField(_("to whom"), max_length=100, blank=True)
    patrol = models.ForeignKey(Patrol, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handout = models.OneToOneField(
        Handout, null=True, blank=True, on_delete=models.PROTECT, related_name="movement"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="rescue_movement_quantity"),
            models.CheckConstraint(
                condition=Q(kind__in=["receipt", "issue", "handout"]), name="rescue_movement_kind"
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(kind="receipt", cost__gte=0), name="rescue_movement_cost"
            ),
            models.CheckConstraint(
                condition=Q(handout__isnull=True) | Q(kind="handout"), name="rescue_movement_handout"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stock_id} {self.kind} {self.quantity}"


class SupplyBudget(models.Model):
    """The money set aside for the winter campaign's supplies in an area (a county, or the city),
    from one day to another: the receipts' costs are spent against it."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    amount = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_on", "division_id"]
        constraints = [
            models.UniqueConstraint(fields=["division", "starts_on"], name="rescue_budget_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="rescue_budget_dates"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="rescue_budget_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.starts_on}–{self.ends_on} {self.amount}"


class DutyShift(ChoiceLabels, models.Model):
    """One person's turn of the station's 24-hour duty: the leader on duty (带班领导) or a duty
    officer. The leader signs the handover note when the shift ends."""

    class Post(models.TextChoices):
        LEADER = "leader", _("leader on duty")
        OFFICER = "officer", _("duty officer")

    station = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rescue station"),
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("post"), max_length=8, choices=Post.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("on duty")
    )
    starts_at = models.DateTimeField(_("from"), db_index=True)
    ends_at = models.DateTimeField(_("to"))
    handover = models.TextField(_("handover note"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["starts_at", "post", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="rescue_shift_times"),
            models.CheckConstraint(condition=Q(post__in=["leader", "officer"]), name="rescue_shift_post"),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(handover=""), name="rescue_shift_signed_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.post} {self.user_id} {self.starts_at:%Y-%m-%d %H:%M}"


class StationStay(ChoiceLabels, models.Model):
    """A person's stay at a rescue station, from screening to exit (SPEC §3.4): who they are (or how
    they look, when they cannot or will not say), what they brought, the family search for one whose
    identity is unknown, and who collected them. Its course is a kernel case ("rescue.stay"); the
    exit kind is the case's final state."""

    class Arrival(models.TextChoices):
        PATROL = "patrol", _("brought by a patrol")
        SELF = "self", _("came by themselves")
        POLICE = "police", _("brought by the police")
        OTHER = "other", _("brought by others")

    station = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rescue station"),
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("core.Case", null=True, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        StreetContact,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("met on"),
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    arrival = models.CharField(_("how they came"), max_length=8, choices=Arrival.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    approximate_age = models.PositiveSmallIntegerField(_("age (about)"), null=True, blank=True)
    hometown = models.CharField(_("home town (as said)"), max_length=100, blank=True)
    features = models.TextField(_("appearance, clothing, features"), blank=True)
    belongings = models.TextField(_("belongings kept"), blank=True)
    identity_known = models.BooleanField(_("identity confirmed"), default=False)
    # No stay limit for a minor or a person with signs of mental or intellectual disability (SPEC §3.4).
    needs_care = models.BooleanField(_("minor, or signs of mental or intellectual disability"), default=False)
    search_published_at = models.DateTimeField(_("family-search notice published"), null=True, blank=True)
    search_resolved_at = models.DateTimeField(_("family found"), null=True, blank=True)
    dna_sampled_at = models.DateTimeField(_("DNA sample taken"), null=True, blank=True)
    collector_name = models.CharField(_("collected by"), max_length=50, blank=True)
    collector_relation = models.CharField(_("relation"), max_length=20, blank=True)
    collector_id_number = models.CharField(_("collector's ID number"), max_length=18, blank=True)
    collector_recorded_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-arrived_at", "-pk"]
        indexes = [models.Index(fields=["station", "left_at"], name="rescue_stay_station_open")]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["", "1", "2"]), name="rescue_stay_sex"),
            models.CheckConstraint(
                condition=Q(approximate_age__isnull=True) | Q(approximate_age__lte=120),
                name="rescue_stay_age",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.name or self.features[:20]} {self.arrived_at:%Y-%m-%d}"
