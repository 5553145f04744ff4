"""The ASGI application: `safetynet serve` runs it with uvicorn; an outside ASGI server can too
(`uvicorn safetynet.asgi:application`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")

from safetynet.core.asgi import loaded_asgi_application  # noqa: E402
from safetynet.datadir import prepare  # noqa: E402

prepare()
application = loaded_asgi_application()
