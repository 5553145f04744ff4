from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "safetynet.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from safetynet.core import events, hooks
        from safetynet.core.selectors import NOTICE_ROLES
        from safetynet.core.views import identifier_lookup_notices_panel

        events.declare()
        # core's own entries go through the same hooks as every app's (core.hooks).
        hooks.register_menu_item(name="core.home", label=_("Home"), url_name="home", order=0)
        hooks.register_home_panel(name="core.lookup_notices", template="core/_lookup_notices.html",
                                  context=identifier_lookup_notices_panel, roles=NOTICE_ROLES, order=50)
