"""Cleaning what people type or paste: full-width characters, stray spaces."""

import unicodedata


def normalise(value: str | None) -> str:
    """NFKC turns full-width digits and letters (１２３ＡＢＣ) into ASCII; spaces inside go."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())
