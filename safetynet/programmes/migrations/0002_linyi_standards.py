"""Linyi's standards as history: the published values of 1 September 2018 and 1 July 2020, and the
demo's synthetic values of 2022 (SPEC §2.2 and §6.8; no 2021–2022 values were published that we could
confirm). Amounts in yuan per person per month unless the kind says otherwise.

2018: urban 低保 520 in 兰山, 罗庄, 河东 and the 高新区, 500 in the counties; rural 4,200 a year
(350 a month) everywhere; 特困 1.5 × urban, 1.3 × rural; care 6,000 / 1,800 / 360 a year
(500 / 150 / 30 a month).
2020: urban 600 and rural 450 on average (set city-wide here); 特困 unified at 900 / 585; care
700 / 400 / 150 a month.
2022 (synthetic): urban 730 in the districts and zones, 700 in the counties; rural 545; care
770 / 440 / 165; and the values the rules need that Linyi did not publish.
"""

import datetime
from decimal import Decimal

from django.db import migrations

CITY = "3713"
DISTRICTS = ["371302", "371311", "371312", "371371"]
COUNTIES = ["371321", "371322", "371323", "371324", "371325", "371326", "371327", "371328", "371329"]

SEPT_2018 = datetime.date(2018, 9, 1)
JULY_2020 = datetime.date(2020, 7, 1)
JAN_2022 = datetime.date(2022, 1, 1)


def _rows():
    official, synthetic = "official", "synthetic"
    # 2018
    for code in DISTRICTS:
        yield "dibao", code, "urban", SEPT_2018, "520", official
    for code in COUNTIES:
        yield "dibao", code, "urban", SEPT_2018, "500", official
    yield "dibao", CITY, "rural", SEPT_2018, "350", official
    yield "tekun_basic_ratio", CITY, "urban", SEPT_2018, "1.5", official
    yield "tekun_basic_ratio", CITY, "rural", SEPT_2018, "1.3", official
    yield "tekun_care_full", CITY, "", SEPT_2018, "500", official
    yield "tekun_care_partial", CITY, "", SEPT_2018, "150", official
    yield "tekun_care_self", CITY, "", SEPT_2018, "30", official
    # 2020
    yield "dibao", CITY, "urban", JULY_2020, "600", official
    yield "dibao", CITY, "rural", JULY_2020, "450", official
    yield "tekun_care_full", CITY, "", JULY_2020, "700", official
    yield "tekun_care_partial", CITY, "", JULY_2020, "400", official
    yield "tekun_care_self", CITY, "", JULY_2020, "150", official
    # 2022, synthetic
    for code in DISTRICTS:
        yield "dibao", code, "urban", JAN_2022, "730", synthetic
    for code in COUNTIES:
        yield "dibao", code, "urban", JAN_2022, "700", synthetic
    yield "dibao", CITY, "rural", JAN_2022, "545", synthetic
    yield "tekun_care_full", CITY, "", JAN_2022, "770", synthetic
    yield "tekun_care_partial", CITY, "", JAN_2022, "440", synthetic
    yield "tekun_care_self", CITY, "", JAN_2022, "165", synthetic
    yield "edge_multiple", CITY, "", JAN_2022, "1.5", official  # the national rule (SPEC §1.5)
    yield "disposable_income", CITY, "urban", JAN_2022, "43000", synthetic
    yield "disposable_income", CITY, "rural", JAN_2022, "18000", synthetic
    yield "rigid_expense_ratio", CITY, "", JAN_2022, "0.5", synthetic
    yield "addon_elderly", CITY, "", JAN_2022, "0.1", synthetic
    yield "addon_minor", CITY, "", JAN_2022, "0.1", synthetic
    yield "addon_severe_disability", CITY, "", JAN_2022, "0.2", synthetic
    yield "addon_serious_illness", CITY, "", JAN_2022, "0.2", synthetic
    yield "asset_financial_months", CITY, "", JAN_2022, "24", synthetic
    yield "temp_township_cap", CITY, "", JAN_2022, "3000", official  # Shandong 2019 (SPEC §2.3)
    yield "temp_cap_months", CITY, "", JAN_2022, "10", synthetic


def load(apps, schema_editor):
    Standard = apps.get_model("programmes", "Standard")
    Division = apps.get_model("core", "Division")
    if not Division.objects.filter(code=CITY).exists():
        return  # a database without Linyi's divisions has no Linyi standards
    Standard.objects.bulk_create([
        Standard(kind=kind, division_id=code, urban_rural=urban_rural, valid_from=valid_from, value=Decimal(value),
                 status="approved", source=source)
        for kind, code, urban_rural, valid_from, value, source in _rows()
    ])


def unload(apps, schema_editor):
    apps.get_model("programmes", "Standard").objects.filter(proposed_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial"), ("core", "0002_load_divisions")]
    operations = [migrations.RunPython(load, unload)]
