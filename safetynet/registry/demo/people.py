"""Planning the members of a household: the family structures a bureau sees, and the hardships
(illness, disability, absence) that bring a household to it."""

import datetime
import random

from safetynet.core.ids import SEX_FEMALE, SEX_MALE
from safetynet.registry import codes
from safetynet.registry.demo.city import SERIOUS_ILLNESSES
from safetynet.registry.demo.plans import PersonPlan, _add_years, _Draw, _weighted, age_on

# --- people ------------------------------------------------------------------------------------

def _education(rng: random.Random, born: datetime.date, as_of: datetime.date) -> str:
    age = age_on(born, as_of)
    if age < 6:
        return ""
    if age <= 12:
        return codes.Education.PRIMARY
    if age <= 15:
        return codes.Education.JUNIOR
    if born.year <= 1950:
        table = {"90": 50, "80": 45, "70": 5}
    elif born.year <= 1965:
        table = {"90": 20, "80": 50, "70": 25, "60": 5}
    elif born.year <= 1985:
        table = {"80": 20, "70": 55, "60": 15, "40": 5, "30": 5}
    else:
        table = {"70": 40, "60": 20, "40": 15, "30": 15, "20": 10}
    return _weighted(rng, table)


class _Family:
    """Builds the members of one household, the head first."""

    def __init__(self, draw: _Draw, county: str, urban_rural: str):
        self.draw, self.rng, self.county, self.rural = draw, draw.rng, county, urban_rural == "rural"
        self.ethnicity = _weighted(self.rng, {"01": 994, "03": 5, "11": 1})
        self.members: list[PersonPlan] = []

    def add(self, *, sex: int, born: datetime.date, relation: str, surname: str | None = None,
            marital: str = "") -> PersonPlan:
        rng = self.rng
        taken = {m.name for m in self.members}
        surname = surname or self.draw.surname()
        name = surname + self.draw.given_name(sex, born)
        for _attempt in range(5):
            if name not in taken:
                break
            name = surname + self.draw.given_name(sex, born)
        age = age_on(born, self.draw.as_of)
        person = PersonPlan(
            name=name, sex=sex, birth_date=born, id_number=self.draw.id_number(self.county, born, sex),
            relation=relation, ethnicity=self.ethnicity if rng.random() < 0.97 else "01",
            marital=marital or (codes.Marital.UNMARRIED if age < 22 else codes.Marital.MARRIED),
            education=_education(rng, born, self.draw.as_of), as_of=self.draw.as_of,
        )
        if age < 16 or age >= 70:
            person.labour_capacity = codes.LabourCapacity.NONE
        elif age >= 60:
            person.labour_capacity = _weighted(rng, {"02": 60, "04": 40})
        if age >= 50 and rng.random() < 0.4:
            person.health = codes.Health.FAIR
        self._occupation(person)
        phone_chance = 0.0 if age < 18 else 0.8 if age < 60 else 0.45 if age < 76 else 0.15
        if rng.random() < phone_chance:
            person.phone = self.draw.phone()
        self.members.append(person)
        return person

    def _occupation(self, person: PersonPlan) -> None:
        """Schooling and work from age, capacity and disability (again after either changes)."""
        rng, age = self.rng, person.age
        person.in_school = False
        if age < 6:
            person.employment = codes.Employment.PRESCHOOL
        elif age <= 15 or (age <= 22 and rng.random() < (0.85 if age <= 18 else 0.4)):
            if person.disability_grade in (1, 2) and person.disability_category in (5, 6, 7):
                person.employment = codes.Employment.OTHER  # at home, not in school
                person.education = codes.Education.NONE if age > 6 else ""
                return
            person.in_school, person.employment = True, codes.Employment.STUDENT
            if age >= 16:
                person.education = _weighted(rng, {"60": 70, "40": 30}) if age <= 18 else \
                    _weighted(rng, {"30": 60, "20": 40})
        elif person.labour_capacity in (codes.LabourCapacity.FULLY_LOST, codes.LabourCapacity.NONE):
            person.employment = codes.Employment.OTHER
        elif age >= 60:
            person.employment = codes.Employment.FARMING if self.rural else codes.Employment.OTHER
        elif self.rural:
            person.employment = _weighted(rng, {"farming": 60, "employed": 25, "self_employed": 5,
                                                "unemployed": 10})
        else:
            person.employment = _weighted(rng, {"employed": 45, "self_employed": 10, "unemployed": 45})

    # The hardships that bring a household to the bureau.
    def seriously_ill(self, person: PersonPlan) -> None:
        person.serious_illness = self.rng.choice(SERIOUS_ILLNESSES)
        person.health = codes.Health.SERIOUSLY_ILL
        if 16 <= person.age < 60:
            person.labour_capacity = _weighted(self.rng, {"02": 50, "03": 50})
            self._occupation(person)

    def disabled(self, person: PersonPlan, *, severe: bool) -> None:
        rng = self.rng
        if severe:
            category = _weighted(rng, {5: 30, 6: 20, 4: 30, 7: 10, 1: 10})
            grade = rng.choice([1, 2, 3] if category in (5, 6) else [1, 2])
        else:
            category = _weighted(rng, {4: 45, 1: 15, 2: 20, 3: 5, 5: 5, 6: 10})
            grade = rng.choice([2, 3, 3, 4, 4])
        person.disability_category, person.disability_grade = category, grade
        person.mental_illness = category == 6
        if person.mental_illness and grade <= 2:
            person.serious_illness, person.health = codes.SeriousIllness.MENTAL, codes.Health.SERIOUSLY_ILL
        working_age = 16 <= person.age < 60
        if working_age and (grade <= 2 or category in (5, 6) and grade <= 3):
            person.labour_capacity = codes.LabourCapacity.FULLY_LOST
        elif working_age and person.labour_capacity == codes.LabourCapacity.ABLE:
            person.labour_capacity = codes.LabourCapacity.PARTLY_LOST
        if grade <= 2:
            person.self_care = _weighted(rng, {1: 30, 2: 45, 3: 25})
        person.disability_cert_no = f"{person.id_number}{category}{grade}"
        self._occupation(person)
        if person.disability_category and person.phone and grade <= 2 and rng.random() < 0.7:
            person.phone = ""

    def children(self, mother_born: datetime.date, count: int, *, surname: str,
                 son_codes=("22", "23", "24", "25", "26"), daughter_codes=("32", "33", "34", "35", "36"),
                 only=("21", "31"), gap=(21, 38), min_age: int = 0) -> list[PersonPlan]:
        """Children of a mother born on `mother_born`, oldest first, with GB/T 4761 codes by birth order.

        The default gap keeps both parents 18–45 years older than each child: a husband is at most 2
        years younger and 6 years older than his wife (`_spouse_born`).
        """
        births: list[datetime.date] = []
        for _child in range(count):
            born = self.draw.birth_after(mother_born, *gap)
            if born is None or any(abs((born - b).days) < 400 for b in births):
                continue
            if age_on(born, self.draw.as_of) < min_age:
                continue
            births.append(born)
        births.sort()
        sexes = [SEX_MALE if self.rng.random() < 0.52 else SEX_FEMALE for _born in births]
        sons = daughters = 0
        made = []
        for born, sex in zip(births, sexes, strict=True):
            if len(births) == 1:
                relation = only[0] if sex == SEX_MALE else only[1]
            elif sex == SEX_MALE:
                relation, sons = son_codes[min(sons, len(son_codes) - 1)], sons + 1
            else:
                relation, daughters = daughter_codes[min(daughters, len(daughter_codes) - 1)], daughters + 1
            made.append(self.add(sex=sex, born=born, relation=relation, surname=surname,
                                 marital=codes.Marital.UNMARRIED))
        return made


