"""What follows a household when it moves to another village, and what a member's leaving starts:
the apps above the registry register here what of theirs goes with a household (an application, its
case and documents), so that who may see and act on it follows the household, and what a departure
calls for. Called inside the registry service's transaction."""

from collections.abc import Callable

_LISTENERS: dict[str, Callable] = {}


def register_household_moved(*, name: str, moved: Callable[[int, str], None]) -> None:
    """`moved(household_id, village_code)` runs when a household moves to `village_code`."""
    _LISTENERS[name] = moved


def household_moved(household_id: int, village_code: str) -> None:
    for listener in _LISTENERS.values():
        listener(household_id, village_code)


_LEFT_LISTENERS: dict[str, Callable] = {}


def register_member_left(*, name: str, left: Callable) -> None:
    """`left(actor, membership)` runs when a member leaves a household (moved out, married out,
    deceased…): an app above may start what that calls for, such as the review of the household's
    assistance after a death. Called inside the removing service's transaction."""
    _LEFT_LISTENERS[name] = left


def member_left(actor, membership) -> None:
    for listener in _LEFT_LISTENERS.values():
        listener(actor, membership)
