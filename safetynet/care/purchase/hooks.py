"""What purchased services add to the kernel and the shared pages: their history events, the service
logs' evidence (read by the bureaus of the area and by the provider's own staff), the menu and the
demo (called from care.hooks)."""

from django.utils.translation import gettext_lazy


def register() -> None:
    from safetynet.care.purchase import events, selectors
    from safetynet.core import hooks
    from safetynet.core.demo import register_demo_builder
    from safetynet.core.types import Role
    from safetynet.core.workflows.table import register_evidence_subject

    events.declare()
    register_evidence_subject(
        selectors.LOG_SUBJECT,
        selectors.READ_ROLES | {Role.SERVICE_PROVIDER},
        granted=selectors.granted_log_evidence_q,
    )
    hooks.register_menu_item(
        name="care.purchase.providers",
        label=gettext_lazy("Purchased services"),
        url_name="care:purchase_provider_list",
        allowed=selectors.may_read_purchase,
        order=71,
    )
    hooks.register_menu_item(
        name="care.purchase.my_persons",
        label=gettext_lazy("My persons"),
        url_name="care:purchase_my_persons",
        allowed=selectors.is_provider_user,
        order=72,
    )
    register_demo_builder("care.purchase", "safetynet.care.purchase.demo:build_purchase", order=400)
