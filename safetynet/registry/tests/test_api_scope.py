"""Every API route, as a county user, against another county's records: never 2xx.

The routes are read from the NinjaAPI itself and the request bodies built from its OpenAPI
document, so a route added later is walked without touching this file — unless it takes a path
parameter this file does not know yet, which fails loudly below.
"""

import datetime
import io
import re
import uuid
from decimal import Decimal
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve

from conftest import user
from conftest import village as village_of
from safetynet.api import api
from safetynet.core.models import ChangeRecord, Role, User
from safetynet.core.services import api_token_create
from safetynet.core.tests import sample_files
from safetynet.registry import imports, services
from safetynet.registry.visits.services import visit_record

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"
PDF = sample_files.pdf()
# Distinctive names: if any response to the county user contains one, something leaked.
OTHER_NAMES = ("沂南甲某", "沂南乙某")


def routes() -> list[tuple[str, str]]:
    """(method, path template) of every operation of the API, nested routers included."""
    resolve(f"{PREFIX}/openapi.json")  # binds the routers, which fills api._routers
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append((method, re.sub("/+", "/", f"{PREFIX}/{prefix}/{path}")))
    return found


def path_parameters(path: str) -> list[str]:
    return re.findall(r"{(?:\w+:)?(\w+)}", path)


def fill_path(path: str, ids: dict[str, int]) -> str:
    unknown = [name for name in path_parameters(path) if name not in ids]
    if unknown:
        pytest.fail(f"{path}: teach test_api_scope which record {unknown} names")
    return re.sub(r"{(?:\w+:)?(\w+)}", lambda m: str(ids[m.group(1)]), path)


