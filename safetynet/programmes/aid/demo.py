"""The demo city's temporary aid: in the first townships with demo logins, a few emergencies
recorded and paid through the same services the pages use — one for a traveller registered in
another county, paid first within the day, one paid but with its paperwork late, one just
reported and waiting to be paid, one for a traveller registered nowhere, paid in two stages and
closed — and the county's heating aid for this winter to the households receiving 低保 or 特困.

Each step at its own moment in the past, so the 24 hours and the 5 days run from those moments."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext
from safetynet.core.ids import make_id_number
from safetynet.core.types import Role
from safetynet.core.workflows.services import case_transition
from safetynet.programmes.aid import services
from safetynet.programmes.models import TemporaryAid
from safetynet.registry.models import Person

TOWNSHIPS = 2  # townships with demo emergencies
WALK_COUNTY = "371302"  # 兰山区: payments leaves its current month for the walk
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def build_temporary_aid(context: DemoContext) -> str | None:
    if abs((timezone.localdate() - context.clock.as_of).days) > 7:
        return _("No temporary aid: its deadlines run from today, and the demo's day is not today.")
    logins = sorted(context.users.items())
    townships = [user for _name, user in logins if user.role == Role.TOWNSHIP_OFFICE][:TOWNSHIPS]
    counties = {user.division_id: user for _name, user in logins if user.role == Role.COUNTY_BUREAU}
    now = timezone.now()
    made = 0
    for township in townships:
        made += _emergencies(township, now)
    # The staged aid in the county whose current payroll is left for the walk (兰山区), else the first.
    walk = [
        user
        for _name, user in logins
        if user.role == Role.TOWNSHIP_OFFICE and user.division_id[:6] == WALK_COUNTY
    ]
    for township in (walk or townships)[:1]:
        if township.division_id[:6] in counties:
            made += _staged(township, counties[township.division_id[:6]], now)
    granted = 0
    today = timezone.localdate()
    season = today.year if today.month >= 7 else today.year - 1
    for code, county in sorted(counties.items())[:1]:
        granted += services.heating_aid_grant(
            actor=county, area_code=code, season=season, programmes=["dibao", "tekun"], on=today, amount="300"
        ).granted
    return _("%(aid)s emergencies of temporary aid; heating aid to %(heated)s households.") % {
        "aid": made,
        "heated": granted,
    }


def _elsewhere(county: str) -> Person | None:
    """Someone registered in another county of the city (a traveller here)."""
    return (
        Person.objects.exclude(area__code__startswith=county)
        .filter(area_id__isnull=False)
        .order_by("pk")
        .first()
    )


def _local(township: str) -> Person | None:
    return Person.objects.filter(area__code__startswith=township).order_by("pk").first()


def _pay(actor, aid, amount, at, approved=None, means="cash", note=""):
    aid.refresh_from_db()
    return services.aid_pay(
        actor=actor,
        aid_id=aid.pk,
        version=aid.version,
        amount=amount,
        means=means,
        from_reserve=True,
        note=note,
        approved_amount=approved,
        paid_at=at,
    )


def _paperwork(actor, aid, at):
    aid.refresh_from_db()
    return services.paperwork_complete(
        actor=actor,
        aid_id=aid.pk,
        version=aid.version,
        registrar=actor.get_full_name() or actor.username,
        signatories=[aid.name, actor.get_full_name() or actor.username],
        note="",
        at=at,
    )


def _emergencies(township, now) -> int:
    code = township.division_id
    made = 0
    traveller = _elsewhere(code[:6])
    if traveller is not None:
        # A traveller from another county: a traffic accident, paid first within 6 hours, paperwork on time.
        reported = now - 3 * DAY
        aid = services.emergency_report(
            actor=township,
            area_code=code,
            cause="traffic",
            what="途经本镇时遭遇交通事故，身无分文，需先行救助",
            name=traveller.name,
            id_number=traveller.id_number,
            home_place=traveller.address or "外县",
            reported_at=reported,
        )
        _pay(township, aid, "1500", reported + 6 * HOUR, approved="2000")
        _paperwork(township, aid, reported + 2 * DAY)
        made += 1
    local = _local(code)
    # A fire, paid the same day, and its paperwork not completed: late past its 5 working days
    # whatever the hour or the week the city is built in (three weeks hold them, holidays and all).
    reported = now - 21 * DAY
    late = services.emergency_report(
        actor=township,
        area_code=code,
        cause="fire",
        what="家中失火，衣物被褥烧毁",
        person_id=local.pk if local else None,
        name="" if local else "赵临时",
        reported_at=reported,
    )
    _pay(township, late, "2000", reported + 3 * HOUR, means="in_kind", note="棉被两床、米面油")
    made += 1
    # Just reported: waiting to be paid within 24 hours.
    services.emergency_report(
        actor=township,
        area_code=code,
        cause="illness",
        what="突发重病住院，家中无力支付押金",
        person_id=local.pk if local else None,
        name="" if local else "钱急病",
        reported_at=now - 2 * HOUR,
    )
    made += 1
    # A traveller registered nowhere in the city: paid in two stages, paperwork done, closed.
    reported = now - 20 * DAY
    stranger = services.emergency_report(
        actor=township,
        area_code=code,
        cause="hardship",
        what="外地务工人员滞留，无力返乡",
        name="孙旅人",
        id_number=make_id_number("410102", datetime.date(1985, 3, 4), 17),
        home_place="河南省郑州市",
        phone="13700000000",
        reported_at=reported,
    )
    _pay(township, stranger, "500", reported + 4 * HOUR, approved="800")
    _paperwork(township, stranger, reported + 3 * DAY)
    _pay(township, stranger, "300", reported + 4 * DAY, means="bank")
    stranger = TemporaryAid.objects.select_related("case").get(pk=stranger.pk)
    case_transition(
        actor=township,
        case_id=stranger.case_id,
        transition="close",
        version=stranger.case.version,
        at=reported + 5 * DAY,
    )
    made += 1
    return made


def _staged(township, county, now) -> int:
    """A fire above the township's cap, referred to the county, which pays it in three monthly
    stages through its payroll (the first in this month's, to the household head's account)."""
    from safetynet.programmes.models import Enrolment

    enrolled = (
        Enrolment.objects.filter(
            programme="dibao", until__isnull=True, household__village__code__startswith=township.division_id
        )
        .select_related("household")
        .order_by("pk")
        .first()
    )
    if enrolled is None:
        return 0
    aid = services.emergency_report(
        actor=township,
        area_code=enrolled.household.village_id,
        cause="fire",
        what="房屋失火烧毁，需重建安置，超过乡镇审批额度",
        person_id=enrolled.household.head_id,
        reported_at=now - DAY,
    )
    aid = services.aid_refer_county(
        actor=township, aid_id=aid.pk, version=aid.version, amount="9000", reason="房屋烧毁，需重建安置"
    )
    services.aid_county_decide(
        actor=county,
        aid_id=aid.pk,
        version=aid.version,
        amount="9000",
        reason="一事一议：分三个月经发放名册发放",
        stages=3,
    )
    return 1
