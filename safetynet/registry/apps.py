from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "safetynet.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # The registry's identifiers are known to the privacy policy before anything is shown.
        from safetynet.registry import hooks, identifiers  # noqa: F401

        # Its menu entries, home-page cards, desk queue, timeline entries and the persons it grants.
        hooks.register()