def example(schema: dict, components: dict):
    """A value that passes the schema (not necessarily the services): enough to reach the handler."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("examples", "example", "default", "enum"):
        if key in schema:
            value = schema[key]
            return value[0] if key in {"examples", "enum"} else value
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example(options[0], components)
    kind, shape = schema.get("type"), schema.get("format")
    if kind == "object":
        return {name: example(prop, components) for name, prop in schema.get("properties", {}).items()
                if name in schema.get("required", [])}
    if kind == "array":
        return [example(schema.get("items", {}), components)] * schema.get("minItems", 0)
    if kind == "string":
        return {"date": "2022-01-01", "date-time": "2022-01-01T00:00:00+08:00",
                "binary": SimpleUploadedFile("a.pdf", PDF, "application/pdf")}.get(shape, "1")
    return {"integer": 1, "number": 1, "boolean": False}[kind]


def call(client: Client, method: str, template: str, ids: dict[str, int], document: dict):
    """Call one operation on the records `ids` names, with a body and the required query
    parameters made from its OpenAPI schema, so that the request reaches the handler."""
    operation = document["paths"][re.sub(r"{(?:\w+:)?(\w+)}", r"{\1}", template)][method.lower()]
    components = document["components"]["schemas"]
    query = urlencode({p["name"]: example(p["schema"], components) for p in operation.get("parameters", [])
                       if p["in"] == "query" and p.get("required")})
    target = fill_path(template, ids) + (f"?{query}" if query else "")
    content = operation.get("requestBody", {}).get("content", {})
    send = getattr(client, method.lower())
    if "multipart/form-data" in content:
        return send(target, example(content["multipart/form-data"]["schema"], components))
    if "application/json" in content:
        return send(target, example(content["application/json"]["schema"], components),
                    content_type="application/json")
    return send(target)


def _exported_payroll(actor, county):
    """This month's payroll of the county, drafted by it, checked by its finance officer, approved
    by a second officer and exported, each through the API (the steps are the case's)."""
    run = token_client(actor).post(f"{PREFIX}/payroll-runs", {
        "county": county, "month": datetime.date.today().strftime("%Y-%m")},
        content_type="application/json").json()
    version = run["case_version"]
    steps = ((user(Role.FINANCE_OFFICER, county), "check"), (user(Role.COUNTY_BUREAU, county), "approve"),
             (actor, "export"))
    for officer, step in steps:
        moved = token_client(officer).post(f"{PREFIX}/cases/{run['case_id']}/steps", {
            "transition": step, "version": version}, content_type="application/json")
        assert moved.status_code == 200, moved.content
        version = moved.json()["version"]
    return run["id"]


def records(make_household, village, actor, names):
    household = make_household(village, actor, members=[
        (names[0], 1, "02", datetime.date(1955, 3, 3)), (names[1], 2, "12", datetime.date(1957, 4, 4))])
    membership = household.memberships.get(relation="12")
    return {
        "household_id": household.pk,
        "person_id": household.head_id,
        "member_id": membership.pk,
        "income_id": services.income_item_create(actor=actor, household=household, data={
            "category": "wage", "amount": Decimal("1500.00"), "period_start": datetime.date(2022, 1, 1),
            "period_end": datetime.date(2022, 12, 31)}).pk,
        "asset_id": services.asset_item_create(actor=actor, household=household, data={
            "asset_type": "101", "value": Decimal("3000.00")}).pk,
        "expense_id": services.expense_create(actor=actor, household=household, data={
            "expense_type": "medical", "amount": Decimal("800.00"),
            "incurred_on": datetime.date(2022, 5, 1)}).pk,
        "supporter_id": services.supporter_create(actor=actor, household=household, data={
            "person": household.head, "name": "女儿某", "relation": "child",
            "birth_date": datetime.date(1980, 1, 1), "income_year": Decimal("30000.00")}).pk,
        "document_id": services.document_upload(
            actor=actor, household=household, material_type="101",
            upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf")).pk,
        "job_id": _import_with_returned_rows(actor, village, names).pk,
        "case_id": _problem_case(actor, household),
        # Standards belong to no county and anyone may read them: a number that names none.
        "standard_id": 10**9,
        # The rules run over the county (through the API: the registry's tests import no app above
        # it): its run, its townships' lists of households.
        "run_id": token_client(actor).post(f"{PREFIX}/programmes/eligibility-runs", {
            "area": village.code[:6], "on": datetime.date.today().isoformat()},
            content_type="application/json").json()["id"],
        # An application handed in by the township of the village (through the API, as above).
        "application_id": token_client(user(Role.TOWNSHIP_OFFICE, village.code[:9])).post(
            f"{PREFIX}/programmes/applications", {"household_id": household.pk, "programme": "dibao",
                                                  "channel": "household"},
            content_type="application/json").json()["id"],
        # An emergency of the head where they live, recorded by the township (through the API).
        "aid_id": token_client(user(Role.TOWNSHIP_OFFICE, village.code[:9])).post(
            f"{PREFIX}/programmes/temporary-aid/emergencies", {"area": village.code, "cause": "fire",
                                                             "what": "失火", "person_id": household.head_id},
            content_type="application/json").json()["id"],
        # A review of the household's 低保, recorded by the county from a decision (through the API).
        "review_id": _review(actor, household),
        # A household of 罗庄区 handed over to this county, waiting for it to confirm the amount.
        "transfer_id": _transfer_in(make_household, village),
        # An institution of the county, recorded by it (through the API).
        "institution_id": token_client(actor).post(f"{PREFIX}/institutions", {
            "division": village.code[:9], "name": f"{names[0]}敬老院", "kind": "elderly_public",
            "address": "路1号"}, content_type="application/json").json()["id"],
        # The township of the village (its reserve fund: /payments/reserves/{township}).
        "township": village.code[:9],
        # The county's payroll of this month, drafted by it (through the API), checked, approved
        # and exported (so that its bank file is there to take).
        "payroll_id": _exported_payroll(actor, village.code[:6]),
        "complaint_id": token_client(actor).post(f"{PREFIX}/programmes/complaints", {
            "kind": "real_name", "complainant": names[0], "text": "收入不实", "household_id": household.pk},
            content_type="application/json").json()["id"],
    }


def _enrolment(actor, household) -> int:
    return token_client(actor).post(
        f"{PREFIX}/programmes/households/{household.pk}/enrolments",
        {"programme": "dibao", "since": "2022-01-01", "amount": "300", "decision": "民救〔2022〕1号"},
        content_type="application/json").json()["id"]


def _review(actor, household) -> int:
    return token_client(actor).post(
        f"{PREFIX}/programmes/reviews",
        {"enrolment_id": _enrolment(actor, household), "reason": "reported", "what": "收入变化"},
        content_type="application/json").json()["id"]


def _transfer_in(make_household, village) -> int:
    luozhuang = user(Role.COUNTY_BUREAU, "371311")
    moving = make_household(village_of("371311001201"), luozhuang,
                            members=[("罗庄某", 1, "02", datetime.date(1955, 1, 1))])
    _enrolment(luozhuang, moving)
    return token_client(luozhuang).post(
        f"{PREFIX}/programmes/households/{moving.pk}/hand-over", {"village": village.code},
        content_type="application/json").json()["id"]


def _problem_case(actor, household) -> int:
    """A visit by `actor` that found a hazard: the problem's case, titled with the head's name."""
    visit = visit_record(actor=actor, household=household, data={"purpose": "routine"},
                         submission=uuid.uuid4(),
                         answers={"heating": ["2"], "co_alarm": ["no"], "stove": ["ok"], "wiring": ["ok"],
                                  "gas": ["none"], "food": ["enough"], "clothing": ["enough"],
                                  "medicines": ["none_needed"], "house": ["safe"]})
    return visit.problems.get().case_id


def _import_with_returned_rows(actor, village, names):
    """An import by `actor` whose one row (a bad ID number) comes back, names and all."""
    roster = f"户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n1,{village.code},路1号,{names[0]},1,户主\n"
    job = imports.import_start(actor=actor, upload=SimpleUploadedFile("roster.csv", roster.encode()))
    imports.run_import(job)
    job.refresh_from_db()
    assert job.rejected_file, job.message
    return job


def text_of(response) -> str:
    """What a response says, a spreadsheet's cells included."""
    if not getattr(response, "streaming", False):
        return response.content.decode()
    content = b"".join(response.streaming_content)
    if content.startswith(b"PK"):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(str(cell) for sheet in book.worksheets for row in sheet.values for cell in row)
    return content.decode("utf-8-sig")


def token_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user, name='walk')[1]}"})


