"""Writing the demo city: planned households to the registry through its bulk service (planned a
chunk ahead by a second process), or one by one through the single-record services."""

import contextlib
import datetime
import itertools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.batch import batch_work
from safetynet.core.demo import DemoClock, DemoContext, demo_date_accounts, demo_date_history, not_after_now
from safetynet.core.selectors import divisions_by_code, divisions_under, users_by_username
from safetynet.core.services import village_bulk_create
from safetynet.core.types import DivisionLevel, Role, User
from safetynet.registry import bulk, services
from safetynet.registry.demo.city import CITY_CODE, DEMO_CACHE_MB
from safetynet.registry.demo.layout import plan_households, plan_layout
from safetynet.registry.demo.plans import CityLayout, HouseholdPlan, PersonPlan
from safetynet.registry.demo.users import _ensure_users
from safetynet.registry.models import Household, Person

# --- writing a plan ----------------------------------------------------------------------------

LOGINS_MADE_AT = datetime.time(8, 0)  # on the first day of the demo's history

@dataclass
class BuildResult:
    households: int
    persons: int
    villages: int
    new_villages: int
    users: int
    new_users: int
    seconds: float
    warnings: list[str] = field(default_factory=list)
    logins: dict[str, User] = field(default_factory=dict)  # the demo's users, by username
    village_codes: list[str] = field(default_factory=list)  # the villages holding households


PERSON_PLAN_FIELDS = [
    "id_number", "name", "sex", "birth_date", "ethnicity", "phone", "marital", "education", "employment",
    "labour_capacity", "health", "disability_category", "disability_grade", "disability_cert_no",
    "serious_illness", "mental_illness", "self_care", "in_school", "status",
]


# The person's fields that hold a code (some set from codes' TextChoices members): written as plain
# strings, as a form or a spreadsheet gives them.
CODE_FIELDS = {"ethnicity", "marital", "education", "employment", "labour_capacity", "health",
               "serious_illness", "status"}


def _person_data(member: PersonPlan, plan: HouseholdPlan, village) -> dict:
    values = {name: getattr(member, name) for name in PERSON_PLAN_FIELDS}
    for name in CODE_FIELDS:
        values[name] = str(values[name])
    return values | {
        "hukou_division": village, "residence_division": village, "address": plan.address,
        "urban_rural": plan.urban_rural,
    }


def _household_data(plan: HouseholdPlan, village, workers: dict) -> dict:
    return {"village": village, "address": plan.address, "urban_rural": plan.urban_rural, "phone": plan.phone,
            "housing_status": plan.housing_status, "house_structure": plan.house_structure,
            "floor_area": plan.floor_area, "heating": plan.heating, "co_alarm": plan.co_alarm,
            "grid_worker": workers.get(Role.GRID_WORKER),
            "coordinator": workers.get(Role.VILLAGE_COORDINATOR)}


def _joined_on(plan: HouseholdPlan, member: PersonPlan) -> datetime.date:
    return max(plan.joined_on, member.birth_date)


def _write_through_services(
    plans: list[HouseholdPlan], *, actor: User, villages: dict, workers: dict,
) -> list[str]:
    """One household at a time through the registry services: every check a clerk's entry gets."""
    warnings = []
    for plan in plans:
        village = villages[plan.village]
        people = []
        for member in plan.members:
            data = _person_data(member, plan, village)
            person, person_warnings = services.person_create(actor=actor, data=data)
            warnings += person_warnings
            people.append(person)
        household = services.household_create(
            actor=actor, data=_household_data(plan, village, workers.get(plan.village, {})), head=people[0],
            head_relation=plan.members[0].relation, joined_on=_joined_on(plan, plan.members[0]),
        )
        for person, member in zip(people[1:], plan.members[1:], strict=True):
            services.member_add(actor=actor, household=household, person=person, relation=member.relation,
                                exclusion=member.exclusion, joined_on=_joined_on(plan, member))
        for create, items in ((services.income_item_create, plan.incomes),
                              (services.asset_item_create, plan.assets),
                              (services.expense_create, plan.expenses)):
            for item in items:
                create(actor=actor, household=household, data=item.values | {"person": people[item.member]})
        _date_by_clock(household, people, not_after_now(plan.registered_at))
    return warnings


