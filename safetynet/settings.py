"""One settings file, driven by the environment.

SQLite in SAFETYNET_DATA_DIR by default; PostgreSQL (or any database) by DATABASE_URL.

A variable that is set must mean something: a yes/no or a number mistyped in the environment stops
the start with ImproperlyConfigured naming it, rather than quietly meaning its default. Importing
this module creates no file or folder: the entry points prepare the data folder (safetynet.datadir).
"""

import math
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from safetynet.datadir import PROJECT_DIR, STATIC_FOLDER, data_dir, stored_secret_key

BASE_DIR = PROJECT_DIR
DATA_DIR = data_dir()

# Nothing is translated yet while the settings load: the operator is told in Chinese and English.
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in _TRUE | _FALSE:
        return raw.lower() in _TRUE
    raise ImproperlyConfigured(
        f"环境变量 {name} 应为 1、true、yes、on 或 0、false、no、off，而不是 {raw!r}。"
        f" ({name} must be 1, true, yes or on, or 0, false, no or off, not {raw!r}.)"
    )


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ImproperlyConfigured(
            f"环境变量 {name} 应为不小于 {minimum} 的整数，而不是 {raw!r}。"
            f" ({name} must be a whole number of at least {minimum}, not {raw!r}.)"
        )
    return value


def _env_positive(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ImproperlyConfigured(
            f"环境变量 {name} 应为大于 0 的数，而不是 {raw!r}。"
            f" ({name} must be a number greater than 0, not {raw!r}.)"
        )
    return value


# The key from the environment, else the one generated into the data folder when safetynet was
# first started (safetynet.datadir.prepare). With neither (a test run, a bare import), a key of
# this process only: logins then end with it.
SECRET_KEY = os.environ.get("SAFETYNET_SECRET_KEY") or stored_secret_key() or secrets.token_urlsafe(50)
DEBUG = _env_bool("SAFETYNET_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("SAFETYNET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SAFETYNET_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# No django.contrib.admin: accounts are managed with `safetynet user`, and a second login page with
# its own forms is only more to attack.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "safetynet.core",
    "safetynet.registry",
    "safetynet.programmes",
    "safetynet.institutions",
    "safetynet.care",
    "safetynet.payments",
    "safetynet.rescue",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The internet-facing server (--public-only) turns away all but the public pages, before sessions.
    "safetynet.core.middleware.PublicOnlyMiddleware",
    # Below WhiteNoise, so static files stay cacheable: every response Django itself makes may carry
    # personal data (pages, reveals, exports, documents, API) and is stored by no cache or browser.
    "safetynet.core.middleware.NoStoreMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "safetynet.core.middleware.LoginRequiredMiddleware",
    "safetynet.core.middleware.PasswordChangeRequiredMiddleware",
    # axes last: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safetynet.urls"
WSGI_APPLICATION = "safetynet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'safetynet.sqlite3'}"),
        conn_max_age=_env_int("SAFETYNET_CONN_MAX_AGE", 0),
        # Page threads keep their connection between requests (core.asgi): after a database restart
        # the first request on each finds out before it is served, not by failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while a background job writes; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue on the busy timeout instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;PRAGMA cache_size=-65536;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's own hashers, and last the one for one-time passwords that user administration hands out
# (random, about 70 bits: a slow hash adds nothing, and fifty accounts from a spreadsheet are made in
# a second instead of half a minute). The user chooses their own password at the first login, hashed
# by the first hasher.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "safetynet.core.hashers.OneTimePasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# An idle login expires: every request renews the cookie, silence lets it lapse.
SESSION_COOKIE_AGE = _env_int("SAFETYNET_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Cookies travel only over HTTPS. A demo on this computer over plain HTTP says so explicitly
# (`safetynet run --plain-http`, which `make demo` uses, or SAFETYNET_PLAIN_HTTP=1).
PLAIN_HTTP = _env_bool("SAFETYNET_PLAIN_HTTP", False)
# The web server that faces the internet answers only the public entry points
# (`safetynet serve --public-only`; core.middleware.PublicOnlyMiddleware).
PUBLIC_ONLY = _env_bool("SAFETYNET_PUBLIC_ONLY", False)
SESSION_COOKIE_SECURE = not PLAIN_HTTP
CSRF_COOKIE_SECURE = not PLAIN_HTTP
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind N reverse proxies the client's address is the Nth from the right in X-Forwarded-For.
SAFETYNET_PROXY_COUNT = _env_int("SAFETYNET_PROXY_COUNT", 0)

# The rescue map draws the counties' outlines from the project's own GeoJSON; an intranet tile server
# (a URL template with {z}, {x} and {y}, e.g. http://tiles.intranet/{z}/{x}/{y}.png) goes beneath them.
SAFETYNET_MAP_TILES = os.environ.get("SAFETYNET_MAP_TILES", "").strip()


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


# Content-Security-Policy: only this site's own scripts, styles, images and requests; no inline
# script or style, no eval, no framing. htmx is vendored (django_htmx) and configured without eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, *filter(None, [_origin(SAFETYNET_MAP_TILES)])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Lockout after repeated failures (django-axes): per user name AND address together. Someone
# elsewhere who knows a user name locks out only their own attempts, never the user at their desk.
AXES_FAILURE_LIMIT = _env_int("SAFETYNET_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = _env_positive("SAFETYNET_LOCKOUT_HOURS", 0.5)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "safetynet.core.middleware.client_ip"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / STATIC_FOLDER  # made by safetynet.datadir.prepare (WhiteNoise warns without it)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (demo, tests) WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("SAFETYNET_MEDIA_ROOT", DATA_DIR / "documents"))
MEDIA_URL = "/media/"  # never served directly: documents go through a scoped view
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
SAFETYNET_MAX_DOCUMENT_BYTES = _env_int("SAFETYNET_MAX_DOCUMENT_MB", 10, minimum=1) * 1024 * 1024

# --- background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SAFETYNET_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- domain defaults ------------------------------------------------------------------------
SAFETYNET_CITY_CODE = os.environ.get("SAFETYNET_CITY_CODE", "3713")
# Lookups of whole ID or phone numbers by a role that sees them masked (core.services).
SAFETYNET_NUMBER_LOOKUP_LIMIT = _env_int("SAFETYNET_NUMBER_LOOKUP_LIMIT", 5)
SAFETYNET_NUMBER_LOOKUP_HOURS = _env_positive("SAFETYNET_NUMBER_LOOKUP_HOURS", 24)
# Days an institution has to rectify a general hazard (SPEC §6.4 G; local rules may set fewer).
SAFETYNET_HAZARD_RECTIFY_DAYS = _env_int("SAFETYNET_HAZARD_RECTIFY_DAYS", 7, minimum=1)
# Institutions' safety records (institutions.safety): how soon an incident is first reported upward
# (hours from when it occurred: a major one, an ordinary one), how often staff are trained and a plan
# drilled (days).
SAFETYNET_INCIDENT_FIRST_REPORT_HOURS = _env_int("SAFETYNET_INCIDENT_FIRST_REPORT_HOURS", 1, minimum=1)
SAFETYNET_INCIDENT_ORDINARY_REPORT_HOURS = _env_int("SAFETYNET_INCIDENT_ORDINARY_REPORT_HOURS", 24, minimum=1)
SAFETYNET_SAFETY_TRAINING_DAYS = _env_int("SAFETYNET_SAFETY_TRAINING_DAYS", 90, minimum=1)
SAFETYNET_DRILL_DAYS = _env_int("SAFETYNET_DRILL_DAYS", 180, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "safetynet.core.logfilters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusal_without_traceback"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFETYNET_LOG_LEVEL", "WARNING")},
    "loggers": {"safetynet": {"level": "INFO"}},
}

SITE_TITLE = _("safetynet social assistance")