def _spouse_born(draw: _Draw, husband_born: datetime.date) -> datetime.date:
    """A wife mostly 0–5 years younger than her husband, sometimes a little older."""
    years = draw.rng.choice([-2, -1, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6])
    born = _add_years(husband_born, years) + datetime.timedelta(days=draw.rng.randrange(-150, 150))
    return min(born, _add_years(draw.as_of, -20))


def _couple(family: _Family, draw: _Draw, husband_born: datetime.date, *, wife_heads: bool = False):
    """A married couple: (husband, wife), the head first in family.members."""
    surname = draw.surname()
    wife_born = _spouse_born(draw, husband_born)
    married = codes.Marital.MARRIED
    if wife_heads:
        wife = family.add(sex=SEX_FEMALE, born=wife_born, relation="02", marital=married)
        husband = family.add(sex=SEX_MALE, born=husband_born, relation="11", surname=surname, marital=married)
    else:
        husband = family.add(sex=SEX_MALE, born=husband_born, relation="02", surname=surname, marital=married)
        wife = family.add(sex=SEX_FEMALE, born=wife_born, relation="12", marital=married)
    return husband, wife, surname


def _surname_of(person: PersonPlan) -> str:
    return "诸葛" if person.name.startswith("诸葛") else person.name[0]


def _structure_elderly_alone(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    # Rural 特困 elderly are more often men who never married (the old 五保户).
    sex = SEX_MALE if rng.random() < (0.6 if kind == "tekun" else 0.4) else SEX_FEMALE
    marital = _weighted(rng, {"10": 45, "30": 50, "40": 5} if kind == "tekun"
                        else {"30": 80, "40": 10, "10": 10})
    person = family.add(sex=sex, born=draw.birth(62, 93), relation="02", marital=marital)
    person.labour_capacity = codes.LabourCapacity.NONE
    if rng.random() < 0.3:
        family.disabled(person, severe=rng.random() < 0.4)
    if rng.random() < 0.15:
        family.seriously_ill(person)
    if kind == "tekun":
        # About a quarter of 特困 persons cannot fully look after themselves (SPEC §6.8: 9,000 of 36,000).
        person.self_care = person.self_care or _weighted(rng, {1: 75, 2: 17, 3: 8})
    family._occupation(person)


def _structure_disabled_alone(family: _Family, draw: _Draw, kind: str) -> None:
    person = family.add(sex=SEX_MALE if draw.rng.random() < 0.6 else SEX_FEMALE, born=draw.birth(18, 59),
                        relation="02", marital=codes.Marital.UNMARRIED)
    family.disabled(person, severe=True)
    person.labour_capacity = codes.LabourCapacity.FULLY_LOST
    person.self_care = person.self_care or _weighted(draw.rng, {1: 40, 2: 40, 3: 20})
    family._occupation(person)


def _structure_elderly_couple(family: _Family, draw: _Draw, kind: str) -> None:
    husband, wife, _surname = _couple(family, draw, draw.birth(62, 88))
    sick = draw.rng.choice([husband, wife])
    if draw.rng.random() < 0.6:
        family.seriously_ill(sick)
    else:
        family.disabled(sick, severe=draw.rng.random() < 0.5)


def _structure_family_ill(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    husband, wife, surname = _couple(family, draw, draw.birth(28, 55), wife_heads=rng.random() < 0.15)
    family.children(wife.birth_date, _weighted(rng, {1: 45, 2: 45, 3: 10}), surname=surname)
    sick = husband if rng.random() < 0.6 else wife
    if rng.random() < 0.65:
        family.seriously_ill(sick)
    else:
        family.disabled(sick, severe=True)
    _maybe_absent_member(family, draw)


def _structure_three_generations(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    husband, wife, surname = _couple(family, draw, draw.birth(30, 52))
    family.children(wife.birth_date, _weighted(rng, {1: 50, 2: 45, 3: 5}), surname=surname)
    # The head's parents: his father 23–38 years older than him, his mother 19–42.
    father_born = (_add_years(husband.birth_date, -rng.randint(23, 37))
                   - datetime.timedelta(days=rng.randrange(365)))
    mother_born = _add_years(father_born, rng.randint(-1, 4))
    with_father = rng.random() < 0.7
    with_mother = not with_father or rng.random() < 0.8
    marital = codes.Marital.MARRIED if with_father and with_mother else codes.Marital.WIDOWED
    elders = []
    if with_father:
        elders.append(family.add(sex=SEX_MALE, born=father_born, relation="51", surname=surname,
                                 marital=marital))
    if with_mother:
        elders.append(family.add(sex=SEX_FEMALE, born=mother_born, relation="52", marital=marital))
    sick = rng.choice(elders)
    if rng.random() < 0.5:
        family.seriously_ill(sick)
    else:
        family.disabled(sick, severe=True)
    if rng.random() < 0.3:
        family.seriously_ill(rng.choice([husband, wife]))
    _maybe_absent_member(family, draw)


def _structure_single_parent(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    mother = rng.random() < 0.75
    marital = _weighted(rng, {"40": 55, "30": 45})
    parent_born = draw.birth(25, 52)
    parent = family.add(sex=SEX_FEMALE if mother else SEX_MALE, born=parent_born, relation="02",
                        marital=marital)
    # Children mostly carry their father's surname: the absent one's when the mother heads the household.
    surname = _surname_of(parent)
    if mother and rng.random() < 0.85:
        surname = draw.surname()
    gap = (20, 40) if mother else (23, 45)
    if not family.children(parent_born, _weighted(rng, {1: 60, 2: 40}), surname=surname, gap=gap):
        family.children(parent_born, 1, surname=surname, gap=(gap[0], gap[0] + 8))
    if rng.random() < 0.4:
        family.seriously_ill(parent)


def _structure_disabled_with_parents(family: _Family, draw: _Draw, kind: str) -> None:
    rng = draw.rng
    father_born = draw.birth(58, 82)
    if rng.random() < 0.75:
        father, mother, surname = _couple(family, draw, father_born)
    else:  # a widowed mother looks after the child alone
        surname = draw.surname()
        mother = family.add(sex=SEX_FEMALE, born=_spouse_born(draw, father_born), relation="02",
                            marital=codes.Marital.WIDOWED)
    made = family.children(mother.birth_date, 1, surname=surname, gap=(21, 36), min_age=18)
    if not made:
        made = family.children(mother.birth_date, 1, surname=surname, gap=(21, 26))
    for child in made:
        child.marital = codes.Marital.UNMARRIED
        family.disabled(child, severe=True)


def _structure_grandparents(family: _Family, draw: _Draw, kind: str) -> None:
    """Grandparents bringing up grandchildren whose parents are gone or away (事实无人抚养)."""
    rng = draw.rng
    grandfather_born = draw.birth(58, 80)
    if rng.random() < 0.75:
        grandfather, grandmother, surname = _couple(family, draw, grandfather_born)
    else:
        surname = draw.surname()
        grandmother = family.add(sex=SEX_FEMALE, born=_spouse_born(draw, grandfather_born), relation="02",
                                 marital=codes.Marital.WIDOWED)
    via_son = rng.random() < 0.75
    child_surname = surname if via_son else draw.surname()
    codes_ = (("41",) * 5, ("42",) * 5, ("41", "42")) if via_son else (("43",) * 5, ("44",) * 5, ("43", "44"))
    made = family.children(grandmother.birth_date, _weighted(rng, {1: 60, 2: 40}), surname=child_surname,
                           son_codes=codes_[0], daughter_codes=codes_[1], only=codes_[2], gap=(45, 66))
    if not made:
        family.children(grandmother.birth_date, 1, surname=child_surname, son_codes=codes_[0],
                        daughter_codes=codes_[1], only=codes_[2], gap=(45, 52))
    if rng.random() < 0.5:
        family.seriously_ill(family.members[0])


def _maybe_absent_member(family: _Family, draw: _Draw) -> None:
    """Now and then an adult child is in prison or missing: a member not counted as living together."""
    adults = [m for m in family.members if m.relation[0] in "23" and m.age >= 18]
    if adults and draw.rng.random() < 0.08:
        member = draw.rng.choice(adults)
        if draw.rng.random() < 0.6:
            member.status, member.exclusion = codes.PersonStatus.IN_PRISON, codes.Exclusion.PRISON
        else:
            member.status, member.exclusion = codes.PersonStatus.MISSING, codes.Exclusion.MISSING
        member.phone, member.in_school, member.employment = "", False, codes.Employment.OTHER


STRUCTURES = {
    "elderly_alone": _structure_elderly_alone,
    "disabled_alone": _structure_disabled_alone,
    "elderly_couple": _structure_elderly_couple,
    "family_ill": _structure_family_ill,
    "three_generations": _structure_three_generations,
    "single_parent": _structure_single_parent,
    "disabled_with_parents": _structure_disabled_with_parents,
    "grandparents": _structure_grandparents,
}


