"""The bulk path (imports, the demo city) refuses exactly what a clerk's entry through the
single-record services refuses: households drawn by hypothesis, good and bad in many ways at once,
go through both, and the two must agree on every one."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import person_data
from safetynet.registry import bulk, services

pytestmark = pytest.mark.django_db

BORN = datetime.date(1960, 5, 4)
# Each household is good but for a few faults drawn from these (none, one or several at once).
FAULTS = {
    "name": ["", "王\x00山", "欧阳" * 40, "  张三  "],
    "sex": [3, 2],
    "relation": ["01", "11", "12", "20", "30", "99"],
    "birth": ["another day", "in the future"],
    "number": ["bad check character", "too short"],
    "spouse name": ["", "李\x1b英"],
    "spouse sex": [1],
    "spouse relation": ["02", "11", "99", "20"],
    "spouse number": ["the head's"],
    "heating": ["5", "9", "x"],
    "phone": ["1391234567890123", "电话", "13912345678"],
    "amount": [Decimal("0"), Decimal("-5"), Decimal("12.345"), Decimal("1e15"), None],
    "period": ["reversed"],
}
DRAWS = st.dictionaries(
    st.sampled_from(sorted(FAULTS)), st.integers(min_value=0, max_value=5), max_size=3
).map(lambda chosen: {k: FAULTS[k][i % len(FAULTS[k])] for k, i in chosen.items()})


class _Refused(Exception):
    pass


def _member(village, *, name, sex, relation, birth, number) -> dict:
    data = person_data(village, name=name, sex=sex if sex in (1, 2) else 1, born=BORN)
    data["sex"] = sex
    if birth == "another day":
        data["birth_date"] = BORN + datetime.timedelta(days=3)
    elif birth == "in the future":
        data["birth_date"] = datetime.date.today() + datetime.timedelta(days=30)
    if number == "bad check character":
        last = data["id_number"][17]
        data["id_number"] = data["id_number"][:17] + ("0" if last != "0" else "1")
    elif number == "too short":
        data["id_number"] = data["id_number"][:16]
    return data | {"relation": relation}


def _through_services(actor, village, record: bulk.HouseholdRecord) -> bool:
    """True when the services store the household; nothing stays either way."""
    try:
        with transaction.atomic():
            people = []
            for member in record.members:
                data = {k: v for k, v in member.items() if k != "relation"}
                people.append(services.person_create(actor=actor, data=data)[0])
            household = services.household_create(
                actor=actor,
                data=record.household | {"village": village},
                head=people[0],
                head_relation=record.members[0]["relation"],
            )
            for person, member in zip(people[1:], record.members[1:], strict=True):
                services.member_add(
                    actor=actor, household=household, person=person, relation=member["relation"]
                )
            for item in record.income:
                data = {k: v for k, v in item.items() if k != "member_index"}
                services.income_item_create(
                    actor=actor, household=household, data=data | {"person": people[item["member_index"]]}
                )
            raise _Refused("stored: roll back")
    except (ValidationError, PermissionDenied):
        return False
    except _Refused:
        return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(faults=DRAWS, with_spouse=st.booleans())
def test_bulk_refuses_exactly_what_the_services_refuse(lanshan_village, county_user, faults, with_spouse):
    members = [
        _member(
            lanshan_village,
            name=faults.get("name", "王大山"),
            sex=faults.get("sex", 1),
            relation=faults.get("relation", "02"),
            birth=faults.get("birth"),
            number=faults.get("number"),
        )
    ]
    if with_spouse:
        spouse = _member(
            lanshan_village,
            name=faults.get("spouse name", "李秀英"),
            sex=faults.get("spouse sex", 2),
            relation=faults.get("spouse relation", "10"),
            birth=None,
            number=None,
        )
        if faults.get("spouse number") == "the head's":
            spouse["id_number"] = members[0]["id_number"]
        members.append(spouse)
    start, end = datetime.date(2021, 12, 1), datetime.date(2022, 11, 30)
    if faults.get("period") == "reversed":
        start, end = end, start
    amount = faults.get("amount", Decimal("1200"))
    income = (
        []
        if amount is None
        else [
            {
                "member_index": 0,
                "category": "wage",
                "amount": amount,
                "period_start": start,
                "period_end": end,
            }
        ]
    )
    record = bulk.HouseholdRecord(
        key="drawn",
        household={
            "village": lanshan_village.code,
            "address": "幸福路1号",
            "urban_rural": "rural",
            "heating": faults.get("heating", "2"),
            "phone": faults.get("phone", ""),
        },
        members=members,
        income=income,
    )
    stored_by_services = _through_services(county_user, lanshan_village, record)
    refused_by_bulk = bulk.household_bulk_check(actor=county_user, records=[record])
    event("stored" if stored_by_services else "refused")

    assert stored_by_services == (not refused_by_bulk), (
        f"faults {faults}: services {'stored' if stored_by_services else 'refused'} it; "
        f"bulk said {refused_by_bulk}"
    )
