"""特困 care's history events (core.audit)."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction


def declare() -> None:
    declare_events(
        "care", "willingnesssurvey", {"surveyed": (ChangeAction.CREATE, _("willingness surveyed"))}
    )
    declare_events(
        "care",
        "placement",
        {
            "queued": (ChangeAction.CREATE, _("entered the queue for centralised care")),
            "admitted": (ChangeAction.UPDATE, _("admitted into an institution")),
            "discharged": (ChangeAction.UPDATE, _("discharged from the institution")),
            "withdrawn": (ChangeAction.UPDATE, _("left the queue")),
        },
    )
    declare_events(
        "care",
        "careagreement",
        {
            "drafted": (ChangeAction.CREATE, _("care agreement drawn up")),
            "signed": (ChangeAction.UPDATE, _("care agreement signed")),
            "ended": (ChangeAction.UPDATE, _("care agreement ended")),
        },
    )
