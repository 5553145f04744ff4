"""What visits to 特困 persons add to the registry's visits and the kernel (called at the end of
care.hooks.register): the two visiting groups, the care checklist for the households of 特困 persons
cared for at home, and a caregiver's desk of the visits its agreements ask of it.

The groups' VisitRule rows (how often, within how many hours of a cold wave) are data, seeded by
care's migration 0002_care_visits as the registry seeds its own; the households they select then
fall due on the desks of the area's coordinators and grid workers by the registry's own machinery
(registry.visits.selectors.visits_due), and after a cold wave by its weather listener."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.care.visits import checklist, selectors
from safetynet.core import hooks
from safetynet.core.checklists import register_checklist
from safetynet.core.types import Role
from safetynet.registry.visits.checklist import register_household_checklist
from safetynet.registry.visits.groups import register_visit_group


def agreement_visits_items(actor, until) -> list[hooks.DeskItem]:
    items = []
    for due in selectors.agreement_visits_due(actor=actor, until=until):
        person = due.agreement.person
        items.append(
            hooks.DeskItem(
                kind=_("Care visit"),
                title=person.name,
                # Straight to the visit form of the person's household (its page is not the caregiver's).
                url=reverse("registry:visit_new", args=[due.household_id])
                if due.household_id
                else reverse("registry:person_detail", args=[person.pk]),
                due_at=due.due_at,
                note=_("Every %(days)s days, as the care agreement says")
                % {"days": due.agreement.visit_every_days},
            )
        )
    return items


def register() -> None:
    register_visit_group(
        code=selectors.DISPERSED_GROUP,
        label=gettext_lazy("特困 persons cared for at home"),
        narrow=selectors.cared_at_home,
    )
    register_visit_group(
        code=selectors.HIGH_RISK_GROUP,
        label=gettext_lazy("特困 persons cared for at home, high-risk"),
        narrow=selectors.cared_at_home_high_risk,
    )
    register_checklist(code=checklist.CODE, title=gettext_lazy("Care visit checklist"), items=checklist.ITEMS)
    register_household_checklist(code=checklist.CODE, narrow=selectors.cared_at_home)
    hooks.register_desk_source(
        name="care.agreement_visits_due", items=agreement_visits_items, roles={Role.CAREGIVER}
    )
