"""`safetynet grant add|revoke|list`: let a user see particular records outside the area rule
(core.grants), as the person's page does, through the same service.

    safetynet grant add PROVIDER registry.person 1234 --by lanshan --reason "服务合同 2022-17"
    safetynet grant revoke 56 --by lanshan
    safetynet grant list PROVIDER

`--by` names the county (or city) bureau account that grants: the record and the provider must lie
in its area, exactly as on the page.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import grants
from safetynet.core.management.commands.user import find_user, refusal
from safetynet.core.models import Grant


class Command(BaseCommand):
    help = "Let a user see particular records outside their area (a provider its persons), or stop it."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="let USERNAME see the record KIND ID")
        add.add_argument("username")
        add.add_argument("kind", help="what kind of record, e.g. registry.person")
        add.add_argument("object_id", type=int, help="the record's id")
        add.add_argument("--by", required=True, help="the bureau account that grants it")
        add.add_argument("--reason", default="")

        revoke = actions.add_parser("revoke", help="end the grant GRANT_ID")
        revoke.add_argument("grant_id", type=int)
        revoke.add_argument("--by", required=True, help="the bureau account that revokes it")
        revoke.add_argument("--reason", default="")

        listing = actions.add_parser("list", help="what is granted to USERNAME")
        listing.add_argument("username")

    def handle(self, *args, action: str, **options):
        try:
            if action == "add":
                self.add(options)
            elif action == "revoke":
                self.revoke(options)
            else:
                self.list(options["username"])
        except ValidationError as error:
            raise refusal(error) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None

    def add(self, options) -> None:
        granter, user = find_user(options["by"]), find_user(options["username"])
        grant = grants.grant_create(actor=granter, user=user, kind=options["kind"],
                                    object_id=options["object_id"], reason=options["reason"])
        self.stdout.write(_("Grant %(id)s: %(user)s may now see %(kind)s %(object)s.") % {
            "id": grant.pk, "user": user.username, "kind": grant.kind, "object": grant.object_id})

    def revoke(self, options) -> None:
        granter = find_user(options["by"])
        try:
            grant = grants.grant_get(actor=granter, pk=options["grant_id"])
        except Grant.DoesNotExist:
            raise CommandError(_("There is no grant %(id)s in force in your area.")
                               % {"id": options["grant_id"]}) from None
        grants.grant_revoke(actor=granter, grant=grant, reason=options["reason"])
        self.stdout.write(_("Grant %(id)s revoked.") % {"id": grant.pk})

    def list(self, username: str) -> None:
        user = find_user(username)
        shown = grants.grants_of_user(user=user).order_by("kind", "object_id")
        if not shown.exists():
            self.stdout.write(_("Nothing is granted to %(username)s.") % {"username": username})
        for grant in shown:
            kind = grants.grant_kind(grant.kind)
            name = kind.describe(grant.object_id) if kind else ""
            since = f"{timezone.localtime(grant.granted_at):%Y-%m-%d}"
            self.stdout.write(f"{grant.pk}\t{grant.kind}\t{grant.object_id}\t{name}\t{since}\t{grant.reason}")
