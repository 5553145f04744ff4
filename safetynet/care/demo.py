"""The demo city's 特困 care in SPEC §6.8's proportions: of the 特困 persons unable to look after
themselves about two in three (the briefing's 66.59 %) asked, willing and placed in a public home of
their county (with a free bed), a few more willing and waiting; everyone cared for at home with a
designated caregiver and a signed agreement (the briefing's 100 %) whose visiting officer is the
village's coordinator — except a handful still being drawn up or run out, so the desk has work.

Written in bulk (a city's 特困 persons are a few hundred, not a population-scale job), dated by the
demo clock: surveys, admissions and agreements within the last year before the demo's day."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext
from safetynet.core.types import Role

CENTRALISED_SHARE = 0.6659
WAITING_SHARE = 0.05
UNAGREED_SHARE = 0.04


def build_care(context: DemoContext) -> str | None:
    from safetynet.care.models import CareAgreement, Placement, WillingnessSurvey
    from safetynet.care.selectors import tekun_persons
    from safetynet.institutions.selectors import care_institutions

    if WillingnessSurvey.objects.exists() or CareAgreement.objects.exists():
        return None  # a city built again keeps its care records
    clock = context.clock
    rng = context.rng("care")
    people = list(tekun_persons(on=clock.as_of).select_related("person", "household").order_by("person_id"))
    if not people:
        return None
    officials = {
        u.division_id: u
        for _n, u in sorted(context.users.items())
        if u.role in (Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU)
    }
    coordinators = {
        u.division_id: u for _n, u in sorted(context.users.items()) if u.role == Role.VILLAGE_COORDINATOR
    }
    caregiver_login = context.users.get("caregiver")
    homes: dict[str, list] = {}
    for institution in care_institutions().filter(kind="elderly_public").order_by("pk"):
        homes.setdefault(institution.division_id[:6], []).append(institution)
    beds: dict[int, int] = {}
    surveys, placements, agreements = [], [], []
    now = timezone.now()

    def actor_for(village: str):
        return officials.get(village[:9]) or officials.get(village[:6]) or context.users.get("city")

    unable = [e for e in people if e.person.self_care in (2, 3)]
    rng.shuffle(unable)
    to_place = set(e.person_id for e in unable[: round(len(unable) * CENTRALISED_SHARE)])
    to_wait = set(
        e.person_id
        for e in unable[len(to_place) : len(to_place) + max(1, round(len(unable) * WAITING_SHARE))]
    )
    for enrolment in people:
        village = enrolment.household.village_id
        actor = actor_for(village)
        surveyed = clock.day_between(
            rng, clock.as_of - datetime.timedelta(days=200), clock.as_of - datetime.timedelta(days=30)
        )
        willing = enrolment.person_id in to_place or enrolment.person_id in to_wait
        survey = WillingnessSurvey(
            person_id=enrolment.person_id,
            division_id=village,
            surveyed_on=surveyed,
            willing=willing,
            consent_by="person" if rng.random() < 0.7 else "relatives",
            surveyed_by=actor,
            recorded_at=min(clock.moment(rng, surveyed), now),
        )
        if survey.consent_by != "person":
            survey.consenter = _("a relative")
        surveys.append(survey)
        free = [i for i in homes.get(village[:6], []) if beds.get(i.pk, 0) < i.beds]
        if enrolment.person_id in to_place and free:
            home = free[0]
            beds[home.pk] = beds.get(home.pk, 0) + 1
            admitted = clock.day_between(
                rng, surveyed, min(surveyed + datetime.timedelta(days=20), clock.as_of)
            )
            placements.append(
                Placement(
                    person_id=enrolment.person_id,
                    division_id=village,
                    survey=survey,
                    requested_on=surveyed,
                    state="placed",
                    institution=home,
                    bed=f"{100 + beds[home.pk]}",
                    admitted_on=admitted,
                )
            )
            continue
        if willing:
            placements.append(
                Placement(
                    person_id=enrolment.person_id,
                    division_id=village,
                    survey=survey,
                    requested_on=surveyed,
                    state="waiting",
                )
            )
        starts = clock.day_between(
            rng, clock.as_of - datetime.timedelta(days=330), clock.as_of - datetime.timedelta(days=20)
        )
        drawn_only = rng.random() < UNAGREED_SHARE
        ends = starts + datetime.timedelta(days=364)
        agreements.append(
            CareAgreement(
                person_id=enrolment.person_id,
                division_id=village,
                caregiver_kind="person" if rng.random() < 0.8 else "organisation",
                caregiver_name=_("Neighbour %(n)s") % {"n": len(agreements) + 1},
                caregiver_user=caregiver_login
                if caregiver_login and village.startswith(caregiver_login.division_id) and not drawn_only
                else None,
                visiting_officer=coordinators.get(village),
                duties=_(
                    "Daily care, meals, cleaning, heating kept safe, "
                    "a visit at least weekly, reporting illness and "
                    "hazards at once."
                ),
                visit_every_days=7,
                monthly_fee=Decimal(rng.choice(["200", "300", "400"])),
                starts_on=starts,
                ends_on=ends,
                state="draft" if drawn_only else "signed",
                signed_on=None if drawn_only else starts,
                created_by=actor,
                created_at=min(clock.moment(rng, starts), now),
            )
        )
    WillingnessSurvey.objects.bulk_create(surveys)
    for placement in placements:
        placement.survey_id = placement.survey.pk
    Placement.objects.bulk_create(placements)
    CareAgreement.objects.bulk_create(agreements)
    _grant_caregiver(context, [a for a in agreements if a.caregiver_user_id and a.state == "signed"])
    placed = sum(1 for p in placements if p.state == "placed")
    return _(
        "特困 care: %(placed)s of %(unable)s persons unable to look after themselves in centralised care, "
        "%(waiting)s waiting, %(agreements)s care agreements."
    ) % {
        "placed": placed,
        "unable": len(unable),
        "waiting": len(placements) - placed,
        "agreements": sum(1 for a in agreements if a.state == "signed"),
    }


def _grant_caregiver(context: DemoContext, agreements) -> None:
    """The demo's caregiver login sees the persons of its signed agreements, as signing grants them."""
    from safetynet.core.demo import demo_date_grants
    from safetynet.core.grants import grant_create, grants_of_user
    from safetynet.registry.rules import PERSON_GRANT

    given = []
    for agreement in agreements:
        held = (
            grants_of_user(user=agreement.caregiver_user, kind=PERSON_GRANT)
            .filter(object_id=agreement.person_id)
            .exists()
        )
        if not held:
            grant = grant_create(
                actor=None,
                user=agreement.caregiver_user,
                kind=PERSON_GRANT,
                object_id=agreement.person_id,
                reason=_("Care agreement signed"),
            )
            given.append((grant, agreement))
    for grant, agreement in given:
        demo_date_grants(
            grant_ids=[grant.pk],
            at=min(context.clock.moment(context.rng("care.grants"), agreement.signed_on), timezone.now()),
        )
