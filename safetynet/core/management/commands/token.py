"""`safetynet token create|revoke|list`: API tokens for /api/v1.

A token is shown once, when it is created; only its hash is kept. `list` shows each token's
prefix, which is what `revoke` takes.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.management.commands.user import find_user, refusal
from safetynet.core.services import api_token_create, api_token_revoke_prefix


class Command(BaseCommand):
    help = "Create, revoke or list the API tokens of a user."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        create = actions.add_parser("create", help="create a token and print it (once)")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for, e.g. the client system")
        create.add_argument("--days", type=int, default=365, help="valid for this many days (0: no expiry)")

        revoke = actions.add_parser("revoke", help="revoke the token that starts with PREFIX")
        revoke.add_argument("prefix")

        listing = actions.add_parser("list", help="list a user's tokens")
        listing.add_argument("username")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                self.create(options["username"], options["name"], options["days"])
            elif action == "revoke":
                token = api_token_revoke_prefix(prefix=options["prefix"])
                self.stdout.write(_("Revoked token %(prefix)s of %(username)s.")
                                  % {"prefix": token.prefix, "username": token.user.username})
            elif action == "list":
                self.list(options["username"])
        except ValidationError as error:
            raise refusal(error) from None

    def create(self, username: str, name: str, days: int) -> None:
        if days < 0:
            raise CommandError(_("--days cannot be negative."))
        user = find_user(username)
        if not user.is_active:
            raise CommandError(_("%(username)s is deactivated.") % {"username": username})
        token, key = api_token_create(user=user, name=name or "cli", days=days or None)
        self.stderr.write(_("Token for %(username)s (prefix %(prefix)s). It is shown only now: keep it safe.")
                          % {"username": username, "prefix": token.prefix})
        if token.expires_at:
            until = f"{timezone.localtime(token.expires_at):%Y-%m-%d}"
            self.stderr.write(_("Valid until %(date)s.") % {"date": until})
        # The key alone on stdout, so that a script can capture it.
        self.stdout.write(key)

    def list(self, username: str) -> None:
        user = find_user(username)
        now = timezone.now()
        tokens = user.api_tokens.order_by("-created_at")
        if not tokens:
            self.stdout.write(_("%(username)s has no API tokens.") % {"username": username})
            return
        for token in tokens:
            if token.revoked:
                state = _("revoked")
            elif token.expires_at and token.expires_at <= now:
                state = _("expired")
            else:
                state = _("active")
            expires = f"{timezone.localtime(token.expires_at):%Y-%m-%d}" if token.expires_at else "-"
            used = f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "-"
            created = f"{timezone.localtime(token.created_at):%Y-%m-%d}"
            self.stdout.write("  ".join([
                token.prefix, state, _("created %(day)s") % {"day": created},
                _("expires %(day)s") % {"day": expires}, _("last used %(moment)s") % {"moment": used},
                token.name,
            ]))
