"""extractors/ is the pure core: no network, SQL, Prefect, environment or clock."""

from __future__ import annotations

import ast
from pathlib import Path

import extractors

FORBIDDEN_MODULES = {
    "socket",
    "http",
    "urllib.request",
    "httpx",
    "requests",
    "aiohttp",
    "sqlalchemy",
    "alembic",
    "prefect",
    "os",
    "subprocess",
    "random",
    "time",
    "flows",
    "storage",
    "pydantic_settings",
}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "getenv", "environ", "fetch_url"}


def _modules() -> list[Path]:
    return sorted(Path(extractors.__file__).parent.glob("*.py"))


def test_extractors_import_nothing_impure() -> None:
    offenders = []
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_MODULES):
                    offenders.append(f"{path.name}: import {name}")
    assert offenders == []


def test_extractors_read_no_clock_or_environment() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_CALLS:
                offenders.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert offenders == []


def test_no_module_level_mutable_state() -> None:
    offenders = []
    for path in _modules():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                if isinstance(value, ast.List | ast.Dict | ast.Set) or (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id in {"list", "dict", "set", "defaultdict", "Counter"}
                ):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
