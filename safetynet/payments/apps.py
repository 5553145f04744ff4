from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "safetynet.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from safetynet.payments import hooks

        hooks.register()
