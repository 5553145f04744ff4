"""`safetynet user create|set-password|deactivate`: staff accounts from the console.

Messages are in the installation's language (Chinese by default). Any refusal exits non-zero and
says what to fix; nothing is half-saved.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from safetynet.core.models import ROLE_LEVELS, Role, User
from safetynet.core.services import user_create, user_deactivate, user_set_password


def refusal(error: ValidationError) -> CommandError:
    """A service's ValidationError as one CommandError, a line per problem, fields named."""
    labels = {"username": _("user name"), "role": _("role"), "division": _("division"),
              "password": _("password"), "prefix": _("token")}
    if not hasattr(error, "error_dict"):
        return CommandError("\n".join(error.messages))
    lines = [f"{labels.get(field, field)}: {message}"
             for field, messages in error.message_dict.items() for message in messages]
    return CommandError("\n".join(lines))


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("There is no user %(username)s.") % {"username": username})
    return user


def ask_password(given: str | None) -> str:
    """The password from --password, else typed twice at a terminal."""
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise CommandError(_("Give the password with --password (there is no terminal to type it at)."))
    first = getpass.getpass(_("Password: "))
    if first != getpass.getpass(_("Password (again): ")):
        raise CommandError(_("The two passwords differ."))
    return first


class Command(BaseCommand):
    help = "Create a staff user bound to a division, set a user's password, or deactivate a user."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        roles = "; ".join(f"{role.value} ({'/'.join(sorted(ROLE_LEVELS[role]))})" for role in Role)

        create = actions.add_parser("create", help="create a user bound to a division")
        create.add_argument("username")
        create.add_argument("--role", required=True, help=f"one of: {roles}")
        create.add_argument("--division", required=True, metavar="CODE",
                            help="the division code the user is bound to; its level must fit the role")
        create.add_argument("--password", help="asked for twice when left out")
        create.add_argument("--name", default="", help="the person's name as shown in the records")
        create.add_argument("--phone", default="")

        set_password = actions.add_parser("set-password", help="give a user a new password")
        set_password.add_argument("username")
        set_password.add_argument("--password", help="asked for twice when left out")

        deactivate = actions.add_parser("deactivate", help="stop a user logging in; revokes their API tokens")
        deactivate.add_argument("username")

    def handle(self, *args, action: str, username: str, **options):
        try:
            if action == "create":
                user = user_create(
                    username=username, role=options["role"], division_code=options["division"],
                    password=ask_password(options["password"]), name=options["name"], phone=options["phone"],
                )
                self.stdout.write(_("Created %(username)s: %(role)s, %(division)s.") % {
                    "username": user.username, "role": Role(user.role).label, "division": user.division})
            elif action == "set-password":
                user = find_user(username)
                user_set_password(user=user, password=ask_password(options["password"]))
                self.stdout.write(_("Changed the password of %(username)s.") % {"username": username})
            elif action == "deactivate":
                user = find_user(username)
                user_deactivate(user=user)
                self.stdout.write(_("Deactivated %(username)s; their API tokens no longer work.")
                                  % {"username": username})
        except ValidationError as error:
            raise refusal(error) from None
