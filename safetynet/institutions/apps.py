from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "safetynet.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from safetynet.institutions import hooks

        hooks.register()
