"""What 特困 care adds to the kernel and the shared pages (called from CareConfig.ready): its history
events, the evidence of surveys and agreements, the menu, and the desk — agreements ending within a
month, persons at home without a signed agreement."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def agreements_ending_items(actor, until):
    from safetynet.care import selectors
    from safetynet.core import hooks
    from safetynet.core.workflows.table import end_of_day

    horizon = max(timezone.localtime(until).date(), timezone.localdate() + datetime.timedelta(days=30))
    return [
        hooks.DeskItem(
            kind=_("Care agreement ending"),
            title=f"{agreement.person.name} · {agreement.caregiver_name}",
            url=reverse("care:person", args=[agreement.person_id]),
            due_at=end_of_day(agreement.ends_on, timezone.get_current_timezone()),
            note=_("renew it or draw up the next"),
        )
        for agreement in selectors.agreements_ending(actor=actor, until=horizon)[:200]
    ]


def register() -> None:
    from safetynet.care import events, selectors
    from safetynet.core import hooks
    from safetynet.core.types import Role
    from safetynet.core.workflows.table import register_evidence_subject

    events.declare()
    register_evidence_subject("care.survey", selectors.READ_ROLES)
    register_evidence_subject("care.agreement", selectors.READ_ROLES)
    hooks.register_menu_item(name="care.home", label=gettext_lazy("特困 care"), url_name="care:persons",
                             allowed=selectors.may_read_care, order=65)
    hooks.register_menu_item(name="care.residents", label=gettext_lazy("特困 residents"),
                             url_name="care:residents", roles=[Role.INSTITUTION_STAFF], order=66)
    hooks.register_desk_source(name="care.agreements_ending", items=agreements_ending_items,
                               roles=selectors.WRITE_ROLES)
    from safetynet.care import services
    from safetynet.core import jobs
    from safetynet.core.demo import register_demo_builder

    jobs.register_recurring_job(
        name="care.terms_end",
        label=gettext_lazy("End care agreements and service contracts whose term has run out"),
        schedule=jobs.Daily(datetime.time(0, 30)),
        run=services.care_terms_end,
    )

    register_demo_builder("care.care", "safetynet.care.demo:build_care", order=350)
    hooks.register_desk_queue(name="care.agreements_missing",
                              label=gettext_lazy("特困 persons at home without a signed care agreement"),
                              count=selectors.agreements_missing, url_name="care:persons",
                              roles=selectors.WRITE_ROLES)

    from safetynet.care.purchase import hooks as purchase_hooks  # issue 14, item 4

    purchase_hooks.register()

    from safetynet.care.visits import hooks as visit_hooks

    visit_hooks.register()
