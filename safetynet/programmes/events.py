"""The programmes' history events (core.audit)."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction


def declare() -> None:
    declare_events("programmes", "standard", {
        "proposed": (ChangeAction.CREATE, _("standard scheduled")),
        "approved": (ChangeAction.UPDATE, _("standard approved")),
        "rejected": (ChangeAction.UPDATE, _("standard rejected")),
    })
    # A household receiving a programme: from a decision's day, to the day it ends.
    declare_events("programmes", "enrolment", {
        "started": (ChangeAction.CREATE, _("started receiving a programme")),
        "ended": (ChangeAction.UPDATE, _("stopped receiving a programme")),
    })
