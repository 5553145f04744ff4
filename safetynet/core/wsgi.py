"""The WSGI application, loaded whole before the first request is served.

`safetynet serve` and the project's `safetynet/wsgi.py` (for an outside WSGI server) both use it:
an app never imports the project package (import-linter says so).
"""

import gc

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver


def loaded_application():
    """Django's WSGI application with the URL configuration, every app's pages and what they import
    loaded now rather than by the first request. pypinyin's dictionaries among them are some
    300 000 long-lived objects: moved out of the collector's sight (`gc.freeze`), full collections
    do not stall a request every few dozen (~150 ms each)."""
    application = get_wsgi_application()
    load_everything()
    return application


def load_everything() -> None:
    """Every app's pages and what they import, loaded before the first request; then the
    long-lived objects moved out of the collector's sight (see loaded_application)."""
    get_resolver().url_patterns  # noqa: B018 — imports every app's views, and what they import
    gc.freeze()
