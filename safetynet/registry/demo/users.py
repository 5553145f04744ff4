"""The demo city's logins: who they are (`plan_users`, pure) and making them (`_ensure_users`)."""

import random

from django.utils.translation import gettext as _

from safetynet.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from safetynet.core.ids import SEX_FEMALE, SEX_MALE
from safetynet.core.selectors import users_by_username
from safetynet.core.services import user_bulk_set_password, user_create
from safetynet.core.types import Role, User
from safetynet.registry.demo.city import CITY_CODE, COUNTIES
from safetynet.registry.demo.plans import UserPlan, VillagePlan, _Draw, township_slug


def plan_users(townships: dict[str, str], villages: list[VillagePlan], rng: random.Random) -> list[UserPlan]:
    """One login for every role and level: the city, each county, each demo township and its first village."""
    draw = _Draw(rng)

    def person_name() -> str:
        sex = SEX_MALE if rng.random() < 0.5 else SEX_FEMALE
        return draw.surname() + draw.given_name(sex, draw.birth(25, 55))

    users = [
        UserPlan("city", Role.CITY_BUREAU, CITY_CODE, person_name(), draw.phone()),
        UserPlan("rescue", Role.RESCUE_STATION, CITY_CODE, person_name(), draw.phone()),
        UserPlan("inspector", Role.INSPECTOR, CITY_CODE, person_name(), draw.phone()),
        UserPlan("institution", Role.INSTITUTION_STAFF, "371302", person_name(), draw.phone()),
        UserPlan("provider", Role.SERVICE_PROVIDER, "371302", person_name(), draw.phone()),
    ]
    for county, (slug, *_rest) in COUNTIES.items():
        users.append(UserPlan(slug, Role.COUNTY_BUREAU, county, person_name(), draw.phone()))
    first_village: dict[str, str] = {}
    for village in sorted(villages, key=lambda v: v.code):
        first_village.setdefault(village.code[:9], village.code)
    taken = {u.username for u in users}
    for township in sorted(first_village):
        username = f"{COUNTIES[township[:6]][0]}-{township_slug(townships[township])}"
        if username in taken:
            username = f"{username}{township[-3:]}"
        taken.add(username)
        users.append(UserPlan(username, Role.TOWNSHIP_OFFICE, township, person_name(), draw.phone()))
        village = first_village[township]
        for suffix, role in (("coord", Role.VILLAGE_COORDINATOR), ("grid", Role.GRID_WORKER)):
            users.append(UserPlan(f"{username}-{suffix}", role, village, person_name(), draw.phone()))
    return users



def _ensure_users(plans: list[UserPlan]) -> tuple[dict[str, User], int]:
    """The plan's users, made through core's user services where missing; all get the demo password."""
    existing = users_by_username(p.username for p in plans)
    made = []
    for plan in plans:
        user = existing.get(plan.username)
        if user is not None and (user.role, user.division_id) != (plan.role, plan.division):
            raise ValueError(_("A user %(username)s exists already with another role or area; the demo city "
                               "needs that name for its own login.") % {"username": plan.username})
        if user is None:
            existing[plan.username] = user = user_create(
                username=plan.username, role=plan.role, division_code=plan.division, password=None,
                name=plan.name, phone=plan.phone,
            )
            made.append(user)
    if made:
        user_bulk_set_password(users=made, password=DEMO_PASSWORD, email_domain=DEMO_EMAIL_DOMAIN)
    return existing, len(made)


