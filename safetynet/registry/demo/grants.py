"""The demo city's grants (core.grants): the 兰山区 service provider's contract and the caregiver's
charges, so that those logins show what they would in use — the persons granted to them and no
one else. A contract's size is a fact of the contract, not of the city: it is not scaled."""

from django.utils.translation import gettext as _

from safetynet.core.clock import start_of_day
from safetynet.core.demo import DemoContext, demo_date_grants, not_after_now
from safetynet.core.grants import grant_create
from safetynet.registry import selectors
from safetynet.registry.rules import PERSON_GRANT

# Who is granted whom: login → (how many persons, why), in 兰山区, the oldest registered members first
# (those a purchased care service or a caregiver visits).
GRANTEES = {
    "provider": (5, "购买服务合同：居家照料服务"),
    "caregiver": (3, "分散供养照料协议"),
}
GRANTING_LOGIN = "lanshan"


def build_grants(context: DemoContext) -> str | None:
    county = context.users.get(GRANTING_LOGIN)
    if county is None:
        return None
    oldest = list(
        selectors.person_list(actor=county)
        .filter(memberships__left_on__isnull=True)
        # registered before any contract of the last three months could name them
        .filter(created_at__lt=start_of_day(context.clock.days_ago(90)))
        .order_by("birth_date", "pk")
        .values_list("pk", flat=True)[: sum(count for count, _reason in GRANTEES.values())]
    )
    rng = context.rng("registry.grants")
    given = 0
    for login, (count, reason) in GRANTEES.items():
        grantee = context.users.get(login)
        if grantee is None:
            continue
        chosen, oldest = oldest[:count], oldest[count:]
        # A contract of the last three months, dated by the demo clock like everything else.
        at = not_after_now(context.clock.moment(rng, context.clock.recent(rng, 90)))
        made = [grant_create(actor=county, user=grantee, kind=PERSON_GRANT, object_id=pk, reason=reason)
                for pk in chosen]
        demo_date_grants(grant_ids=[grant.pk for grant in made], at=at)
        given += len(made)
    return _("%(count)s persons granted to the demo's service provider and caregiver.") % {"count": given}
