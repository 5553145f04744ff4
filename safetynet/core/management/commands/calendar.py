"""`safetynet calendar import FILE | show YEAR`: enter the State Council's yearly schedule of
holidays and adjusted working days (a CSV, see docs/operations.md), or show a year as entered.

    safetynet calendar import 2027.csv
    safetynet calendar show 2027
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from safetynet.core.models import CalendarYear
from safetynet.core.workdays.files import CalendarFileError, read_calendar_file
from safetynet.core.workdays.selectors import calendar_days, work_calendar
from safetynet.core.workdays.services import calendar_years_replace


class Command(BaseCommand):
    help = "Enter the official calendar (holidays and adjusted working days) from a CSV, or show a year."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        enter = actions.add_parser("import", help="enter the years FILE gives (each replaces what was there)")
        enter.add_argument("file")
        show = actions.add_parser("show", help="the holidays and adjusted working days of YEAR")
        show.add_argument("year", type=int)

    def handle(self, *args, action: str, **options):
        if action == "import":
            self.enter(Path(options["file"]))
        else:
            self.show(options["year"])

    def enter(self, path: Path) -> None:
        try:
            content = path.read_bytes()
        except OSError as error:
            message = _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror}
            raise CommandError(message) from None
        try:
            years = read_calendar_file(content)
        except CalendarFileError as error:
            raise CommandError(_("Nothing was entered:") + "\n" + str(error)) from None
        moved = calendar_years_replace(actor=None, years=years, source=CalendarYear.Source.FILE)
        for year, days in sorted(years.items()):
            self.stdout.write(_("%(year)s entered: %(days)s days set apart.")
                              % {"year": year, "days": len(days)})
        for line in moved or [_("No deadline moved.")]:
            self.stdout.write(line)

    def show(self, year: int) -> None:
        calendar = work_calendar()
        if year not in calendar.years:
            self.stdout.write(_("%(year)s is not entered: Monday to Friday count as working days, and "
                                "deadlines reckoned in it are provisional.") % {"year": year})
            return
        for day in calendar_days(year):
            self.stdout.write(f"{day.date.isoformat()}  {day.get_kind_display()}  {day.name}")
