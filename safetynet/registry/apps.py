from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from safetynet.core.demo import register_demo_builder

# Where the registry's builder runs among the demo city's builders: later apps build on it (> 100).
REGISTRY_DEMO_ORDER = 100


class RegistryConfig(AppConfig):
    name = "safetynet.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # The registry's identifiers are known to the privacy policy before anything is shown.
        from safetynet.registry import audit_reports, events, hooks, identifiers  # noqa: F401

        events.declare()
        audit_reports.register()  # its report on the auditor's page
        # Its menu entries, home-page cards, desk queue, timeline entries and the persons it grants.
        hooks.register()
        # The demo city's households, villages and logins: what every later demo builder builds on.
        # Given by name, so that starting the server imports no demo code.
        register_demo_builder("registry.households", "safetynet.registry.demo.build:build_households",
                              order=REGISTRY_DEMO_ORDER)
        # The persons the demo's provider and caregiver serve (after the households are there).
        # The winter campaigns and a cold wave (core.campaigns, core.weather), on the households.
        register_demo_builder("registry.drives", "safetynet.registry.demo.drives:build_drives",
                              order=REGISTRY_DEMO_ORDER + 20)
        # The 遍访 visiting campaign: visits, problems found and solved (after the drives).
        register_demo_builder("registry.visits", "safetynet.registry.demo.visits:build_visits",
                              order=REGISTRY_DEMO_ORDER + 30)
        # Who owes support to the members who cannot work (for 特困), after the households.
        register_demo_builder("registry.supporters", "safetynet.registry.demo.supporters:build_supporters",
                              order=REGISTRY_DEMO_ORDER + 5)
        register_demo_builder("registry.grants", "safetynet.registry.demo.grants:build_grants",
                              order=REGISTRY_DEMO_ORDER + 10)
