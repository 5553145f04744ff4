from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The offices that decide and pay with the standards (role codes: core's models load after this).
STANDARD_READERS = ["city_bureau", "county_bureau", "township_office", "village_coordinator",
                    "finance_officer", "auditor", "operator"]


class ProgrammesConfig(AppConfig):
    name = "safetynet.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from safetynet.core import hooks
        from safetynet.programmes import events
        from safetynet.programmes import hooks as programme_hooks

        events.declare()
        # Enrolments show on the household's history in words (the registry labels their fields).
        from safetynet.programmes.models import Enrolment
        from safetynet.registry.timeline import register_history_model

        register_history_model(Enrolment, ["programme", "person_name", "amount"])
        from safetynet.programmes.models import Appeal, Application, SelfCareAssessment

        register_history_model(Application, ["programme", "person_name"])
        register_history_model(Appeal, ["kind"])
        register_history_model(SelfCareAssessment, ["level"])
        from safetynet.programmes.models import Complaint

        register_history_model(Complaint, ["kind"])
        programme_hooks.register()  # the eligibility card of the household page
        # Who receives 低保 in the demo city: after the registry's households, visits and grants.
        from safetynet.core.demo import register_demo_builder

        register_demo_builder("programmes.enrolments", "safetynet.programmes.demo:build_enrolments",
                              order=200)
        # Applications at every step, after the enrolments (the households they choose receive nothing).
        register_demo_builder("programmes.applications",
                              "safetynet.programmes.applications.demo:build_applications", order=210)
        # Standards are public policy: the offices that decide and pay with them see them in the menu
        # (the page opens to any member of staff); the city bureau sets them.
        hooks.register_menu_item(name="programmes.standards", label=_("Standards"),
                                 url_name="programmes:standards", roles=STANDARD_READERS, order=40)
        hooks.register_menu_item(name="programmes.rules", label=_("Eligibility rules"),
                                 url_name="programmes:rules", roles=STANDARD_READERS, order=43)
        hooks.register_menu_item(name="programmes.eligibility", label=_("Eligibility over an area"),
                                 url_name="programmes:eligibility", roles=["city_bureau", "county_bureau"],
                                 order=41)
        hooks.register_menu_item(name="programmes.applications", label=_("Applications"),
                                 url_name="programmes:applications",
                                 roles=["county_bureau", "township_office", "village_coordinator"], order=35)
        hooks.register_menu_item(name="programmes.near_relatives", label=_("My near relatives"),
                                 url_name="programmes:near_relatives",
                                 roles=["county_bureau", "township_office", "village_coordinator",
                                        "grid_worker"],
                                 order=49)
        hooks.register_menu_item(name="programmes.complaints", label=_("Reports and complaints"),
                                 url_name="programmes:complaints", roles=["county_bureau", "township_office"],
                                 order=36)
        hooks.register_public_path(name="programmes.notices", prefix="/programmes/notices/")
        hooks.register_menu_item(name="programmes.what_if", label=_("What if"), url_name="programmes:what_if",
                                 roles=["city_bureau", "county_bureau"], order=42)
