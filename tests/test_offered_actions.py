"""Each role is offered only what it may do: no link, button or form on any page it reaches leads
to a refusal, and no page promises it changes it cannot make (a grid worker reads the registry,
it does not change it)."""

import html

import pytest
from django.db import transaction
from django.test import Client
from django.utils.translation import gettext, override
from page_walk import build_town, is_walked, read_page, walk

from safetynet.core.models import Role

pytestmark = pytest.mark.django_db

# Forms that are no action on records: leaving, switching the language.
NOT_SENT = ("/logout/", "/i18n/setlang/")


def shown(message: str) -> str:
    with override("zh-hans"):
        return html.escape(gettext(message), quote=False)


@pytest.mark.parametrize("role", list(Role))
def test_nothing_a_role_is_offered_is_refused_to_it(role, make_household, settings, tmp_path):
    town = build_town(make_household, settings, tmp_path)
    client = Client()
    client.force_login(town["users"][role])
    refused, forms = [], {}
    for url, response in walk(client):
        if response.status_code == 403:
            refused.append(f"GET {url}")
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for action in read_page("http://testserver" + url, response.content.decode()).actions:
                path = action.url.replace("http://testserver", "")
                if action.method == "POST" and is_walked(action.url) and not path.startswith(NOT_SENT):
                    forms.setdefault(path, (url, action))
    for path, (offered_on, action) in forms.items():
        with transaction.atomic():  # what the form does is undone: only the answer matters here
            response = client.post(path, action.data)
            transaction.set_rollback(True)
        if response.status_code == 403:
            refused.append(f"POST {path} ({action.label or 'form'} on {offered_on})")
    assert refused == [], "offered but refused:\n" + "\n".join(refused)


def test_the_grid_worker_is_not_promised_changes_it_cannot_make(make_household, settings, tmp_path):
    town = build_town(make_household, settings, tmp_path)
    grid, clerk = Client(), Client()
    grid.force_login(town["users"][Role.GRID_WORKER])
    clerk.force_login(town["users"][Role.TOWNSHIP_OFFICE])

    home = grid.get("/").text
    assert shown("You see and change only the records of your area.") not in home
    assert shown("You see only the records of your area.") in home
    assert shown("Your role reads these records but does not change them: tell the township office "
                 "what needs correcting.") in home
    assert shown("Register a household") not in home and shown("Import") not in home
    export = grid.get("/registry/households/export/").text
    assert shown("The file has the columns of the import template: it can be corrected and imported again.") \
        not in export

    home = clerk.get("/").text
    writer_note = "You register households, correct their records and import spreadsheets of your area."
    assert shown(writer_note) in home
    assert shown("Register a household") in home
    export = clerk.get("/registry/households/export/").text
    assert shown("The file has the columns of the import template: it can be corrected and imported again.") \
        in export
