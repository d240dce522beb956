"""Module names that stay safe when a package folder lands on sys.path.

Prefect loads a deployment's entrypoint (flows/ingest.py) by path and puts its folder
on sys.path; a module there named like a standard module (http.py, email.py) would
then shadow it in every later import, including in worker processes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_shadows_the_standard_library() -> None:
    clashes = [
        str(path.relative_to(ROOT))
        for package in ("flows", "extractors", "storage", "bench")
        for path in (ROOT / package).rglob("*.py")
        if path.stem in sys.stdlib_module_names
    ]
    assert clashes == []
