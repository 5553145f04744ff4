"""`safetynet demo-city --households N --seed S [--if-empty]`: a synthetic Linyi registry to try out."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from safetynet.core.demo import DEMO_PASSWORD
from safetynet.registry.demo import build_city
from safetynet.registry.models import Household


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property, so that it is translated when shown
        return _("Build a synthetic Linyi registry: villages, households, people, income, assets and one "
                 "login for every role. The same seed always gives the same city.")

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=300,
                            help=_("how many households (default 300)"))
        parser.add_argument("--seed", type=int, default=2022, help=_("the random seed (default 2022)"))
        parser.add_argument("--if-empty", action="store_true",
                            help=_("do nothing if the registry already has households"))
        parser.add_argument("--through-services", action="store_true",
                            help=_("write each household through the registry services, as a clerk's entry "
                                   "would be (about ten times slower)"))

    def handle(self, *args, households: int, seed: int, if_empty: bool, through_services: bool, **options):
        if households < 1:
            raise CommandError(_("Give at least one household with --households."))
        existing = Household.objects.count()
        if existing:
            if if_empty:
                self.stdout.write(_("The registry already has %(count)s households: no demo city built.")
                                  % {"count": existing})
                return
            raise CommandError(_("The registry already has %(count)s households. The demo city is built "
                                 "into an empty registry (use --if-empty to skip it quietly).")
                               % {"count": existing})
        shown = [0]

        def progress(done: int, total: int) -> None:
            # A large city takes minutes: say how far it has got, every tenth or so.
            if total >= 50_000 and (done == total or done * 10 // total > shown[0]):
                shown[0] = done * 10 // total
                message = _("%(done)s of %(total)s households written.") % {"done": done, "total": total}
                self.stdout.write(message)

        try:
            result = build_city(households=households, seed=seed, through_services=through_services,
                                progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Demo city built in %(seconds).1f s: %(households)s households, %(persons)s people, "
              "%(villages)s villages and communities (%(new_villages)s new), %(users)s users "
              "(%(new_users)s new).")
            % {"seconds": result.seconds, "households": result.households, "persons": result.persons,
               "villages": result.villages, "new_villages": result.new_villages, "users": result.users,
               "new_users": result.new_users}
        )
        self.stdout.write(_("Every demo user's password is %(password)s; `safetynet run` lists the logins.")
                          % {"password": DEMO_PASSWORD})
        for warning in result.warnings[:5]:
            self.stderr.write(warning)
