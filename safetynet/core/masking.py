"""How personal identifiers look to someone not entitled to see them whole."""


def mask_id_number(number: str | None) -> str:
    """`371302195001010013` → `3713**********0013` (the area and the last four stay readable)."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """`13812345678` → `138****5678`."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(account: str | None) -> str:
    if not account:
        return ""
    return "*" * max(len(account) - 4, 0) + account[-4:]
