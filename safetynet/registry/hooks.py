"""What the registry adds to the shared pages (core.hooks) and the kind of record it grants
(core.grants), registered from RegistryConfig.ready() — as any app above it does."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core import grants, hooks, retention
from safetynet.registry import imports, rules, selectors
from safetynet.registry.models import ImportJob
from safetynet.registry.visits import hooks as visit_hooks

PEOPLE_SHOWN_ON_HOME = 20


# --- the home page --------------------------------------------------------------------------------

def registry_panel(actor) -> dict:
    return {
        "summary": selectors.registry_summary(actor=actor),
        "may_write": rules.may_write_registry(actor),
        "may_import": rules.may_import_registry(actor),
    }


def granted_people_panel(actor) -> dict:
    """A provider's start: the persons granted to it (the whole list is the people page)."""
    people = selectors.person_page(actor=actor)
    return {"people": list(people[:PEOPLE_SHOWN_ON_HOME]), "total": people.count()}


def interrupted_imports(actor) -> int:
    """Imports of the actor's that a stopped worker cut off: each waits to be run again."""
    return imports.import_job_list(actor=actor).filter(status=ImportJob.Status.INTERRUPTED).count()


# --- the household's timeline ------------------------------------------------------------------------

def grant_entries(actor, household) -> list[hooks.TimelineItem]:
    """Who was given (and lost) access to the household's members: for those who may grant it."""
    people = selectors.household_people(actor=actor, household=household)
    found = list(grants.grants_of_records(actor=actor, kind=rules.PERSON_GRANT,
                                          object_ids=people.order_by().values("pk")))
    if not found:  # most households: their people are not read a second time
        return []
    people = dict(people.values_list("pk", "name"))
    items = []
    for grant in found:
        values = {"user": grant.user, "person": people[grant.object_id]}
        link = reverse("registry:person_detail", args=[grant.object_id])
        items.append(hooks.TimelineItem(
            at=grant.granted_at, kind="grant", link=link, actor=str(grant.granted_by or _("the system")),
            text=_("%(user)s may see %(person)s") % values))
        if grant.revoked_at:
            items.append(hooks.TimelineItem(
                at=grant.revoked_at, kind="grant_revoked", link=link,
                actor=str(grant.revoked_by or _("the system")),
                text=_("%(user)s may no longer see %(person)s") % values))
    return items


def register() -> None:
    hooks.register_menu_item(name="registry.households", label=gettext_lazy("Households"),
                             url_name="registry:household_list", allowed=rules.may_read_registry, order=10)
    hooks.register_menu_item(name="registry.people", label=gettext_lazy("People"),
                             url_name="registry:person_list", allowed=rules.may_read_people, order=20)
    hooks.register_home_panel(name="registry.registry", template="registry/_home_panel.html",
                              context=registry_panel, allowed=rules.may_read_registry, order=10)
    hooks.register_home_panel(name="registry.granted_people", template="registry/_granted_people.html",
                              context=granted_people_panel, roles=rules.PERSON_GRANTEE_ROLES, order=10)
    hooks.register_desk_queue(name="registry.interrupted_imports", label=gettext_lazy("Interrupted imports"),
                              count=interrupted_imports, url_name="registry:import_start",
                              allowed=rules.may_import_registry)
    hooks.register_timeline_source(name="registry.grants", entries=grant_entries,
                                   roles=grants.GRANTING_ROLES)
    hooks.register_campaign_measure(
        code="registry.co_alarms", label=gettext_lazy("Households heated by fire with a CO alarm"),
        count=selectors.households_heated_by_fire_with_co_alarm)
    # Import files hold whole ID numbers: deleted 90 days after the import, unless the operator says.
    retention.register_retention_kind(code="registry.import_files",
                                      label=gettext_lazy("Imported files and returned rows"),
                                      default_days=90, minimum_days=7, purge=imports.import_files_purge)
    visit_hooks.register()
    grants.register_grant_kind(name=rules.PERSON_GRANT, label=gettext_lazy("person"),
                               grantee_roles=rules.PERSON_GRANTEE_ROLES, area=selectors.person_area,
                               describe=selectors.person_name, grant_only=True)
