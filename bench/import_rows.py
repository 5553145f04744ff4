"""Import rows/s: a spreadsheet of BENCH_IMPORT_ROWS new people (one row per person, households of
one to five, with income and savings columns) imported synchronously through
`safetynet.registry.imports.run_import` into a throwaway copy of the bench database.

The file is synthetic and valid: realistic names, ID numbers with their check digit that are in
neither the database nor elsewhere in the file, villages of the county, relations that fit the
sexes. Its generation is not timed; the import is, from reading the file to the last commit.

Floor: every row the import added (people, households, members, income, assets, history …)
inserted by plain executemany into another copy of the same database, one transaction per 20 000
rows, foreign keys checked — the database's share alone. `xlsx_read_s` is the time the import's own
reader (python-calamine) takes just to read the file's cells, and `ratio_with_read` compares the
import with the floor plus that reading: what no import of a spreadsheet can avoid.
`openpyxl_read_s` is openpyxl's read-only pass over the same file, for scale.

Environment: BENCH_HOUSEHOLDS (20000; the database imported into), BENCH_IMPORT_ROWS (10000; the
issue's figure is 100000), BENCH_KEEP=1 keeps the work folder (file, databases) for a look.
"""

# ruff: noqa: S608  (SQL is built from table and column names of the schema, never from input)

import contextlib
import datetime
import os
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

ISSUE_ROWS = 100_000
INCOME_PERIOD = ("2022-01-01", "2022-12-31")
TODAY = datetime.date(2022, 12, 16)


# --- the file --------------------------------------------------------------------------------------

class People:
    """Draws people with names of their generation and ID numbers not used before."""

    def __init__(self, rng: random.Random, db: sqlite3.Connection):
        from safetynet.registry import demo

        self.rng, self.db, self.demo = rng, db, demo
        self.surnames, self.weights = list(demo.SURNAMES), list(demo.SURNAMES.values())
        self.taken: set[str] = set()

    def name(self, sex: int, born: datetime.date, surname: str | None = None) -> str:
        generation = "old" if born.year < 1965 else "mid" if born.year < 1995 else "young"
        surname = surname or self.rng.choices(self.surnames, self.weights)[0]
        return surname + self.rng.choice(self.demo.GIVEN_NAMES[(generation, sex)])

    def id_number(self, sex: int, born: datetime.date) -> str:
        from safetynet.core.ids import make_id_number

        while True:
            address = "372801" if born.year < 1994 and self.rng.random() < 0.5 else b.COUNTY_CODE
            order = self.rng.randrange(0, 500) * 2 + (1 if sex == 1 else 0)
            number = make_id_number(address, born, order)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def born(self, age_from: int, age_to: int) -> datetime.date:
        return TODAY - datetime.timedelta(days=self.rng.randint(age_from * 365 + 1, age_to * 365 + 300))

    def phone(self) -> str:
        return f"{self.rng.choice(self.demo.MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"

    def drop_registered(self) -> set[str]:
        """Numbers drawn that the database already holds (to be drawn again)."""
        numbers = sorted(self.taken)
        clash = set()
        for start in range(0, len(numbers), 900):
            chunk = numbers[start:start + 900]
            clash |= {r[0] for r in self.db.execute(
                f"SELECT id_number FROM registry_person WHERE id_number IN ({', '.join('?' * len(chunk))})",
                chunk)}
        return clash


def household_members(rng: random.Random, people: People) -> list[dict]:
    """One household: (relation, sex, born) of its members, the head first."""
    kind = rng.random()
    members = []
    if kind < 0.30:  # an old person alone
        sex = rng.choice((1, 2))
        members.append(("02", sex, people.born(60, 90)))
    elif kind < 0.55:  # an old couple
        members += [("02", 1, people.born(60, 88)), ("10", 2, people.born(58, 86))]
    elif kind < 0.85:  # parents and children
        members += [("02", 1, people.born(32, 55)), ("10", 2, people.born(30, 53))]
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            sex = rng.choice((1, 2))
            members.append(("20" if sex == 1 else "30", sex, people.born(1, 25)))
    else:  # three generations: parents, a child and the head's widowed mother or father
        members += [("02", 1, people.born(35, 55)), ("10", 2, people.born(33, 53))]
        sex = rng.choice((1, 2))
        members.append(("20" if sex == 1 else "30", sex, people.born(3, 20)))
        widowed = ("52", 2, people.born(70, 92)) if rng.random() < 0.7 else ("51", 1, people.born(70, 90))
        members.append(widowed)
    return [{"relation": r, "sex": s, "born": d} for r, s, d in members]


