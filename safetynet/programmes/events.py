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
        "adjusted": (ChangeAction.UPDATE, _("amount adjusted before its first month")),
    })
    # Applications (the steps themselves are the case's history; these are the records kept with them).
    declare_events("programmes", "application", {
        "applied": (ChangeAction.CREATE, _("applied for a programme")),
        "investigated": (ChangeAction.UPDATE, _("investigation recorded")),
        "matched": (ChangeAction.UPDATE, _("data match recorded")),
        "spot_checked": (ChangeAction.UPDATE, _("spot-check recorded")),
        "approved": (ChangeAction.UPDATE, _("application approved")),
        "rejected": (ChangeAction.UPDATE, _("application rejected")),
        "redecided": (ChangeAction.UPDATE, _("decision changed on appeal")),
    })
    declare_events("programmes", "objection", {
        "raised": (ChangeAction.CREATE, _("objection to a public notice")),
    })
    declare_events("programmes", "appeal", {
        "filed": (ChangeAction.CREATE, _("appeal against a decision filed")),
        "decided": (ChangeAction.UPDATE, _("appeal decided")),
    })
    declare_events("programmes", "nearrelative", {
        "declared": (ChangeAction.CREATE, _("near relative of staff declared")),
    })
    declare_events("programmes", "complaint", {
        "received": (ChangeAction.CREATE, _("report or complaint received")),
        "answered": (ChangeAction.UPDATE, _("report or complaint answered in writing")),
    })
    declare_events("programmes", "selfcareassessment", {
        "assessed": (ChangeAction.CREATE, _("self-care assessed")),
    })
    # The life of an enrolment: reviews, the decisions on it, a new standard's batch.
    declare_events("programmes", "review", {
        "review_started": (ChangeAction.CREATE, _("review of assistance started")),
    })
    declare_events("programmes", "enrolmentdecision", {
        "decided": (ChangeAction.CREATE, _("decision on assistance in payment")),
    })
    declare_events("programmes", "standardadjustment", {
        "adjusted": (ChangeAction.CREATE, _("assistance adjusted for a new standard")),
    })
    declare_events("programmes", "workoffer", {
        "offered": (ChangeAction.CREATE, _("work offered to a member")),
    })
