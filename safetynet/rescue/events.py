"""Street rescue's history events (core.audit)."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction


def declare() -> None:
    declare_events(
        "rescue",
        "streetincident",
        {
            "received": (ChangeAction.CREATE, _("rescue incident received")),
            "dispatched": (ChangeAction.UPDATE, _("team dispatched")),
            "on_scene": (ChangeAction.UPDATE, _("team on scene")),
            "closed": (ChangeAction.UPDATE, _("incident closed")),
        },
    )
    declare_events(
        "rescue",
        "streetcontact",
        {
            "recorded": (ChangeAction.CREATE, _("contact on scene recorded")),
            "linked": (ChangeAction.UPDATE, _("linked to a registered person")),
        },
    )
    declare_events(
        "rescue",
        "rescueteam",
        {
            "created": (ChangeAction.CREATE, _("rescue team set up")),
            "state": (ChangeAction.UPDATE, _("team state changed")),
        },
    )
    declare_events("rescue", "stock", {"minimum": (ChangeAction.UPDATE, _("minimum stock level set"))})
    declare_events(
        "rescue",
        "supplybudget",
        {
            "set": (ChangeAction.CREATE, _("supplies budget set")),
            "changed": (ChangeAction.UPDATE, _("supplies budget changed")),
        },
    )
    declare_events(
        "rescue",
        "dutyshift",
        {
            "booked": (ChangeAction.CREATE, _("duty shift booked")),
            "signed": (ChangeAction.UPDATE, _("handover signed")),
            "cancelled": (ChangeAction.DELETE, _("duty shift taken off the roster")),
        },
    )
    declare_events(
        "rescue",
        "stationstay",
        {
            "received": (ChangeAction.CREATE, _("arrived at the station")),
            "collector": (ChangeAction.UPDATE, _("collector recorded")),
            "search": (ChangeAction.UPDATE, _("family search step")),
        },
    )
