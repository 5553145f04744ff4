"""What follows a household when it moves to another village: the apps above the registry register
here what of theirs goes with it (an application, its case and documents), so that who may see and
act on it follows the household. Called inside the moving service's transaction."""

from collections.abc import Callable

_LISTENERS: dict[str, Callable] = {}


def register_household_moved(*, name: str, moved: Callable[[int, str], None]) -> None:
    """`moved(household_id, village_code)` runs when a household moves to `village_code`."""
    _LISTENERS[name] = moved


def household_moved(household_id: int, village_code: str) -> None:
    for listener in _LISTENERS.values():
        listener(household_id, village_code)
