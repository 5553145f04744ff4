from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RescueConfig(AppConfig):
    name = "safetynet.rescue"
    label = "rescue"
    verbose_name = _("Street rescue")

    def ready(self) -> None:
        from safetynet.rescue import hooks

        hooks.register()
