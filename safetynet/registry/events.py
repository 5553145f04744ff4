"""The registry's history events (core.audit): what a household's timeline and the auditor read.
Declared when the app is ready; the first event of each action is the one recorded by default."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction

CREATE, UPDATE, DELETE = ChangeAction.CREATE, ChangeAction.UPDATE, ChangeAction.DELETE


def declare() -> None:
    declare_events("registry", "household", {
        "registered": (CREATE, _("household registered")),
        "changed": (UPDATE, _("household changed")),
        "handed_over": (UPDATE, _("household handed over to another county")),
        "conditions_seen": (UPDATE, _("heating and CO alarm as seen on a visit")),
    })
    declare_events("registry", "visit", {
        "recorded": (CREATE, _("visited")),
    })
    declare_events("registry", "visitrule", {
        "changed": (UPDATE, _("visiting rule changed")),
    })
    declare_events("registry", "person", {
        "registered": (CREATE, _("person registered")),
        "changed": (UPDATE, _("person changed")),
    })
    declare_events("registry", "membership", {
        "joined": (CREATE, _("joined the household")),
        "changed": (UPDATE, _("membership changed")),
        "left": (DELETE, _("left the household")),
    })
    declare_events("registry", "incomeitem", {
        "added": (CREATE, _("income added")),
        "changed": (UPDATE, _("income changed")),
        "removed": (DELETE, _("income removed")),
    })
    declare_events("registry", "assetitem", {
        "added": (CREATE, _("asset added")),
        "changed": (UPDATE, _("asset changed")),
        "removed": (DELETE, _("asset removed")),
    })
    declare_events("registry", "rigidexpense", {
        "added": (CREATE, _("essential expense added")),
        "changed": (UPDATE, _("essential expense changed")),
        "removed": (DELETE, _("essential expense removed")),
    })
    declare_events("registry", "supporter", {
        "added": (CREATE, _("supporter added")),
        "changed": (UPDATE, _("supporter changed")),
        "removed": (DELETE, _("supporter removed")),
    })
    declare_events("registry", "document", {
        "attached": (CREATE, _("document attached")),
        "removed": (DELETE, _("document removed")),
    })
