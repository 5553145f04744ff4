"""Today's date for checks that run once per row.

`timezone.localdate()` looks up the time zone on every call; an import of a hundred thousand rows
asks for today's date several times per row, and the look-up cost more than the checks. The date is
read again after a minute, so a job running over midnight moves to the new day within a minute.
"""

import datetime
import time

from django.utils import timezone

_READ_AGAIN_AFTER_S = 60.0
_last: list = [None, 0.0]  # the date, and time.monotonic() when it was read


def today() -> datetime.date:
    now = time.monotonic()
    if _last[0] is None or now - _last[1] > _READ_AGAIN_AFTER_S:
        _last[:] = [timezone.localdate(), now]
    return _last[0]


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the project's time zone (when a dated fact took effect)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
