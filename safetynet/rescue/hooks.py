"""What street rescue adds to the kernel and the shared pages (called from RescueConfig.ready): its
history events, the menu, the notice a team gets when sent, the desk (incidents waiting for a team,
refusers due a revisit), the retention of call recordings, the public report page and Open311."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _dispatched_words(params: dict) -> str:
    return _("Rescue: your team %(team)s is sent to %(place)s (incident %(incident)s).") % {
        "team": params.get("team", ""),
        "place": params.get("place", ""),
        "incident": params.get("incident", ""),
    }


def _dispatched_link(notice) -> str:
    incident = notice.params.get("incident")
    return reverse("rescue:incident", args=[incident]) if isinstance(incident, int) else ""


def _waiting(actor) -> int:
    from safetynet.rescue import selectors

    return selectors.open_incidents(actor=actor).filter(state="received").count()


def _revisits(actor, until):
    from django.utils import timezone

    from safetynet.core import hooks
    from safetynet.rescue import selectors

    return [
        hooks.DeskItem(
            kind=_("Revisit a person who refused help"),
            title=contact.description,
            url=reverse("rescue:incident", args=[contact.incident_id]),
            due_at=contact.revisit_due_at,
            note=timezone.localtime(contact.at).strftime("%Y-%m-%d %H:%M"),
        )
        for contact in selectors.revisits_due(actor=actor, until=until)[:200]
    ]


def _low_stock(actor) -> int:
    from safetynet.rescue.station import selectors

    return selectors.low_stock(actor=actor).count()


def _keeps_a_station(actor) -> bool:
    from safetynet.rescue import rules, selectors

    return actor.role in rules.DUTY_ROLES or bool(selectors.granted_station_ids(actor))


def _roster(actor, until):
    """The station's duty on the desk: hours in the coming week with no leader on duty, and the
    actor's own ended leader shifts whose handover is not signed."""
    from django.utils import timezone

    from safetynet.core import hooks
    from safetynet.rescue.station import selectors

    now = timezone.now()
    items = []
    for station in selectors.stations(actor=actor)[:50]:
        if not selectors.may_keep_station(actor, station):
            continue
        for start, end in selectors.roster_gaps(
            station=station, since=now, until=now + selectors.ROSTER_HORIZON
        ):
            items.append(
                hooks.DeskItem(
                    kind=_("No leader on duty on the roster"),
                    title=_("%(station)s, %(start)s to %(end)s")
                    % {
                        "station": station.name,
                        "start": timezone.localtime(start).strftime("%m-%d %H:%M"),
                        "end": timezone.localtime(end).strftime("%m-%d %H:%M"),
                    },
                    url=reverse("rescue:station", args=[station.pk]),
                    due_at=start,
                )
            )
    return items


def _handovers(actor, until):
    """The actor's own ended leader shifts whose handover is not signed (whoever the leader is)."""
    from django.utils import timezone

    from safetynet.core import hooks
    from safetynet.rescue.station import selectors

    return [
        hooks.DeskItem(
            kind=_("Sign the handover of your shift"),
            title=shift.station.name,
            url=reverse("rescue:station", args=[shift.station_id]),
            due_at=shift.ends_at,
        )
        for shift in selectors.unsigned_shifts(actor=actor, now=timezone.now())[:20]
    ]


def _searches(actor, until):
    """Family searches due: the notice within 24 hours of arrival, the DNA sample within a month."""
    from safetynet.core import hooks
    from safetynet.rescue.station import selectors

    items = []
    for stay in selectors.searches_due(actor=actor)[:100]:
        items.append(
            hooks.DeskItem(
                kind=_("Publish the family-search notice"),
                title=stay.features[:60] or stay.name,
                url=reverse("rescue:stay", args=[stay.pk]),
                due_at=stay.arrived_at + selectors.SEARCH_WITHIN,
            )
        )
    for stay in selectors.dna_due(actor=actor, until=until)[:100]:
        items.append(
            hooks.DeskItem(
                kind=_("DNA sample by the police"),
                title=stay.features[:60] or stay.name,
                url=reverse("rescue:stay", args=[stay.pk]),
                due_at=stay.arrived_at + selectors.DNA_WITHIN,
            )
        )
    return items


def register() -> None:
    from safetynet.core import hooks, retention
    from safetynet.core.demo import register_demo_builder
    from safetynet.core.types import Role
    from safetynet.rescue import events, rules, selectors, services

    events.declare()
    hooks.register_menu_item(
        name="rescue.board",
        label=gettext_lazy("Street rescue"),
        url_name="rescue:board",
        allowed=selectors.may_read,
        order=70,
    )
    hooks.register_menu_item(
        name="rescue.team",
        label=gettext_lazy("My rescue team"),
        url_name="rescue:my_team",
        roles=[Role.RESCUE_STATION],
        allowed=lambda user: selectors.teams_of_member(user).exists(),
        order=71,
    )
    hooks.register_notice_kind(
        code=services.NOTICE_DISPATCHED,
        label=gettext_lazy("Rescue team sent to an incident"),
        words=_dispatched_words,
        link=_dispatched_link,
        sms_unless_seen=True,
    )
    hooks.register_desk_queue(
        name="rescue.waiting",
        label=gettext_lazy("Street incidents waiting for a team"),
        count=_waiting,
        url_name="rescue:board",
        roles=rules.DUTY_ROLES,
        order=20,
    )
    hooks.register_desk_source(name="rescue.revisits", items=_revisits, roles=rules.DUTY_ROLES)
    hooks.register_menu_item(
        name="rescue.stations",
        label=gettext_lazy("Rescue stations"),
        url_name="rescue:stations",
        allowed=selectors.may_read,
        order=72,
    )
    hooks.register_desk_queue(
        name="rescue.low_stock",
        label=gettext_lazy("Station supplies below their minimum"),
        count=_low_stock,
        url_name="rescue:stations",
        allowed=_keeps_a_station,
        order=21,
    )
    hooks.register_desk_source(name="rescue.roster", items=_roster, allowed=_keeps_a_station)
    hooks.register_desk_source(name="rescue.handovers", items=_handovers, allowed=selectors.may_read)
    hooks.register_desk_source(name="rescue.family_search", items=_searches, allowed=_keeps_a_station)
    from safetynet.core.workflows.table import register_workflow
    from safetynet.rescue.station import workflow

    register_workflow(workflow.STAY)
    hooks.register_public_path(name="rescue.report", prefix="/public/rescue/")
    hooks.register_public_path(name="rescue.open311", prefix="/open311/")
    retention.register_retention_kind(
        code="rescue.call_recordings",
        label=gettext_lazy("References to hotline call recordings"),
        default_days=180,
        minimum_days=92,
        purge=services.recordings_forget,
    )
    hooks.register_weather_listener(name="rescue.cold_mode", entered=services.cold_wave_entered)
    register_demo_builder("rescue.street", "safetynet.rescue.demo:build_street", order=420)
    register_demo_builder("rescue.station", "safetynet.rescue.station.demo:build_station", order=425)
