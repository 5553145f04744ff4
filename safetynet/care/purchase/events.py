"""The history events of purchased third-party services (core.audit)."""

from django.utils.translation import gettext_lazy as _

from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction


def declare() -> None:
    declare_events(
        "care",
        "serviceprovider",
        {"provider_recorded": (ChangeAction.CREATE, _("service provider recorded"))},
    )
    declare_events(
        "care",
        "serviceproviderstaff",
        {"staff_added": (ChangeAction.CREATE, _("user account added to the service provider"))},
    )
    declare_events(
        "care",
        "servicecontract",
        {
            "contract_signed": (ChangeAction.CREATE, _("service contract recorded")),
            "contract_ended": (ChangeAction.UPDATE, _("service contract ended")),
        },
    )
    declare_events(
        "care",
        "contractperson",
        {
            "covered": (ChangeAction.CREATE, _("person covered by the service contract")),
            "uncovered": (ChangeAction.UPDATE, _("person no longer covered by the service contract")),
        },
    )
    declare_events("care", "servicelog", {"served": (ChangeAction.CREATE, _("service logged"))})
