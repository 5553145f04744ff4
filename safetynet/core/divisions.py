"""Loading the shipped division codes into the Division table (used by a data migration)."""

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "divisions"

# Linyi's functional zones with a statistical code of their own (SPEC §2.1).
SERVICE_ZONES = {"371371": "高新区"}


def _rows(name: str):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@cache
def province_codes() -> frozenset[str]:
    """The two-digit codes of the 31 provinces, autonomous regions and municipalities."""
    return frozenset(r["code"] for r in _rows("provinces.csv"))


def county_urban_rural(code: str) -> str:
    # County digits 01–20 are districts (区): urban by default; counties and county cities: rural.
    return "urban" if int(code[4:6]) <= 20 or code in SERVICE_ZONES else "rural"


def township_urban_rural(code: str) -> str:
    # Township digits 001–099 are sub-districts (街道): urban; towns and townships: rural.
    return "urban" if int(code[6:9]) < 100 else "rural"


def division_rows() -> list[dict]:
    rows = []
    for r in _rows("provinces.csv"):
        rows.append({"code": r["code"], "name": r["name"], "level": "province", "parent_id": None})
    for r in _rows("cities.csv"):
        rows.append({"code": r["code"], "name": r["name"], "level": "city", "parent_id": r["provinceCode"]})
    known = {r["code"] for r in rows}
    for r in _rows("counties.csv"):
        rows.append(
            {
                "code": r["code"],
                "name": r["name"],
                "level": "county",
                "parent_id": r["cityCode"],
                "service_zone": SERVICE_ZONES.get(r["code"], ""),
                "urban_rural_default": county_urban_rural(r["code"]),
            }
        )
    for r in _rows("townships-shandong.csv"):
        rows.append(
            {
                "code": r["code"],
                "name": r["name"],
                "level": "township",
                "parent_id": r["areaCode"],
                "urban_rural_default": township_urban_rural(r["code"]),
            }
        )
    known = {r["code"] for r in rows}
    for r in _rows("abolished-counties.csv"):
        if r["code"] in known:
            continue
        parent = r["code"][:4] if r["code"][:4] in known else r["code"][:2]
        rows.append(
            {
                "code": r["code"],
                "name": r["name"],
                "level": "county",
                "parent_id": parent,
                "abolished": True,
                "in_force_until": int(r["until"]) if r["until"] else None,
            }
        )
        known.add(r["code"])
    return rows


def load_divisions(division_model) -> int:
    """Insert every shipped division not yet present; return how many were added."""
    existing = set(division_model.objects.values_list("code", flat=True))
    new = [division_model(**row) for row in division_rows() if row["code"] not in existing]
    division_model.objects.bulk_create(new, batch_size=2000)
    return len(new)