def _next_month() -> str:
    today = datetime.date.today()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1).isoformat()


# Routes whose GET needs query parameters (reference data, no area): the values a client sends.
REQUIRED_QUERY = {
    f"{PREFIX}/calendar/deadline": "start=2024-02-08&amount=2&",
    f"{PREFIX}/programmes/what-if": f"area=371302&residence=urban&value=800&starting={_next_month()}&",
    # The accounts of one payee (the own household's head: formatted with the own records).
    f"{PREFIX}/payee-accounts": "holder_kind=person&holder_id={person_id}&",
}


def test_every_api_route_as_other_county(make_household, lanshan_village, yinan_village, county_user,
                                         other_county_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    own = records(make_household, lanshan_village, county_user, ("兰山甲某", "兰山乙某"))
    other = records(make_household, yinan_village, other_county_user, OTHER_NAMES)
    client = token_client(county_user)
    document = client.get(f"{PREFIX}/openapi.json").json()
    walked = routes()
    assert len(walked) >= 30, walked  # the walk really found the API
    changes_before = ChangeRecord.objects.count()

    leaks, own_failures = [], []
    # Reads first, so that a write that wrongly succeeded cannot hide a read that leaks.
    for method, template in sorted(walked, key=lambda route: route[0] != "GET"):
        if path_parameters(template):
            response = call(client, method, template, other, document)
            if response.status_code != 404:
                leaks.append((method, template, response.status_code))
            if method == "GET":
                mine = call(client, method, template, own, document)
                if not 200 <= mine.status_code < 300:
                    own_failures.append((method, template, mine.status_code))
        elif method == "GET":
            for unmask in ("", "unmask=true"):
                response = client.get(f"{template}?{REQUIRED_QUERY.get(template, '').format(**own)}{unmask}")
                text = text_of(response) if 200 <= response.status_code < 300 else ""
                if not 200 <= response.status_code < 300:
                    own_failures.append((method, template, response.status_code))
                elif any(name in text for name in OTHER_NAMES):
                    leaks.append((method, template, "shows another county's people"))

    assert leaks == []
    assert own_failures == [], own_failures
    # Nothing the walk sent changed anything of the other county (or anything at all).
    assert ChangeRecord.objects.count() == changes_before
