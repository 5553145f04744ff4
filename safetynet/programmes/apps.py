from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "safetynet.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from safetynet.programmes import events

        events.declare()