def generate(path: Path, *, rows: int, db: sqlite3.Connection, seed: int = 7) -> int:
    """Write the spreadsheet; returns the number of households in it."""
    from openpyxl import Workbook

    from safetynet.core.models import UrbanRural
    from safetynet.registry import codes, imports

    rng = random.Random(seed)
    people = People(rng, db)
    villages = db.execute("SELECT code, name, urban_rural_default FROM core_division WHERE level = 'village' "
                          "AND code >= ? AND code < ? ORDER BY code",
                          (b.COUNTY_CODE, str(int(b.COUNTY_CODE) + 1))).fetchall()
    if not villages:
        b.die("the bench database has no village in the county 371302")

    households = []
    count = 0
    while count < rows:
        members = household_members(rng, people)[: rows - count]
        surname = None
        for member in members:
            # the head's children and parents usually carry the head's surname
            relation = member["relation"]
            same = relation in ("20", "30", "51") or (relation == "52" and rng.random() < 0.1)
            member["name"] = people.name(member["sex"], member["born"], surname if same else None)
            if member["relation"] == "02":
                surname = member["name"][:2] if member["name"].startswith("诸葛") else member["name"][0]
            member["id_number"] = people.id_number(member["sex"], member["born"])
        households.append(members)
        count += len(members)
    # Numbers that happen to be registered already: draw again until none is. A registered number
    # stays among those taken, so that it is never drawn again (at a million households, forgetting
    # it let a redraw land on the same number: a valid file that was not, and 4 rows handed back).
    registered: set[str] = set()
    while clash := people.drop_registered() - registered:
        registered |= clash
        for members in households:
            for member in members:
                if member["id_number"] in clash:
                    member["id_number"] = people.id_number(member["sex"], member["born"])

    column = {(c.part, c.field): c.header for c in imports.COLUMNS}
    fields = [
        (imports.KEY, "household_key"), (imports.HOUSEHOLD, "village"), (imports.HOUSEHOLD, "address"),
        (imports.HOUSEHOLD, "urban_rural"), (imports.HOUSEHOLD, "heating"), (imports.HOUSEHOLD, "co_alarm"),
        (imports.HOUSEHOLD, "phone"), (imports.PERIOD, "period_start"), (imports.PERIOD, "period_end"),
        (imports.PERSON, "name"), (imports.PERSON, "id_number"), (imports.PERSON, "sex"),
        (imports.PERSON, "birth_date"), (imports.PERSON, "ethnicity"), (imports.MEMBER, "relation"),
        (imports.PERSON, "marital"), (imports.PERSON, "health"), (imports.PERSON, "phone"),
        (imports.INCOME, codes.IncomeCategory.WAGE), (imports.INCOME, codes.IncomeCategory.TRANSFER),
        (imports.ASSET, codes.AssetType.SAVINGS),
    ]
    missing = [f for f in fields if f not in column]
    if missing:
        b.die(f"the import layout (imports.COLUMNS) has no column for {missing}")
    label = imports.choice_label
    heating = [label(codes.Heating, h) for h in ("2", "2", "4", "1", "9", "3")]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(getattr(imports, "DATA_SHEET", "家庭成员"))
    sheet.append([column[f] for f in fields])
    for number, members in enumerate(households, 1):
        code, village_name, urban_rural = rng.choice(villages)
        H, P, M = imports.HOUSEHOLD, imports.PERSON, imports.MEMBER
        household = {
            (imports.KEY, "household_key"): f"B{number:06d}", (H, "village"): code,
            (H, "address"): f"{village_name}{rng.randint(1, 300)}号",
            (H, "urban_rural"): label(UrbanRural, urban_rural or "rural"),
            (H, "heating"): rng.choice(heating), (H, "co_alarm"): rng.choice(("是", "否")),
            (H, "phone"): people.phone() if rng.random() < 0.6 else "",
            (imports.PERIOD, "period_start"): INCOME_PERIOD[0],
            (imports.PERIOD, "period_end"): INCOME_PERIOD[1],
        }
        for member in members:
            age = (TODAY - member["born"]).days // 365
            couple = member["relation"] in ("02", "10") and len(members) > 1
            head = member["relation"] == "02"
            values = household | {
                (P, "name"): member["name"], (P, "id_number"): member["id_number"],
                (P, "sex"): label(codes.Sex, member["sex"]), (P, "birth_date"): member["born"].isoformat(),
                (P, "ethnicity"): label(codes.Ethnicity, "01"),
                (M, "relation"): label(codes.Relation, member["relation"]),
                (P, "marital"): label(codes.Marital, "20") if couple else "",
                (P, "health"): label(codes.Health, "10" if age < 60 else rng.choice(("10", "20", "20"))),
                (P, "phone"): people.phone() if age >= 18 and rng.random() < 0.5 else "",
                (imports.INCOME, codes.IncomeCategory.WAGE):
                    rng.randrange(3000, 24000, 100) if 18 <= age < 60 and rng.random() < 0.6 else None,
                (imports.INCOME, codes.IncomeCategory.TRANSFER):
                    rng.randrange(1200, 3600, 60) if age >= 60 else None,
                (imports.ASSET, codes.AssetType.SAVINGS):
                    rng.randrange(500, 20000, 100) if head and rng.random() < 0.4 else None,
            }
            sheet.append([values[f] for f in fields])
    workbook.save(path)
    return len(households)


