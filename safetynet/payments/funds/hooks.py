"""The funds pages in the main menu (called from payments.hooks.register)."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from safetynet.core import hooks
    from safetynet.payments.funds import selectors

    hooks.register_menu_item(
        name="payments.funds",
        label=_("Funds statistics"),
        url_name="payments_funds:funds",
        allowed=selectors.may_read_funds,
        order=71,
    )
    hooks.register_menu_item(
        name="payments.ledger",
        label=_("Ledger"),
        url_name="payments_funds:ledger",
        allowed=selectors.may_read_funds,
        order=72,
    )
    hooks.register_menu_item(
        name="payments.reserves",
        label=_("Reserve funds"),
        url_name="payments_funds:reserves",
        allowed=selectors.may_read_reserves,
        order=73,
    )
