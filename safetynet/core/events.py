"""core's own history events (core.audit): what happens to staff accounts and divisions."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.models import ChangeRecord


def declare() -> None:
    create, update = ChangeRecord.Action.CREATE, ChangeRecord.Action.UPDATE
    declare_events("core", "user", {
        "created": (create, _("account created")),
        "changed": (update, _("account changed")),
        "password_changed": (update, _("password changed")),
        "deactivated": (update, _("account deactivated")),
        "reactivated": (update, _("account reactivated")),
        "password_reset": (update, _("one-time password given by an administrator")),
    })
    # core.grants: a user given access to a record outside their area, and the access ended.
    declare_events("core", "grant", {
        "granted": (create, _("access granted")),
        "revoked": (update, _("access revoked")),
    })
    declare_events("core", "division", {
        "created": (create, _("division created")),
        "changed": (update, _("division changed")),
    })
    # core.workdays: a year of the official calendar entered or replaced.
    declare_events("core", "calendaryear", {
        "entered": (create, _("calendar year entered")),
        "replaced": (update, _("calendar year replaced")),
    })
    # core.weather: a cold wave or low temperature for a county, and its withdrawal.
    declare_events("core", "weatherwarning", {
        "entered": (create, _("weather warning entered")),
        "withdrawn": (update, _("weather warning withdrawn")),
    })
    # core.campaigns: a drive and its targets per county.
    declare_events("core", "campaign", {
        "created": (create, _("campaign created")),
        "targets_set": (update, _("campaign targets set")),
    })
    # core.retention: how long a kind of record is kept, as the operator set it.
    declare_events("core", "retentionrule", {
        "changed": (update, _("retention changed")),
    })
    # core.sms: a kind of notice chosen to go by SMS to a role, or no longer.
    declare_events("core", "smsrule", {
        "added": (create, _("text messages turned on for a kind of notice and role")),
        "removed": (ChangeRecord.Action.DELETE, _("text messages turned off for a kind of notice and role")),
    })