def import_read_seconds(path: Path) -> float:
    """The import's own reading of the file (python-calamine through `read_sheet`), rows only."""
    from safetynet.registry.imports.reading import read_sheet

    started = time.perf_counter()
    for _row in read_sheet(path).rows:
        pass
    return time.perf_counter() - started


def openpyxl_read_seconds(path: Path) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    workbook.close()
    return time.perf_counter() - started


# --- the import ------------------------------------------------------------------------------------

def run_ours(path: Path) -> tuple[float, object]:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import connection

    try:
        from safetynet.registry import imports
        from safetynet.registry.models import ImportJob
    except ImportError as error:
        b.die(f"the import module is missing ({error})")
    run_import = getattr(imports, "run_import", None)
    if run_import is None:
        b.die("safetynet.registry.imports has no run_import(job)")
    actor = get_user_model().objects.get(username=b.COUNTY_USER)
    job = ImportJob(created_by=actor, original_name=path.name)
    job.file.save("bench.xlsx", ContentFile(path.read_bytes()), save=False)
    job.save()
    started = time.perf_counter()
    job = run_import(job)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    connection.close()
    return seconds, job


def main() -> None:
    b.require("django", "openpyxl", "pypinyin")
    n = b.households()
    rows = b.env_int("BENCH_IMPORT_ROWS", 10_000)
    cache = b.sqlite_db(n)
    work = b.BENCH_DIR / f"import-{os.getpid()}"
    try:
        ours_dir = b.copy_db(cache, work / "ours")
        floor_dir = b.copy_db(cache, work / "floor")
        before = cache / b.DB_FILE  # the state before the import (only read)
        b.setup_django(ours_dir)
        xlsx = work / f"import-{rows}.xlsx"
        started = time.perf_counter()
        with contextlib.closing(sqlite3.connect(before)) as db:
            household_count = generate(xlsx, rows=rows, db=db)
        b.note(f"generated {xlsx.name}: {rows} rows, {household_count} households, "
               f"{xlsx.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")

        seconds, job = run_ours(xlsx)
        b.checkpoint(ours_dir / b.DB_FILE)
        if job.status != "finished" or job.created_households == 0:
            b.die(f"the import did not finish well: status {job.status}, "
                  f"{job.created_households} households created; message: {job.message[:500]}")
        if job.rejected_rows:
            b.note(f"the import rejected {job.rejected_rows} rows ({job.rejected_households} households): "
                   f"{job.message[:300]}")
        added = b.new_rows(before, ours_dir / b.DB_FILE)
        b.note("rows added: " + ", ".join(f"{t} {c}" for t, c in sorted(added.items(), key=lambda x: -x[1])))
        floor_rows, floor_s = b.floor_insert(before=before, after=ours_dir / b.DB_FILE,
                                             target=floor_dir / b.DB_FILE)
        read_s = import_read_seconds(xlsx)
        rate, floor_rate = rows / seconds, rows / floor_s
        b.line(**{
            "import_rows_per_s": rate, "floor_rows_per_s": floor_rate, "ratio": b.ratio(floor_rate, rate),
            "import_s": seconds, "floor_s": floor_s, "xlsx_read_s": read_s,
            "ratio_with_read": b.ratio(rows / (floor_s + read_s), rate),
            "openpyxl_read_s": openpyxl_read_seconds(xlsx),
            "rows": rows, "households_in_file": household_count, "created": job.created_households,
            "rejected_rows": job.rejected_rows, "db_rows_written": floor_rows, "households": n,
            "at_scale": "yes" if rows >= ISSUE_ROWS else "no",
        })
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if work.exists() and not b.env_flag("BENCH_KEEP"):
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
