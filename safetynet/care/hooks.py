"""What 特困 care adds to the kernel and the shared pages (called from CareConfig.ready)."""


def register() -> None:
    from safetynet.care import events

    events.declare()

    from safetynet.care.visits import hooks as visit_hooks

    visit_hooks.register()
