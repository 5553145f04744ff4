"""The data folder (SAFETYNET_DATA_DIR, default `var/` beside the package): the SQLite database,
the documents, the static files and the generated secret key live there.

The settings only read it; the entry points that run safetynet (the `safetynet` command,
`manage.py`, `safetynet/wsgi.py`) create it with `prepare()` before Django starts, so that importing
the settings creates no file or folder. No Django here: this runs before the settings exist.
"""

import os
import secrets
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
SECRET_KEY_FILE = "secret_key"  # noqa: S105 — a file name, not a key
STATIC_FOLDER = "static"


def data_dir() -> Path:
    return Path(os.environ.get("SAFETYNET_DATA_DIR") or PROJECT_DIR.parent / "var").resolve()


def stored_secret_key() -> str:
    """The key generated into the data folder by `prepare()`, or "" when there is none yet."""
    try:
        return (data_dir() / SECRET_KEY_FILE).read_text().strip()
    except FileNotFoundError:
        return ""


def prepare() -> Path:
    """Create the data folder, its static folder (WhiteNoise warns at every start when it is
    missing) and, unless SAFETYNET_SECRET_KEY is set, a secret key kept there (readable by its
    owner only). Idempotent."""
    folder = data_dir()
    (folder / STATIC_FOLDER).mkdir(parents=True, exist_ok=True)
    key_file = folder / SECRET_KEY_FILE
    if not os.environ.get("SAFETYNET_SECRET_KEY") and not key_file.exists():
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of the same start made it a moment ago
            return folder
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return folder
