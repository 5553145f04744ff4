"""What 特困 care adds to the kernel and the shared pages (called from CareConfig.ready)."""


def register() -> None:
    from safetynet.care import events

    events.declare()

    from safetynet.care.purchase import hooks as purchase_hooks  # issue 14, item 4

    purchase_hooks.register()
