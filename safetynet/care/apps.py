from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "safetynet.care"
    label = "care"
    verbose_name = _("特困 care")

    def ready(self) -> None:
        from safetynet.care import hooks

        hooks.register()
