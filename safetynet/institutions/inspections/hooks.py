"""What inspections and hazards add to the kernel and the shared pages: the hazard workflow, the
inspection checklists, the inspection photos readable by grant, the inspections due on the
inspector's desk, the campaign measures, the menu and the demo (called from institutions.hooks)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core import hooks
from safetynet.core.checklists import register_checklist
from safetynet.core.scope import granted_ids, may_hold
from safetynet.core.workflows.table import end_of_day, register_evidence_subject, register_workflow


def _granted_inspection_photos(actor) -> Q:
    from safetynet.institutions.models import Inspection
    from safetynet.institutions.selectors import GRANT_KIND

    if not may_hold(actor, GRANT_KIND):
        return Q(pk__in=[])
    ids = Inspection.objects.filter(institution_id__in=granted_ids(actor, GRANT_KIND)).values("pk")
    return Q(subject_id__in=ids)


def inspections_due_items(actor, until) -> list[hooks.DeskItem]:
    from django.utils import timezone

    from safetynet.institutions.inspections import selectors

    return [
        hooks.DeskItem(
            kind=_("Institution inspection"),
            title=inspection.institution.name,
            url=reverse("institutions:inspection_fill", args=[inspection.pk]),
            due_at=end_of_day(inspection.due_on, timezone.get_current_timezone()),
            note=inspection.campaign.name if inspection.campaign_id else "",
        )
        for inspection in selectors.inspections_due(actor=actor, until=until)[:200]
    ]


def register() -> None:
    from safetynet.core.demo import register_demo_builder
    from safetynet.institutions.inspections import checklists, selectors, services, workflow
    from safetynet.institutions.selectors import READ_ROLES, may_read_institutions

    register_workflow(workflow.HAZARD)
    register_evidence_subject("institutions.inspection", READ_ROLES, granted=_granted_inspection_photos)
    for code, (title, items) in checklists.CHECKLISTS.items():
        register_checklist(code=code, title=title, items=items)
    hooks.register_desk_source(
        name="institutions.inspections_due", items=inspections_due_items, roles=services.INSPECTING_ROLES
    )
    hooks.register_campaign_measure(
        code="institutions.inspected",
        label=gettext_lazy("Institutions inspected"),
        count=selectors.institutions_inspected,
    )
    hooks.register_campaign_measure(
        code="institutions.hazards_found",
        label=gettext_lazy("Institution hazards found"),
        count=selectors.hazards_found,
    )
    hooks.register_campaign_measure(
        code="institutions.hazards_rectified",
        label=gettext_lazy("Institution hazards rectified"),
        count=selectors.hazards_rectified,
    )
    hooks.register_menu_item(
        name="institutions.inspections",
        label=gettext_lazy("Inspections"),
        url_name="institutions:inspection_list",
        allowed=may_read_institutions,
        order=61,
    )
    hooks.register_menu_item(
        name="institutions.hazards",
        label=gettext_lazy("Hazards"),
        url_name="institutions:hazard_list",
        allowed=may_read_institutions,
        order=62,
    )
    hooks.register_menu_item(
        name="institutions.statistics",
        label=gettext_lazy("Safety statistics"),
        url_name="institutions:statistics",
        allowed=selectors.may_read_statistics,
        order=63,
    )
    register_demo_builder(
        "institutions.inspections", "safetynet.institutions.inspections.demo:build_inspections", order=310
    )
