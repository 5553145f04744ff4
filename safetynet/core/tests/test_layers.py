"""Other apps read and write core's tables only through core's selectors and services.

import-linter keeps `safetynet.core.models` out of other apps; core.types still hands them the
classes (for annotations and isinstance), so this test finds a manager reached through one of them,
which import-linter cannot see."""

import ast
from pathlib import Path

import safetynet

PROJECT = Path(safetynet.__file__).parent
CORE_CLASSES = {"safetynet.core.types", "safetynet.core.models"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def _core_names(tree: ast.Module) -> set[str]:
    """Names a module binds from core's model classes (through core.types or core.models)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in CORE_CLASSES:
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def managers_reached(source: str) -> list[str]:
    tree = ast.parse(source)
    names = _core_names(tree)
    return [
        f"{node.value.id}.{node.attr} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS
        and isinstance(node.value, ast.Name) and node.value.id in names
    ]


def app_modules():
    for path in sorted(PROJECT.rglob("*.py")):
        parts = path.relative_to(PROJECT).parts
        if len(parts) < 2 or parts[0] == "core" or "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_no_app_outside_core_queries_cores_tables():
    reached = {
        str(path.relative_to(PROJECT)): found
        for path in app_modules()
        if (found := managers_reached(path.read_text(encoding="utf-8")))
    }
    assert reached == {}


def test_the_check_finds_a_manager_reached_through_core_types():
    # The check itself can fail: a module doing what the rule forbids is found.
    source = (
        "from safetynet.core.types import Division, User\n"
        "User.objects.filter(pk=1)\n"
        "x = Division._default_manager\n"
    )
    assert sorted(managers_reached(source)) == ["Division._default_manager (line 3)", "User.objects (line 2)"]


def test_the_scan_covers_the_registry():
    assert any(path.parts[-2:] == ("registry", "models.py") for path in app_modules())
