"""Code tables of the registry (SPEC §2.5, §5): national standards and Shandong's CAMS codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.IntegerChoices):
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class Ethnicity(models.TextChoices):
    """GB/T 3304: the 56 ethnic groups, unrecognised groups and naturalised citizens."""

    HAN = "01", pgettext_lazy("ethnicity", "Han")
    MONGOL = "02", pgettext_lazy("ethnicity", "Mongol")
    HUI = "03", pgettext_lazy("ethnicity", "Hui")
    TIBETAN = "04", pgettext_lazy("ethnicity", "Tibetan")
    UYGHUR = "05", pgettext_lazy("ethnicity", "Uyghur")
    MIAO = "06", pgettext_lazy("ethnicity", "Miao")
    YI = "07", pgettext_lazy("ethnicity", "Yi")
    ZHUANG = "08", pgettext_lazy("ethnicity", "Zhuang")
    BUYEI = "09", pgettext_lazy("ethnicity", "Buyei")
    KOREAN = "10", pgettext_lazy("ethnicity", "Korean")
    MANCHU = "11", pgettext_lazy("ethnicity", "Manchu")
    DONG = "12", pgettext_lazy("ethnicity", "Dong")
    YAO = "13", pgettext_lazy("ethnicity", "Yao")
    BAI = "14", pgettext_lazy("ethnicity", "Bai")
    TUJIA = "15", pgettext_lazy("ethnicity", "Tujia")
    HANI = "16", pgettext_lazy("ethnicity", "Hani")
    KAZAKH = "17", pgettext_lazy("ethnicity", "Kazakh")
    DAI = "18", pgettext_lazy("ethnicity", "Dai")
    LI = "19", pgettext_lazy("ethnicity", "Li")
    LISU = "20", pgettext_lazy("ethnicity", "Lisu")
    VA = "21", pgettext_lazy("ethnicity", "Va")
    SHE = "22", pgettext_lazy("ethnicity", "She")
    GAOSHAN = "23", pgettext_lazy("ethnicity", "Gaoshan")
    LAHU = "24", pgettext_lazy("ethnicity", "Lahu")
    SUI = "25", pgettext_lazy("ethnicity", "Sui")
    DONGXIANG = "26", pgettext_lazy("ethnicity", "Dongxiang")
    NAXI = "27", pgettext_lazy("ethnicity", "Naxi")
    JINGPO = "28", pgettext_lazy("ethnicity", "Jingpo")
    KYRGYZ = "29", pgettext_lazy("ethnicity", "Kyrgyz")
    TU = "30", pgettext_lazy("ethnicity", "Tu")
    DAUR = "31", pgettext_lazy("ethnicity", "Daur")
    MULAO = "32", pgettext_lazy("ethnicity", "Mulao")
    QIANG = "33", pgettext_lazy("ethnicity", "Qiang")
    BLANG = "34", pgettext_lazy("ethnicity", "Blang")
    SALAR = "35", pgettext_lazy("ethnicity", "Salar")
    MAONAN = "36", pgettext_lazy("ethnicity", "Maonan")
    GELAO = "37", pgettext_lazy("ethnicity", "Gelao")
    XIBE = "38", pgettext_lazy("ethnicity", "Xibe")
    ACHANG = "39", pgettext_lazy("ethnicity", "Achang")
    PUMI = "40", pgettext_lazy("ethnicity", "Pumi")
    TAJIK = "41", pgettext_lazy("ethnicity", "Tajik")
    NU = "42", pgettext_lazy("ethnicity", "Nu")
    UZBEK = "43", pgettext_lazy("ethnicity", "Uzbek")
    RUSSIAN = "44", pgettext_lazy("ethnicity", "Russian")
    EVENKI = "45", pgettext_lazy("ethnicity", "Evenki")
    DEANG = "46", pgettext_lazy("ethnicity", "De'ang")
    BONAN = "47", pgettext_lazy("ethnicity", "Bonan")
    YUGUR = "48", pgettext_lazy("ethnicity", "Yugur")
    GIN = "49", pgettext_lazy("ethnicity", "Gin")
    TATAR = "50", pgettext_lazy("ethnicity", "Tatar")
    DERUNG = "51", pgettext_lazy("ethnicity", "Derung")
    OROQEN = "52", pgettext_lazy("ethnicity", "Oroqen")
    HEZHEN = "53", pgettext_lazy("ethnicity", "Hezhen")
    MONBA = "54", pgettext_lazy("ethnicity", "Monba")
    LHOBA = "55", pgettext_lazy("ethnicity", "Lhoba")
    JINO = "56", pgettext_lazy("ethnicity", "Jino")
    OTHER = "97", pgettext_lazy("ethnicity", "Other ethnicity")
    FOREIGN_ORIGIN = "98", pgettext_lazy("ethnicity", "Naturalised citizen")


class Marital(models.TextChoices):
    """GB/T 2261.2."""

    UNMARRIED = "10", _("Never married")
    MARRIED = "20", _("Married")
    WIDOWED = "30", _("Widowed")
    DIVORCED = "40", _("Divorced")
    UNKNOWN = "90", _("Not stated")


class Education(models.TextChoices):
    """GB/T 4658, first level."""

    GRADUATE = "10", _("Postgraduate")
    UNIVERSITY = "20", _("University")
    COLLEGE = "30", _("College")
    SECONDARY_VOCATIONAL = "40", _("Secondary vocational")
    HIGH_SCHOOL = "60", _("High school")
    JUNIOR = "70", _("Junior secondary")
    PRIMARY = "80", _("Primary")
    NONE = "90", _("No schooling")


class LabourCapacity(models.TextChoices):
    """CAMS SAM_LABOR_CAPACITY."""

    ABLE = "01", _("Able to work")
    PARTLY_LOST = "02", _("Partly lost capacity to work")
    FULLY_LOST = "03", _("Fully lost capacity to work")
    NONE = "04", _("No capacity to work")


class Health(models.TextChoices):
    """CAMS SAM_HEALTH_CODE."""

    GOOD = "10", _("Healthy")
    FAIR = "20", _("Fair or weak")
    SERIOUSLY_ILL = "40", _("Seriously ill")


class DisabilityCategory(models.IntegerChoices):
    """GB/T 26341-2010."""

    VISUAL = 1, _("Visual")
    HEARING = 2, _("Hearing")
    SPEECH = 3, _("Speech")
    PHYSICAL = 4, _("Physical")
    INTELLECTUAL = 5, _("Intellectual")
    MENTAL = 6, _("Mental")
    MULTIPLE = 7, _("Multiple")


class DisabilityGrade(models.IntegerChoices):
    GRADE_1 = 1, _("Grade 1 (most severe)")
    GRADE_2 = 2, _("Grade 2")
    GRADE_3 = 3, _("Grade 3")
    GRADE_4 = 4, _("Grade 4 (mildest)")


# 特困人员认定办法 art. 5: the disabilities that take the capacity to work — category (GB/T 26341):
# the grades that do.
WORK_DISABILITY = {DisabilityCategory.VISUAL: (1,), DisabilityCategory.PHYSICAL: (1, 2),
                   DisabilityCategory.INTELLECTUAL: (1, 2, 3), DisabilityCategory.MENTAL: (1, 2, 3),
                   DisabilityCategory.MULTIPLE: (1, 2)}


class SeriousIllness(models.TextChoices):
    """CAMS SAM_DISEASE_TYPE."""

    LEUKAEMIA = "01", _("Leukaemia or aplastic anaemia")
    CANCER = "02", _("Malignant tumour")
    HEPATITIS = "03", _("Severe infectious hepatitis")
    LUPUS = "04", _("Late-stage lupus")
    MATERNAL = "05", _("High-risk maternal emergency")
    MENTAL = "06", _("Severe mental illness")
    INFECTIOUS = "07", _("Tuberculosis or special infectious disease")
    CARDIO = "08", _("Severe cardio- or cerebrovascular disease with sequelae")
    URAEMIA = "09", _("Uraemia")
    HEART = "10", _("Acute heart failure, infarction or rheumatic heart disease")
    CROHN = "11", _("Crohn's disease")


class SelfCare(models.IntegerChoices):
    """特困认定办法 art. 22."""

    ABLE = 1, _("Able to look after themselves")
    PARTLY_LOST = 2, _("Partly unable to look after themselves")
    FULLY_LOST = 3, _("Unable to look after themselves")


class PersonStatus(models.TextChoices):
    """CAMS SAM_PERSONAL_STATS_TAG."""

    NORMAL = "01", _("Normal")
    MISSING = "02", _("Missing")
    DECEASED = "03", _("Deceased")
    MARRIED_OUT = "04", _("Married out")
    IN_PRISON = "05", _("In prison")
    MOVED_OUT = "06", _("Moved out (separate household)")
    OTHER = "99", _("Other")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    FARMING = "farming", _("Farming")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    PRESCHOOL = "preschool", _("Pre-school child")
    OTHER = "other", _("Other")


class HousingStatus(models.TextChoices):
    """CAMS SAM_FAMILY.HOUSEINGSTATETYPE."""

    COMMERCIAL = "00", _("Commercial housing")
    AFFORDABLE = "01", _("Affordable housing")
    REFORMED = "02", _("Former work-unit housing")
    SELF_BUILT = "03", _("Self-built house")
    HELPED_BUILD = "04", _("House built with help")
    DANGEROUS_SEVERE = "05", _("Seriously dilapidated")
    DANGEROUS = "06", _("Dilapidated")
    NONE_BORROWED = "07", _("No house: lives in a borrowed one")
    NONE_RENTED = "08", _("No house: rents")


class HouseStructure(models.TextChoices):
    """CAMS HOUSEFRAME."""

    BRICK_TILE = "00", _("Brick and tile")
    BRICK_CONCRETE = "01", _("Brick and concrete")
    REINFORCED = "02", _("Reinforced concrete")
    EARTH_STONE = "03", _("Earth and stone")
    ADOBE = "04", _("Adobe")


class Heating(models.TextChoices):
    """CAMS SAM_HEATING_WAY (0–3), plus what Linyi's homes also use: electric heaters, wood and
    solar (the 2022 briefing names 烧煤、烧柴、烧气、使用太阳能), and 'none' (a household without
    heating is what winter work looks for)."""

    CENTRAL = "0", _("Central heating")
    GAS = "1", _("Gas heating")
    COAL = "2", _("Coal heating")
    AIR_CONDITIONER = "3", _("Air conditioner")
    ELECTRIC = "4", _("Electric heater")
    WOOD = "5", _("Wood heating")
    SOLAR = "6", _("Solar heating")
    NONE = "9", _("No heating")


# Coal, wood and gas burn indoors: those homes need a CO alarm (SPEC §4.3 item 10).
COMBUSTION_HEATING = frozenset({Heating.GAS, Heating.COAL, Heating.WOOD})
# What the winter safety campaign checks first: "重点排查烧煤、烧柴、烧气、使用太阳能等环节的不安全行为"
# (briefing 2022-12-16): the burning kinds, and solar (its wiring and electric backup heaters).
RISK_HEATING = COMBUSTION_HEATING | {Heating.SOLAR}


class Relation(models.TextChoices):
    """GB/T 4761-2008 family relationship to the head of household."""

    SELF = "01", _("Self")
    HEAD = "02", _("Head of household")
    SPOUSE = "10", _("Spouse")
    HUSBAND = "11", _("Husband")
    WIFE = "12", _("Wife")
    SON = "20", _("Son")
    ONLY_SON = "21", _("Only son")
    ELDEST_SON = "22", _("Eldest son")
    SECOND_SON = "23", _("Second son")
    THIRD_SON = "24", _("Third son")
    FOURTH_SON = "25", _("Fourth son")
    FIFTH_SON = "26", _("Fifth son")
    ADOPTED_SON = "27", _("Adopted son or stepson")
    SON_IN_LAW = "28", _("Son-in-law")
    OTHER_SON = "29", _("Other son")
    DAUGHTER = "30", _("Daughter")
    ONLY_DAUGHTER = "31", _("Only daughter")
    ELDEST_DAUGHTER = "32", _("Eldest daughter")
    SECOND_DAUGHTER = "33", _("Second daughter")
    THIRD_DAUGHTER = "34", _("Third daughter")
    FOURTH_DAUGHTER = "35", _("Fourth daughter")
    FIFTH_DAUGHTER = "36", _("Fifth daughter")
    ADOPTED_DAUGHTER = "37", _("Adopted daughter or stepdaughter")
    DAUGHTER_IN_LAW = "38", _("Daughter-in-law")
    OTHER_DAUGHTER = "39", _("Other daughter")
    GRANDCHILD = "40", _("Grandchild")
    GRANDSON = "41", _("Grandson (son's son)")
    GRANDDAUGHTER = "42", _("Granddaughter (son's daughter)")
    DAUGHTERS_SON = "43", _("Grandson (daughter's son)")
    DAUGHTERS_DAUGHTER = "44", _("Granddaughter (daughter's daughter)")
    GRANDSON_WIFE = "45", _("Grandson's wife")
    GRANDDAUGHTER_HUSBAND = "46", _("Granddaughter's husband")
    GREAT_GRANDSON = "47", _("Great-grandson")
    GREAT_GRANDDAUGHTER = "48", _("Great-granddaughter")
    OTHER_GRANDCHILD = "49", _("Other grandchild")
    PARENT = "50", _("Parent")
    FATHER = "51", _("Father")
    MOTHER = "52", _("Mother")
    FATHER_IN_LAW_H = "53", _("Father-in-law (husband's father)")
    MOTHER_IN_LAW_H = "54", _("Mother-in-law (husband's mother)")
    FATHER_IN_LAW_W = "55", _("Father-in-law (wife's father)")
    MOTHER_IN_LAW_W = "56", _("Mother-in-law (wife's mother)")
    STEPFATHER = "57", _("Stepfather or adoptive father")
    STEPMOTHER = "58", _("Stepmother or adoptive mother")
    OTHER_PARENT = "59", _("Other parent")
    GRANDPARENT = "60", _("Grandparent")
    GRANDFATHER = "61", _("Grandfather (father's father)")
    GRANDMOTHER = "62", _("Grandmother (father's mother)")
    MATERNAL_GRANDFATHER = "63", _("Grandfather (mother's father)")
    MATERNAL_GRANDMOTHER = "64", _("Grandmother (mother's mother)")
    SPOUSE_GRANDPARENT = "65", _("Spouse's grandparent")
    GREAT_GRANDFATHER = "66", _("Great-grandfather")
    GREAT_GRANDMOTHER = "67", _("Great-grandmother")
    SPOUSE_GREAT_GRANDPARENT = "68", _("Spouse's great-grandparent")
    OTHER_GRANDPARENT = "69", _("Other grandparent")
    SIBLING = "70", _("Sibling")
    ELDER_BROTHER = "71", _("Elder brother")
    ELDER_BROTHER_WIFE = "72", _("Elder brother's wife")
    YOUNGER_BROTHER = "73", _("Younger brother")
    YOUNGER_BROTHER_WIFE = "74", _("Younger brother's wife")
    ELDER_SISTER = "75", _("Elder sister")
    ELDER_SISTER_HUSBAND = "76", _("Elder sister's husband")
    YOUNGER_SISTER = "77", _("Younger sister")
    YOUNGER_SISTER_HUSBAND = "78", _("Younger sister's husband")
    OTHER_SIBLING = "79", _("Other sibling")
    OTHER = "80", _("Other relation")
    UNCLE_ELDER = "81", _("Uncle (father's elder brother)")
    AUNT_ELDER = "82", _("Aunt (wife of father's elder brother)")
    UNCLE_YOUNGER = "83", _("Uncle (father's younger brother)")
    AUNT_YOUNGER = "84", _("Aunt (wife of father's younger brother)")
    MATERNAL_UNCLE = "85", _("Uncle (mother's brother)")
    MATERNAL_UNCLE_WIFE = "86", _("Aunt (wife of mother's brother)")
    MATERNAL_AUNT_HUSBAND = "87", _("Uncle (husband of mother's sister)")
    MATERNAL_AUNT = "88", _("Aunt (mother's sister)")
    PATERNAL_AUNT_HUSBAND = "89", _("Uncle (husband of father's sister)")
    PATERNAL_AUNT = "90", _("Aunt (father's sister)")
    COUSIN_PATERNAL = "91", _("Cousin (father's brother's child)")
    COUSIN = "92", _("Cousin")
    NEPHEW = "93", _("Nephew (brother's son)")
    NIECE = "94", _("Niece (brother's daughter)")
    SISTERS_SON = "95", _("Nephew (sister's son)")
    SISTERS_DAUGHTER = "96", _("Niece (sister's daughter)")
    OTHER_RELATIVE = "97", _("Other relative")
    NOT_RELATED = "99", _("Not related")


HEAD_RELATIONS = frozenset({Relation.SELF, Relation.HEAD})

_MALE_RELATIONS = {"11", "41", "43", "46", "47", "51", "53", "55", "57", "61", "63", "66", "71", "73",
                   "76", "78", "81", "83", "85", "87", "89", "93", "95"}
_FEMALE_RELATIONS = {"12", "38", "42", "44", "45", "48", "52", "54", "56", "58", "62", "64", "67", "72",
                     "74", "75", "77", "82", "84", "86", "88", "90", "94", "96"}


def relation_sex(code: str) -> int | None:
    """The sex a relationship code implies, or None where it implies none (配偶, 兄弟姐妹 …)."""
    if code in _MALE_RELATIONS or ("21" <= code <= "29"):
        return Sex.MALE
    if code in _FEMALE_RELATIONS or ("31" <= code <= "39"):
        return Sex.FEMALE
    return None


class Exclusion(models.TextChoices):
    """Why a member is not counted as living together (最低生活保障审核确认办法 art. 7)."""

    CLERGY = "clergy_3y", _("Clergy living in religious premises 3 years or more")
    PRISON = "prison", _("Serving a prison sentence")
    REHAB = "rehab", _("In compulsory drug rehabilitation")
    MISSING = "missing", _("Declared missing")
    OTHER = "other", _("Other reason set by the province")


class LeaveReason(models.TextChoices):
    MOVED = "moved", _("Moved to another household")
    DECEASED = "deceased", _("Deceased")
    MARRIED_OUT = "married_out", _("Married out")
    SPLIT = "split", _("Formed a separate household")
    CORRECTION = "correction", _("Entered by mistake")
    OTHER = "other", _("Other")


class IncomeCategory(models.TextChoices):
    """The five categories of 最低生活保障审核确认办法 art. 13."""

    WAGE = "wage", _("Wages")
    BUSINESS = "business_net", _("Net business or farming income")
    PROPERTY = "property_net", _("Net property income")
    TRANSFER = "transfer_net", _("Net transfer income")
    OTHER = "other", _("Other income")


class IncomeExclusion(models.TextChoices):
    """Income not counted (art. 13; 特困认定办法 art. 6)."""

    BASIC_PENSION = "pension_basic_central", _("Central basic pension of the residents' scheme")
    ASSISTANCE = "assistance_benefit", _("Government social-assistance money or goods")
    VETERANS = "veterans", _("Veterans' preferential or compensation payments")
    FAMILY_PLANNING = "family_planning", _("Family-planning awards and support")
    SCHOLARSHIP = "scholarship", _("Scholarships")
    HEROISM = "heroism", _("Awards for heroic deeds")
    ELDERLY_ALLOWANCE = "elderly_allowance", _("Old-age allowance")
    OTHER_LOCAL = "other_local", _("Other income the city excludes")


class Deduction(models.TextChoices):
    EMPLOYMENT_COST = "employment_cost", _("Necessary costs of employment")
    DISABILITY_COST = "disability_cost", _("Rigid costs of disability")
    ILLNESS_COST = "illness_cost", _("Rigid costs of serious illness")


class AssetType(models.TextChoices):
    """CAMS SAM_ESTATE_TYPE, with real estate added."""

    SAVINGS = "101", _("Savings deposits")
    BONDS = "102", _("Government bonds")
    SHARES = "103", _("Shares")
    SECURITIES = "104", _("Other securities")
    SAVINGS_INSURANCE = "105", _("Savings-type insurance")
    OTHER_FINANCIAL = "106", _("Other financial assets")
    FARMLAND = "202", _("Farmland")
    ORCHARD = "203", _("Commercial trees")
    FISH_POND = "204", _("Fish pond")
    LIVESTOCK = "205", _("Livestock and poultry")
    OTHER_BUSINESS = "206", _("Other business assets")
    ANTIQUES = "301", _("Antiques, paintings, calligraphy")
    APPLIANCES = "302", _("Air conditioners, refrigerators")
    LUXURY = "303", _("Other high-value consumer goods")
    VEHICLE = "304", _("Vehicle")
    HOUSE = "501", _("House or flat")
    COMMERCIAL_PROPERTY = "502", _("Shop, office or other real estate")
    OTHER = "400", _("Other property")


class AssetExemption(models.TextChoices):
    LIVING_NECESSITY = "living_necessity", _("Necessary for daily living")
    PRODUCTION_NECESSITY = "production_necessity", _("Necessary for production")
    DISABILITY_VEHICLE = "disability_vehicle", _("Mobility vehicle for a disabled person")
    ONLY_HOME = "only_home", _("The household's only home")
    OTHER = "other", _("Other reason")


class ExpenseType(models.TextChoices):
    LIVING = "living", _("Living costs")
    MEDICAL = "medical", _("Medical costs (out of pocket)")
    EDUCATION = "education", _("Education costs")
    DISABILITY_REHAB = "disability_rehab", _("Disability rehabilitation")
    OTHER = "other", _("Other rigid costs")


class SupporterRelation(models.TextChoices):
    """Who owes a person support by law (民法典 arts. 26, 1059, 1067, 1074–1075)."""

    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Brother or sister")


class SupporterAssistance(models.TextChoices):
    NONE = "", _("None")
    DIBAO = "dibao", _("Receives minimum living security")
    TEKUN = "tekun", _("Is a person in extreme poverty")


class SupporterIncapacity(models.TextChoices):
    """特困人员认定办法 art. 8 (4): what makes a supporter unable whatever their means."""

    NONE = "", _("None")
    NO_CIVIL_CAPACITY = "no_civil_capacity", _("Has no civil capacity")
    MISSING = "missing", _("Declared missing")
    IN_PRISON = "in_prison", _("Serving a prison sentence")


class MaterialType(models.TextChoices):
    """CAMS SAM_FILE_NAME: the application's supporting materials."""

    HOUSEHOLD_REGISTER = "101", _("Household register (户口本)")
    ID_CARD = "102", _("Identity card")
    APPLICATION = "201", _("Written application")
    INCOME_PROOF = "202", _("Proof of income")
    DISABILITY_PROOF = "203", _("Disability certificate")
    DIVORCE_PROOF = "204", _("Divorce certificate")
    SCHOOL_PROOF = "205", _("Proof of schooling")
    ONLY_CHILD = "206", _("Only-child certificate")
    DIAGNOSIS = "207", _("Medical diagnosis")
    SUPPORT_DUTY = "208", _("Proof of support obligations")
    UNEMPLOYMENT = "209", _("Unemployment certificate")
    RELEASE = "210", _("Prison release certificate")
    HOSPITAL_BILL = "301", _("Hospital bill")
    PASSBOOK = "001", _("Copy of bank passbook")
    OTHER = "000", _("Other material")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class VisitPurpose(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")
    CAMPAIGN = "campaign", _("Visiting campaign (遍访)")
    FOLLOW_UP = "follow_up", _("Follow-up")
    VERIFICATION = "verification", _("Verification")
    COLD_WAVE = "cold_wave", _("Cold-wave check")


class ProblemCategory(models.TextChoices):
    """What a visit can find wrong in a home (the briefing's hazards and needs)."""

    WIRING = "wiring", _("Wiring")
    GAS = "gas", _("Gas pipes and appliances")
    HEATING = "heating", _("Heating and chimney")
    CO_ALARM = "co_alarm", _("No working CO alarm")
    FOOD = "food", _("Food")
    CLOTHING = "clothing", _("Clothing and bedding")
    MEDICINES = "medicines", _("Medicines")
    HOUSING = "housing", _("Dangerous housing")
    OTHER = "other", _("Other")
