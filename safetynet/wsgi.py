"""The WSGI application for an outside WSGI server (`safetynet serve` runs the same one)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")

from safetynet.core.wsgi import loaded_application  # noqa: E402
from safetynet.datadir import prepare  # noqa: E402

prepare()
application = loaded_application()
