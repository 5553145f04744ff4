import subprocess
import sys
from pathlib import Path

from safetynet.cli import COMMANDS

SAFETYNET = Path(sys.executable).with_name("safetynet")


def test_help_lists_every_operator_command():
    result = subprocess.run([SAFETYNET, "--help"], capture_output=True, text=True, check=True)
    for name in COMMANDS:
        assert f"  {name} " in result.stdout


def test_unknown_command_fails_with_usage():
    result = subprocess.run([SAFETYNET, "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown command" in result.stderr and "usage: safetynet" in result.stderr


def test_every_listed_command_exists():
    import django
    from django.core.management import get_commands

    django.setup()
    available = get_commands()
    missing = [cmd for cmd, _ in COMMANDS.values() if cmd is not None and cmd not in available]
    assert missing == []
