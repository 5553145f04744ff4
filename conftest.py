"""Fixtures every test can use: villages under real Linyi townships, users of each role, people."""

import datetime
import itertools

import pytest

from safetynet.core.ids import make_id_number
from safetynet.core.models import Division, DivisionLevel, Role, User

_order = itertools.count(11)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Tests hash hundreds of passwords: a fast hasher makes the suite about three times quicker.

    Production keeps Django's PBKDF2 (settings.py); nothing in a test depends on the hash's cost."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _data_dir_of_the_tests(tmp_path_factory):
    """Backups and the server lock go to a folder of the tests' own: a `safetynet run` of the same
    checkout (a demo left running) must neither be locked out by the tests nor stop them."""
    from django.conf import settings

    settings.DATA_DIR = tmp_path_factory.mktemp("data")
    # Uploaded and generated files too (settings computed MEDIA_ROOT from the data folder at import).
    settings.MEDIA_ROOT = settings.DATA_DIR / "documents"

# Two counties of Linyi and one township in each, real codes.
LANSHAN_TOWNSHIP = "371302001"  # 兰山区 兰山街道
YINAN_TOWNSHIP = "371321101"  # 沂南县 岸堤镇


def village(code: str, name: str = "") -> Division:
    """A 12-digit village under an existing township (demo villages are generated, not shipped)."""
    division, _ = Division.objects.get_or_create(
        code=code,
        defaults={
            "name": name or f"测试村{code[-3:]}",
            "level": DivisionLevel.VILLAGE,
            "parent_id": code[:9],
            "urban_rural_default": "rural",
        },
    )
    return division


def user(
    role: str, division_code: str, username: str | None = None, password: str = "Pass-word-2022"
) -> User:
    account = User.objects.create_user(
        username=username or f"{role}-{division_code}-{next(_order)}",
        password=password,
        role=role,
        division_id=division_code,
    )
    return account


def person_data(
    residence: Division,
    *,
    name: str = "张三",
    sex: int = 1,
    born: datetime.date | None = None,
    address_code: str | None = None,
    **extra,
) -> dict:
    born = born or datetime.date(1950, 1, 1)
    order = next(_order) * 2 + (1 if sex == 1 else 0)
    return {
        "id_number": make_id_number(address_code or residence.code[:6], born, order % 1000),
        "name": name,
        "sex": sex,
        "birth_date": born,
        "hukou_division": residence,
        "residence_division": residence,
        "urban_rural": "rural",
        **extra,
    }


@pytest.fixture
def lanshan_village(db):
    return village(LANSHAN_TOWNSHIP + "201")


@pytest.fixture
def yinan_village(db):
    return village(YINAN_TOWNSHIP + "201")


@pytest.fixture
def county_user(db):
    return user(Role.COUNTY_BUREAU, "371302")


@pytest.fixture
def other_county_user(db):
    return user(Role.COUNTY_BUREAU, "371321")


@pytest.fixture
def make_household(db):
    """make_household(village, actor, members=[(name, sex, relation, born)]) → Household."""
    from safetynet.registry import services

    def make(village_division: Division, actor: User, members=None, **household_fields):
        members = members or [("张三", 1, "02", datetime.date(1950, 1, 1))]
        people = [
            services.person_create(actor=actor, data=person_data(village_division, name=n, sex=s, born=b))[0]
            for n, s, _r, b in members
        ]
        household = services.household_create(
            actor=actor,
            data={
                "village": village_division,
                "address": "幸福路1号",
                "urban_rural": "rural",
                **household_fields,
            },
            head=people[0],
            head_relation=members[0][2],
        )
        for person, (_n, _s, relation, _b) in zip(people[1:], members[1:], strict=True):
            services.member_add(actor=actor, household=household, person=person, relation=relation)
        household.refresh_from_db()
        return household

    return make
