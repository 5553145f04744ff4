"""What payments adds to the kernel and the shared pages (called from PaymentsConfig.ready): the
payroll workflow, the account numbers as personal identifiers, history events, the menu, the
recurring job that drafts each county's payroll on its day, and the demo city's payroll year."""

import datetime

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from safetynet.core import hooks, jobs
    from safetynet.core.audit import declare_events
    from safetynet.core.demo import register_demo_builder
    from safetynet.core.masking import mask_account
    from safetynet.core.privacy import Identifiers, register_identifiers
    from safetynet.core.types import ChangeAction, Role
    from safetynet.core.workflows.table import register_workflow
    from safetynet.payments import selectors, services, workflow

    register_workflow(workflow.PAYROLL)
    register_identifiers(
        Identifiers(
            entity="payeeaccount",
            masks={"number": mask_account},
            area=lambda account: account.area_id,
            unmasking_roles=frozenset({Role.FINANCE_OFFICER}),
        )
    )
    declare_events("payments", "payeeaccount", {"opened": (ChangeAction.CREATE, _("payee account recorded"))})
    declare_events("payments", "householdpayee", {
        "named": (ChangeAction.CREATE, _("household's payee named")),
        "ended": (ChangeAction.UPDATE, _("household's payee back to the head")),
    })
    hooks.register_menu_item(
        name="payments.runs",
        label=_("Payments"),
        url_name="payments:runs",
        allowed=selectors.may_read_payments,
        order=70,
    )
    jobs.register_recurring_job(
        name="payments.draft",
        label=_("Draft each county's monthly payroll on its day; book temporary aid paid"),
        schedule=jobs.Daily(datetime.time(1, 0)),
        run=services.payrolls_draft_due,
    )
    register_demo_builder("payments.year", "safetynet.payments.demo:build_payments", order=400)
    hooks.register_desk_queue(name="payments.waiting_account",
                              label=_("Payments failed or held, waiting for the payee's account"),
                              count=selectors.waiting_count, url_name="payments:waiting",
                              roles=[Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.FINANCE_OFFICER])
    hooks.register_household_panel(name="payments.household", template="payments/_household_panel.html",
                                   context=household_panel, roles=selectors.ACCOUNT_READERS, order=60)

    from safetynet.payments.funds import hooks as funds_hooks

    funds_hooks.register()


def household_panel(actor, household) -> dict | None:
    from safetynet.core.privacy import Disclosure
    from safetynet.payments import selectors

    lines = selectors.household_payments(actor=actor, household_id=household.pk)
    payee = selectors.payee_in_force(selectors.household_payees(household_id=household.pk))
    disclosure = Disclosure(actor, channel="page")
    return {"payment_rows": [(line, disclosure.show(line.account)["number"] if line.account_id else "")
                             for line in lines], "household": household, "named_payee": payee}
