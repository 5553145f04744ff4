"""The demo city's purchased third-party services: three providers recorded by the city, a contract in
each county (by its county bureau) covering about two thirds of the county's 特困 persons cared for at
home, one staff account of the contract's provider in each county (兰山区's is the demo's "provider"
login), and services logged this month for nearly all of them — so that the coverage reads as the
briefing's (64.68 % of dispersed 特困 persons served by third parties).

Written through the services (grants and history included). Services are logged within 30 days of
being given, so they are logged only when the demo's day is today or close to it."""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.care.models import ContractPerson, ServiceKind
from safetynet.care.purchase import services
from safetynet.care.selectors import dispersed_persons
from safetynet.core.demo import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DemoContext,
    demo_photo,
    not_after_now,
)
from safetynet.core.selectors import users_by_username
from safetynet.core.services import user_bulk_set_password, user_create
from safetynet.core.types import Role

PROVIDERS = [
    ("临沂市颐康居家养老服务中心", "52371300MJD1234561", "王颐康", "0539-8123456"),
    ("临沂市暖心社会工作服务社", "52371300MJD2345672", "李暖心", "0539-8234567"),
    ("临沂市乐龄为老服务有限公司", "91371300MA3C456783", "张乐龄", "0539-8345678"),
]
COVERED_SHARE = 0.66  # of each county's dispersed persons
SERVED_SHARE = 0.98  # of the covered, given a service this month
DONE = ["打扫卫生、换洗衣物", "陪同聊天，了解近况", "代购米面油和药品", "测量血压，提醒按时服药"]


def _staff_account(context: DemoContext, county: str, slug: str):
    """The provider's worker in the county: the demo's provider login in 兰山区, else one made here."""
    login = context.users.get("provider")
    if login is not None and login.division_id == county:
        return login
    username = f"provider-{slug}"
    user = users_by_username([username]).get(username)
    if user is None:
        user = user_create(
            username=username,
            role=Role.SERVICE_PROVIDER,
            division_code=county,
            password=None,
            name=_("Care worker"),
        )
        user_bulk_set_password(users=[user], password=DEMO_PASSWORD, email_domain=DEMO_EMAIL_DOMAIN)
    return user


def build_purchase(context: DemoContext) -> str | None:
    from safetynet.care.purchase.selectors import provider_list, service_coverage

    city = context.users.get("city")
    if city is None or provider_list(actor=city).exists():
        return None
    if abs((timezone.localdate() - context.clock.as_of).days) > 7:
        # Contracts run from this month and services are logged within 30 days: a city built as of an
        # earlier day has none, rather than contracts dated after its day.
        return _("No purchased services: the demo's day is not today.")
    rng = context.rng("care.purchase")
    providers = [
        services.provider_create(
            actor=city, data={"name": name, "credit_code": code, "contact": contact, "phone": phone}
        )
        for name, code, contact, phone in PROVIDERS
    ]
    counties = sorted(
        (user.division_id, name)
        for name, user in context.users.items()
        if user.role == Role.COUNTY_BUREAU and len(user.division_id) == 6
    )
    # One contract per county (a county has a second bureau login in the demo: not a second contract).
    counties = sorted({county: slug for county, slug in reversed(counties)}.items())
    today = timezone.localdate()
    recent = (today - context.clock.as_of).days <= 20
    month_start = today.replace(day=1)
    covered_count = logged = 0
    for index, (county, slug) in enumerate(counties):
        county_user = context.users[slug]
        persons = list(
            dispersed_persons(on=today, area=county).order_by("person_id").values_list("person_id", flat=True)
        )
        if not persons:
            continue
        provider = providers[index % len(providers)]
        worker = _staff_account(context, county, slug)
        if services.provider_of(worker) is None:
            # The city bureau recorded the providers: it names their staff.
            services.provider_staff_add(actor=city, provider=provider, user=worker)
        contract = services.contract_create(
            actor=county_user,
            provider=provider,
            data={
                "area": county,
                "title": _("Home care services for 特困 persons, %(year)s") % {"year": today.year},
                "starts_on": month_start,
                "ends_on": datetime.date(today.year, 12, 31),
                "budget": context.scaled_money(Decimal(1_200_000)),
                "kinds": list(ServiceKind.values),
            },
        )
        chosen = [pk for pk in persons if rng.random() < COVERED_SHARE]
        for pk in chosen:
            services.contract_person_add(actor=county_user, contract=contract, person_id=pk)
        # Covered since the contract began (the service dates a person's cover from the day it is added).
        covered = ContractPerson.objects.filter(contract=contract, person_id__in=chosen)
        covered.update(added_on=contract.starts_on)
        covered_count += len(chosen)
        if not recent:
            continue
        for pk in chosen:
            if rng.random() >= SERVED_SHARE:
                continue
            earliest = max(month_start, today - datetime.timedelta(days=10))
            day = earliest + datetime.timedelta(days=rng.randrange((today - earliest).days + 1))
            started = not_after_now(context.clock.moment(rng, day))
            ended = min(started + datetime.timedelta(minutes=rng.randrange(30, 120)), timezone.now())
            services.service_log_create(
                actor=worker,
                person_id=pk,
                submission=uuid.UUID(int=rng.getrandbits(128)),
                data={
                    "kind": rng.choice(ServiceKind.values),
                    "started_at": started,
                    "ended_at": ended,
                    "place": _("At the person's home"),
                    "done": rng.choice(DONE),
                },
                photo=demo_photo(rng, "service.jpg") if rng.random() < 0.2 else None,
            )
            logged += 1
    coverage = service_coverage(area=city.division_id)
    return _(
        "%(providers)s service providers; %(covered)s persons covered, %(logged)s services logged; "
        "third-party service coverage %(rate)s %%."
    ) % {"providers": len(providers), "covered": covered_count, "logged": logged, "rate": coverage["rate"]}
