"""Headless Debian Chromium for the UI tests, kept on loopback, watching for API trouble."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    Route,
    ViewportSize,
    sync_playwright,
)

#: How long the UI (a single-page app) may take to show what a test waits for.
UI_TIMEOUT_MS = 30_000

#: Width and starting height of the window; screenshots grow to the page's height.
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}

# Debian's Chromium reaches Google (component updates, sync, field trials) at start-up
# unless told not to; with no internet it then hangs or fails. QUIC is off so nothing
# tries UDP. /dev/shm is 64 MB in containers, too small for Chromium, hence
# --disable-dev-shm-usage (Debian's launcher means to add it but its test of the free
# space breaks when findmnt prints more than one line). Playwright passes --headless
# and a fresh, empty --user-data-dir of its own (it refuses one among these flags).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

#: What the browser says when a request could not reach its server at all.
_UNREACHABLE = re.compile(
    r"Failed to fetch|NetworkError|Network Error|ERR_CONNECTION_\w+|ERR_EMPTY_RESPONSE"
    r"|ERR_ADDRESS_UNREACHABLE|ERR_TIMED_OUT|status of 5\d\d"
)


@dataclass
class Watch:
    """Signs in the browser that the UI could not reach the Prefect API.

    Only those count. The Prefect UI also logs errors that say nothing about the API:
    404s for favicons and state icons it asks for outside its /v2 base, a 422 from
    /api/task_runs/filter on an artifact page (it sends an empty task run id for an
    artifact made by a flow), PixiJS deprecation notes, WebGL driver messages, and
    failures of the requests to the internet this test blocks (the UI loads a product
    analytics configuration even with analytics off). A request cut short by a page
    navigation (net::ERR_ABORTED) is not trouble either.
    """

    api_url: str
    trouble: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _is_api(self, url: str) -> bool:
        return url.startswith(self.api_url.rstrip("/") + "/")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and _UNREACHABLE.search(message.text):
            self.trouble.append(f"console: {message.text}")

    def _page_error(self, error: Error) -> None:
        if _UNREACHABLE.search(f"{error.name}: {error.message}"):
            self.trouble.append(f"page error: {error.name}: {error.message}")

    def _request_failed(self, request: Request) -> None:
        failure = request.failure or ""
        if self._is_api(request.url) and "ERR_ABORTED" not in failure:
            self.trouble.append(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response: Response) -> None:
        if self._is_api(response.url) and response.status >= 500:
            self.trouble.append(f"response: {response.status} from {response.url}")


def _loopback_only(route: Route) -> None:
    # Tests reach loopback only (tests/conftest.py); the browser too.
    if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost", "::1"):
        route.continue_()
    else:
        route.abort("blockedbyclient")


@contextmanager
def ui_page(chromium: Path, api_url: str) -> Iterator[tuple[Page, Watch]]:
    """A page in headless Chromium that may reach loopback only, and its Watch."""
    watch = Watch(api_url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=list(CHROMIUM_FLAGS), timeout=60_000
        )
        try:
            context = browser.new_context(viewport=VIEWPORT)
            context.route("**/*", _loopback_only)
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            watch.attach(page)
            yield page, watch
        finally:
            browser.close()


def screenshot(page: Page, path: Path) -> Path:
    """The whole page as a PNG, the window grown to its height so nothing is cut off."""
    # Measured at the starting size: a window grown for an earlier, longer page would
    # leave this one a tall empty margin.
    page.set_viewport_size(VIEWPORT)
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, VIEWPORT["height"])})
    # The run graph is a canvas that redraws, animated, after a resize: take the page
    # once two shots in a row agree (what Playwright's toHaveScreenshot waits for).
    image, deadline = b"", time.monotonic() + 10
    while True:
        previous, image = image, page.screenshot(full_page=True, animations="disabled")
        if image == previous or time.monotonic() > deadline:
            break
        page.wait_for_timeout(250)
    path.write_bytes(image)
    return path
