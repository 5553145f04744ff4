"""What the institutions app adds to the shared pages and services: the menu, its history events,
and the grant kind by which an institution's staff and a contracted inspector see their own."""

from django.utils.translation import gettext_lazy as _

from safetynet.core import grants, hooks
from safetynet.core.types import Role


def register() -> None:
    from safetynet.institutions import events, selectors

    events.declare()
    grants.register_grant_kind(
        name=selectors.GRANT_KIND,
        label=_("Institution"),
        grantee_roles=[Role.INSTITUTION_STAFF, Role.INSPECTOR],
        area=selectors.institution_area,
        describe=selectors.institution_name,
        grant_only=True,
    )
    hooks.register_menu_item(
        name="institutions.list",
        label=_("Institutions"),
        url_name="institutions:list",
        allowed=selectors.may_read_institutions,
        order=60,
    )
    from safetynet.core.demo import register_demo_builder

    register_demo_builder(
        "institutions.institutions", "safetynet.institutions.demo:build_institutions", order=300
    )
    from safetynet.institutions.inspections import hooks as inspections

    inspections.register()
    from safetynet.institutions.safety.hooks import register as register_safety_records

    register_safety_records()