def _date_logins(made: list[User], clock: DemoClock) -> None:
    """The demo's logins were there when its history starts: their accounts and the history of
    their making are dated then, not by the wall clock."""
    at = not_after_now(timezone.make_aware(datetime.datetime.combine(clock.history_start, LOGINS_MADE_AT)))
    demo_date_accounts(user_ids=[user.pk for user in made], at=at)


def _date_by_clock(household: Household, people: list[Person], at: datetime.datetime) -> None:
    """Give what the services just wrote for one household the demo clock's time instead of the wall
    clock's: its rows' timestamps and its history (as the bulk path writes them at once). The
    demo's own dating, inside the batch's transaction: not a change anyone made."""
    pks = [person.pk for person in people]
    Household.objects.filter(pk=household.pk).update(created_at=at, updated_at=at)
    Person.objects.filter(pk__in=pks).update(created_at=at, updated_at=at)
    demo_date_history(subjects={"household": [household.pk], "person": pks}, at=at)


def household_record(plan: HouseholdPlan, workers: dict, key: str) -> bulk.HouseholdRecord:
    """A planned household as the bulk services take it (divisions by code)."""
    members = [
        _person_data(member, plan, plan.village) | {
            "relation": member.relation, "co_living": not member.exclusion,
            "exclusion": str(member.exclusion), "joined_on": _joined_on(plan, member),
        }
        for member in plan.members
    ]
    return bulk.HouseholdRecord(
        key=key,
        household=_household_data(plan, plan.village, workers.get(plan.village, {})),
        members=members,
        income=[item.values | {"member_index": item.member} for item in plan.incomes],
        assets=[item.values | {"member_index": item.member} for item in plan.assets],
        expenses=[item.values | {"member_index": item.member} for item in plan.expenses],
        at=not_after_now(plan.registered_at),
    )


