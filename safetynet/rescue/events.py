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
