"""Temporary aid's history events (core.audit), declared from programmes.hooks.register."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction


def declare() -> None:
    declare_events(
        "programmes",
        "temporaryaid",
        {
            "reported": (ChangeAction.CREATE, _("emergency reported for temporary aid")),
            "applied": (ChangeAction.CREATE, _("applied for temporary aid")),
            "paid": (ChangeAction.UPDATE, _("temporary aid paid")),
            "paperwork": (ChangeAction.UPDATE, _("temporary aid paperwork completed")),
            "referred": (ChangeAction.UPDATE, _("temporary aid referred to the county")),
            "decided": (ChangeAction.UPDATE, _("temporary aid decided")),
            "investigated": (ChangeAction.UPDATE, _("temporary aid investigated")),
            "stages_stopped": (ChangeAction.UPDATE, _("temporary aid's stages stopped")),
        },
    )
    declare_events(
        "programmes",
        "heatingaidbatch",
        {
            "decided": (ChangeAction.CREATE, _("heating aid granted to an area")),
        },
    )
