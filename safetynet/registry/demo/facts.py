"""The demo city's facts for the builders of later apps, in one place.

Source: the project's domain notes, SPEC §6.8 "Seed numbers for a realistic synthetic demo city"
(and §6.7 for the winter campaign), copied here: nothing reads the notes at run time. [SYN] values
there are synthetic, [C] confirmed.

Three kinds of number, used three ways (core.demo.DemoContext):
- facts about the city that do not grow with its households (institutions, stations, inspections):
  used as they are, whatever the size of the demo;
- rates (care KPIs): kept, applied to whatever the demo holds;
- caseloads and money of a full-size city: scaled with `context.scaled(...)` /
  `context.scaled_money(...)` (households / core.demo.FULL_CITY_HOUSEHOLDS).
"""

import datetime
from decimal import Decimal

# --- the city: does not grow with households -----------------------------------------------------------
POPULATION = 11_000_000
COUNTY_LEVEL_UNITS = 13  # 12 counties and districts and the 高新区 (registry.demo.COUNTIES)

# Elderly institutions, all with heating and CO alarms (80 public 敬老院/特困供养机构 + 37 private).
ELDERLY_INSTITUTIONS = 117
ELDERLY_INSTITUTIONS_PUBLIC = 80
ELDERLY_INSTITUTIONS_PRIVATE = 37

# Rescue stations: 1 city station and 12 county/district ones, 40–100 beds each.
RESCUE_STATIONS = 13
RESCUE_STATIONS_CITY = 1
RESCUE_STATIONS_COUNTY = 12
RESCUE_STATION_BEDS = (40, 100)

# Third-party safety inspections: 68 institutions (60 elderly + 8 child-welfare), finding 15 hazards
# (14 general + 1 major).
INSPECTIONS = 68
INSPECTIONS_ELDERLY = 60
INSPECTIONS_CHILD_WELFARE = 8
INSPECTION_HAZARDS = 15
INSPECTION_HAZARDS_GENERAL = 14
INSPECTION_HAZARDS_MAJOR = 1

# 遍访 (visiting every household): problems found and solved, from the briefing.
VISIT_PROBLEMS_SOLVED = 111

# Temporary assistance: a township approves up to 3,000 yuan; emergency aid within 24 h, the papers
# within 5 days.
TEMPORARY_AID_TOWNSHIP_CAP = Decimal("3000")
TEMPORARY_AID_EMERGENCY_HOURS = 24
TEMPORARY_AID_PAPERWORK_DAYS = 5
HOTLINE = "12349"

# --- standards (yuan per person per month, 2022): rates, not scaled ------------------------------------
# 低保 (also in registry.demo.city, which plans incomes against them).
DIBAO_URBAN_DISTRICT = Decimal("730")  # districts and the zone
DIBAO_URBAN_COUNTY = Decimal("700")
DIBAO_RURAL = Decimal("545")
# 特困 basic living: urban 1.5 × 低保, rural 1.3 × 低保.
TEKUN_BASIC_URBAN_DISTRICT = Decimal("1095")
TEKUN_BASIC_URBAN_COUNTY = Decimal("1050")
TEKUN_BASIC_RURAL = Decimal("709")
# 特困 care, by self-care: fully lost / partly lost / able.
TEKUN_CARE = {"fully_lost": Decimal("770"), "partly_lost": Decimal("440"), "able": Decimal("165")}
# 低保边缘: income up to 1.5 × the 低保 standard.
EDGE_UPPER_FACTOR = Decimal("1.5")
# Back-testing: the 2020 values (confirmed).
DIBAO_2020 = {"urban": Decimal("600"), "rural": Decimal("450")}
TEKUN_BASIC_2020 = {"urban": Decimal("900"), "rural": Decimal("585")}
TEKUN_CARE_2020 = {"fully_lost": Decimal("700"), "partly_lost": Decimal("400"), "able": Decimal("150")}

# --- care KPIs: rates, kept whatever the size ----------------------------------------------------------
# 特困 persons who cannot look after themselves in centralised care: 5,993 of ≈ 9,000 (66.59 %).
CENTRALISED_CARE_RATE = Decimal("0.6659")
# Dispersed 特困 persons with purchased third-party service: 18,110 of ≈ 28,000 (64.68 %).
PURCHASED_SERVICE_RATE = Decimal("0.6468")
# Every dispersed 特困 person has a caregiver and a care agreement.
CAREGIVER_AGREEMENT_RATE = Decimal("1")
# 特困 persons ≈ 90 % rural; 低保 recipients ≈ 80 % rural.
TEKUN_RURAL_SHARE = Decimal("0.9")
DIBAO_RURAL_SHARE = Decimal("0.8")

# --- caseloads and money of a full-size city: scale with households ------------------------------------
DIBAO_PERSONS = 200_000
DIBAO_HOUSEHOLDS = 115_000
TEKUN_PERSONS = 36_000
TEKUN_UNABLE_SELF_CARE = 9_000  # 部分 + 完全丧失生活自理能力
TEKUN_CENTRALISED_UNABLE = 5_993
TEKUN_DISPERSED = 28_000
TEKUN_DISPERSED_PURCHASED = 18_110
ASSISTANCE_PAID_2022 = Decimal("1300000000")  # cumulative assistance paid in 2022

# --- the winter of 2022–23 (SPEC §6.7, §6.8) ------------------------------------------------------------
WINTER_CAMPAIGN = (datetime.date(2022, 11, 15), datetime.date(2023, 3, 15))
WINTER_PATROLS = 230  # "200+" across the 13 stations: the stations' work, not scaled
# A caseload and money: scaled with households.
WINTER_PERSONS_HELPED = 300
WINTER_IN_STATION_SHARE = Decimal("0.6")  # a rate: the rest were helped on the street
WINTER_SUPPLIES_BUDGET = Decimal("530000")  # 385,000 relief goods + 146,000 epidemic goods (as given)
WINTER_SUPPLIES_RELIEF = Decimal("385000")
WINTER_SUPPLIES_EPIDEMIC = Decimal("146000")
