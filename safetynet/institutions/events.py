"""The institutions' history events (core.audit)."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction


def declare() -> None:
    declare_events(
        "institutions",
        "institution",
        {
            "recorded": (ChangeAction.CREATE, _("institution recorded")),
            "changed": (ChangeAction.UPDATE, _("institution changed")),
        },
    )
    declare_events(
        "institutions",
        "inspection",
        {
            "assigned": (ChangeAction.CREATE, _("inspection assigned")),
            "done": (ChangeAction.UPDATE, _("institution inspected")),
        },
    )
    declare_events(
        "institutions",
        "hazard",
        {
            "found": (ChangeAction.CREATE, _("hazard found")),
            "plan": (ChangeAction.UPDATE, _("rectification plan recorded")),
        },
    )
