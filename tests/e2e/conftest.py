"""Fixtures for the browser tests: Debian's Chromium and where screenshots go.

Without Playwright or Chromium the tests skip, so `make test` passes on a machine with
no browser; with NEWSFLOW_E2E=1 (`make e2e`) a missing browser fails the run instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return 'playwright is not installed (pip install -e ".[e2e]"; make e2e does)'
    if chromium_executable() is None:
        named = os.environ.get("NEWSFLOW_CHROMIUM")
        where = f"NEWSFLOW_CHROMIUM={named} is not an executable" if named else "no chromium"
        return f"{where} (.ci/chromium.sh installs Debian's; make e2e runs it)"
    return None


def chromium_executable() -> Path | None:
    """NEWSFLOW_CHROMIUM, else `chromium` on PATH (Debian's /usr/bin/chromium)."""
    named = os.environ.get("NEWSFLOW_CHROMIUM")
    found = named if named else shutil.which("chromium")
    if found and os.path.isfile(found) and os.access(found, os.X_OK):
        return Path(found)
    return None


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; skips without it, or fails when NEWSFLOW_E2E=1 asks for it."""
    problem = missing_browser()
    if problem is not None:
        if os.environ.get("NEWSFLOW_E2E") == "1":
            pytest.fail(f"NEWSFLOW_E2E=1 but {problem}", pytrace=False)
        pytest.skip(problem)
    path = chromium_executable()
    assert path is not None
    return path


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """NEWSFLOW_SCREENSHOT_DIR (make e2e: deploy/screenshots), else this test's folder."""
    named = os.environ.get("NEWSFLOW_SCREENSHOT_DIR")
    folder = Path(named) if named else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