def build_city(
    *, households: int, seed: int, clock: DemoClock, batch: int = 2000, through_services: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Write the demo city for (households, seed), dated by `clock`: each household registered on
    its day (its rows, members and history dated then), its money dated before it.

    Precondition: the registry holds none of the plan's people (the command checks it is empty).
    Villages and users already present are kept, so a registry emptied and built again with the
    same seed comes out the same. Households are planned and written `batch` at a time through
    registry.bulk.household_bulk_create, each batch in its own transaction; `through_services`
    writes each household through the single-record services instead, as a clerk's entry would
    be (the reference the bulk path is tested against, far slower). `progress(done, total)` is
    called after each batch.
    """
    started = time.monotonic()
    townships = list(
        divisions_under(CITY_CODE, level=DivisionLevel.TOWNSHIP).values_list("code", "name")
    )
    layout = plan_layout(households=households, seed=seed, townships=townships, clock=clock)
    with transaction.atomic():
        rows = [(v.code, v.name, v.urban_rural) for v in layout.villages]
        new_villages = village_bulk_create(villages=rows)
        known = set(users_by_username(p.username for p in layout.users))
        users, new_users = _ensure_users(layout.users)
        _date_logins([user for name, user in users.items() if name not in known], clock)
    actor = users["city"]
    workers: dict[str, dict] = {}
    for user_plan in layout.users:
        if user_plan.role in (Role.GRID_WORKER, Role.VILLAGE_COORDINATOR):
            workers.setdefault(user_plan.division, {})[user_plan.role] = users[user_plan.username]
    warnings: list[str] = []
    done = persons = 0
    if through_services:
        villages = divisions_by_code(v.code for v in layout.villages)
        plans = plan_households(layout)
        while chunk := list(itertools.islice(plans, batch)):
            with transaction.atomic():
                warnings += _write_through_services(chunk, actor=actor, villages=villages, workers=workers)
            persons += sum(len(plan.members) for plan in chunk)
            done += len(chunk)
            if progress:
                progress(done, layout.households)
    else:
        staff = {village: {role: u.pk for role, u in roles.items()} for village, roles in workers.items()}
        with batch_work(DEMO_CACHE_MB), _planned_ahead(layout, staff, batch) as chunks:
            for records, people in chunks:
                result = bulk.household_bulk_create(actor=actor, records=records, batch_size=batch)
                if result.rejected:
                    key, errors = result.rejected[0]
                    raise ValueError(_("The demo city planned a household the registry rejects (no. %(key)s: "
                                       "%(errors)s).") % {"key": key, "errors": errors})
                warnings += [warning for _key, warning in result.warnings]
                persons += people
                done += len(records)
                if progress:
                    progress(done, layout.households)
    return BuildResult(
        households=done, persons=persons, villages=len(layout.villages),
        new_villages=new_villages, users=len(layout.users), new_users=new_users,
        seconds=time.monotonic() - started, warnings=warnings,
        logins={plan.username: users[plan.username] for plan in layout.users},
        village_codes=[v.code for v in layout.villages if v.households],
    )


def build_households(context: DemoContext) -> str:
    """The registry's demo-city builder (registered in RegistryConfig.ready, order 100): the villages,
    the logins and the households, which every later builder builds on. Leaves the logins and
    villages in the context, and its BuildResult under "registry"."""
    shown = [0]

    def progress(done: int, total: int) -> None:
        # A large city takes minutes: say how far it has got, every tenth or so.
        if total >= 50_000 and (done == total or done * 10 // total > shown[0]):
            shown[0] = done * 10 // total
            context.report(_("%(done)s of %(total)s households written.") % {"done": done, "total": total})

    result = build_city(households=context.households, seed=context.seed, clock=context.clock,
                        through_services=bool(context.options.get("through_services")), progress=progress)
    context.users.update(result.logins)
    context.villages += result.village_codes
    context.results["registry"] = result
    context.warnings += result.warnings
    return (
        _("Demo city built in %(seconds).1f s: %(households)s households, %(persons)s people, "
          "%(villages)s villages and communities (%(new_villages)s new), %(users)s users "
          "(%(new_users)s new).")
        % {"seconds": result.seconds, "households": result.households, "persons": result.persons,
           "villages": result.villages, "new_villages": result.new_villages, "users": result.users,
           "new_users": result.new_users}
    )


def _planned_chunks(layout: CityLayout, workers: dict, batch: int) -> Iterator[tuple[list, int]]:
    """The city's households as chunks of (records for the bulk service, how many people)."""
    plans = plan_households(layout)
    done = 0
    while chunk := list(itertools.islice(plans, batch)):
        records = [household_record(plan, workers, str(done + i + 1)) for i, plan in enumerate(chunk)]
        done += len(chunk)
        yield records, sum(len(plan.members) for plan in chunk)


@contextlib.contextmanager
def _planned_ahead(layout: CityLayout, workers: dict, batch: int):
    """`_planned_chunks`, planned by a second process a chunk ahead of the writer.

    Planning is pure Python and touches no database: on a machine with two cores it costs the
    build no wall time. The process is forked, so it starts at once with the layout in hand; it
    never touches the parent's database connections and leaves without closing them (os._exit).
    Chunks arrive in the plan's order: the city is the same as planned in line. Where fork is not
    available, the writer plans in line.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield _planned_chunks(layout, workers, batch)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    planner = context.Process(target=_plan_into, args=(sender, layout, workers, batch), daemon=True)
    planner.start()
    sender.close()

    def chunks():
        while (item := receiver.recv()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    try:
        yield chunks()
    finally:
        receiver.close()
        if planner.is_alive():
            planner.terminate()
        planner.join()


def _plan_into(sender, layout: CityLayout, workers: dict, batch: int) -> None:
    """The planning process: chunks down the pipe, then None (or the error that stopped it)."""
    try:
        for chunk in _planned_chunks(layout, workers, batch):
            sender.send(chunk)
        sender.send(None)
    except BrokenPipeError:  # the writer stopped
        pass
    except BaseException as error:  # noqa: BLE001 - handed to the writer, which raises it
        with contextlib.suppress(Exception):
            sender.send(RuntimeError(f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
        os._exit(0)  # not sys.exit: the parent's connections must not be closed from here
