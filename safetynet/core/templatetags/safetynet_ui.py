"""Filters and tags the pages share: masked identifiers, ages, query strings, the main menu.

Whether a user may see an identifier whole is decided by the privacy policy (`core.privacy`), never in
a template."""

import datetime

from django import template
from django.conf import settings

from safetynet.core import masking

register = template.Library()


@register.filter
def masked_id(number: str | None) -> str:
    return masking.mask_id_number(number)


@register.filter
def masked_phone(phone: str | None) -> str:
    return masking.mask_phone(phone)


@register.filter
def age(birth_date: datetime.date | None, on: datetime.date | None = None) -> int | str:
    """Whole years of age today (or on `on`)."""
    years = masking.age_in_years(birth_date, on)
    return "" if years is None else years


@register.filter
def minutes(delta: datetime.timedelta | None) -> int | str:
    """A lockout period in whole minutes, rounded up."""
    if not delta:
        return ""
    return -(-int(delta.total_seconds()) // 60)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for paging through a filtered list)."""
    query = context["request"].GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def helpdesk() -> str:
    """Whom locked-out or lost users should call, if the operator configured it."""
    return getattr(settings, "SAFETYNET_HELPDESK", "")


@register.inclusion_tag("core/_menu.html", takes_context=True)
def main_menu(context) -> dict:
    """The entries the apps registered (core.hooks), the one the page lies under marked current: the
    longest whose address begins the page's."""
    from safetynet.core.hooks import menu_items

    request = context.get("request")
    if request is None:
        return {"items": []}
    items = menu_items(request.user)
    under = [item for item in items if request.path == item["url"] or
             (item["url"] != "/" and request.path.startswith(item["url"]))]
    current = max(under, key=lambda item: len(item["url"]))["url"] if under else None
    return {"items": [item | {"current": item["url"] == current} for item in items]}


@register.simple_tag
def lockout_rules() -> dict:
    """How many failed logins lock an account, and for how many minutes (from the settings)."""
    hours = float(getattr(settings, "AXES_COOLOFF_TIME", 0) or 0)
    return {"failures": getattr(settings, "AXES_FAILURE_LIMIT", 5), "minutes": round(hours * 60)}


@register.filter
def get_item(mapping, key):
    """`{{ names|get_item:code }}`: a dictionary lookup by a variable key."""
    return mapping.get(key, "") if mapping else ""


@register.inclusion_tag("core/_live.html", takes_context=True)
def live_box(context, desk: bool = False) -> dict:
    """Where notices that arrive while the page is open are shown (core.live), with the newest
    notice the page knows; `desk`: the page is a work desk and is redrawn when its work changes."""
    from safetynet.core.live.selectors import live_state

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "desk": desk, **live_state(user)}
