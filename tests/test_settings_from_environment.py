"""Settings come from the environment: a value set must mean something, and reading them changes
nothing on disk (the entry points prepare the data folder, safetynet.datadir)."""

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured

import safetynet.settings as settings_module
from safetynet.datadir import prepare


@pytest.fixture
def reload_settings(monkeypatch):
    """Load safetynet.settings afresh under the test's environment; the usual one again afterwards."""
    yield lambda: importlib.reload(settings_module)
    monkeypatch.undo()
    importlib.reload(settings_module)


@pytest.mark.parametrize(("name", "value"), [
    ("SAFETYNET_PLAIN_HTTP", "ja"),
    ("SAFETYNET_DEBUG", "truee"),
    ("SAFETYNET_IDLE_MINUTES", "30m"),
    ("SAFETYNET_IDLE_MINUTES", "0"),
    ("SAFETYNET_LOGIN_FAILURE_LIMIT", "five"),
    ("SAFETYNET_LOCKOUT_HOURS", "half"),
    ("SAFETYNET_LOCKOUT_HOURS", "nan"),
    ("SAFETYNET_PROXY_COUNT", "-1"),
    ("SAFETYNET_MAX_DOCUMENT_MB", "10.5"),
    ("SAFETYNET_CONN_MAX_AGE", "60s"),
    ("SAFETYNET_NUMBER_LOOKUP_LIMIT", "5 per day"),
    ("SAFETYNET_NUMBER_LOOKUP_HOURS", "0"),
])
def test_a_mistyped_setting_stops_the_start_naming_the_variable(monkeypatch, reload_settings, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured) as refused:
        reload_settings()
    assert name in str(refused.value) and repr(value) in str(refused.value)


def test_well_typed_settings_are_read(monkeypatch, reload_settings):
    for name, value in {"SAFETYNET_PLAIN_HTTP": "Yes", "SAFETYNET_IDLE_MINUTES": " 45 ",
                        "SAFETYNET_LOCKOUT_HOURS": "1.5", "SAFETYNET_NUMBER_LOOKUP_LIMIT": "3",
                        "SAFETYNET_DEBUG": ""}.items():
        monkeypatch.setenv(name, value)
    module = reload_settings()
    assert module.PLAIN_HTTP and not module.SESSION_COOKIE_SECURE
    assert module.SESSION_COOKIE_AGE == 45 * 60
    assert module.AXES_COOLOFF_TIME == 1.5
    assert module.SAFETYNET_NUMBER_LOOKUP_LIMIT == 3
    assert module.DEBUG is False  # set but empty: the default


def test_reading_the_settings_creates_no_file_or_folder(monkeypatch, reload_settings, tmp_path):
    data = tmp_path / "data"
    monkeypatch.setenv("SAFETYNET_DATA_DIR", str(data))
    monkeypatch.delenv("SAFETYNET_SECRET_KEY", raising=False)
    module = reload_settings()
    assert not data.exists() and list(tmp_path.iterdir()) == []
    assert module.SECRET_KEY  # a key of this process only


def test_the_first_start_keeps_a_secret_key_in_the_data_folder(monkeypatch, reload_settings, tmp_path):
    data = tmp_path / "data"
    monkeypatch.setenv("SAFETYNET_DATA_DIR", str(data))
    monkeypatch.delenv("SAFETYNET_SECRET_KEY", raising=False)
    prepare()  # what `safetynet …`, manage.py and safetynet/wsgi.py do before Django starts
    key_file = data / "secret_key"
    assert (data / "static").is_dir() and key_file.stat().st_mode & 0o777 == 0o600
    first, second = reload_settings().SECRET_KEY, reload_settings().SECRET_KEY
    assert first == second == key_file.read_text().strip()
