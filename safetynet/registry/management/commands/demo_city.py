"""`safetynet demo-city --households N --seed S [--as-of DATE] [--if-empty]`: a synthetic Linyi city to try
out, dated as of one day. Every app's registered builder (core.demo.register_demo_builder) runs in
order: the registry's households first, then what later apps build on them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from safetynet.core.demo import DEMO_PASSWORD, DemoContext, demo_clock, run_demo_builders
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
        parser.add_argument("--as-of", dest="as_of", default=None, metavar="YYYY-MM-DD",
                            help=_("the day the city is built as of: everything is dated on or before it, "
                                   "history from January 2022 (default today)"))
        parser.add_argument("--if-empty", action="store_true",
                            help=_("do nothing if the registry already has households"))
        parser.add_argument("--through-services", action="store_true",
                            help=_("write each household through the registry services, as a clerk's entry "
                                   "would be (about ten times slower)"))

    def handle(self, *args, households: int, seed: int, if_empty: bool, through_services: bool,
               as_of=None, **options):
        if households < 1:
            raise CommandError(_("Give at least one household with --households."))
        try:
            clock = demo_clock(as_of)
        except ValueError as error:
            raise CommandError(str(error)) from None
        existing = Household.objects.count()
        if existing:
            if if_empty:
                self.stdout.write(_("The registry already has %(count)s households: no demo city built.")
                                  % {"count": existing})
                return
            raise CommandError(_("The registry already has %(count)s households. The demo city is built "
                                 "into an empty registry (use --if-empty to skip it quietly).")
                               % {"count": existing})
        context = DemoContext(clock=clock, seed=seed, households=households, report=self.stdout.write,
                              options={"through_services": through_services})
        try:
            lines = run_demo_builders(context)
        except ValueError as error:
            raise CommandError(str(error)) from None
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(_("Everything is dated as of %(date)s, with history from %(start)s.")
                          % {"date": clock.as_of.isoformat(), "start": clock.history_start.isoformat()})
        self.stdout.write(_("Every demo user's password is %(password)s; `safetynet run` lists the logins.")
                          % {"password": DEMO_PASSWORD})
        for warning in context.warnings[:5]:
            self.stderr.write(warning)
