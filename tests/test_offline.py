"""Nothing downloads data at run time: the test session has no network but loopback."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import tests.conftest as guard
from extractors.articles import extract_article
from extractors.feeds import parse_feed
from extractors.urls import canonicalize_url


@contextmanager
def recorded() -> Iterator[list[tuple[str, str]]]:
    events: list[tuple[str, str]] = []
    guard.socket_events = events
    try:
        yield events
    finally:
        guard.socket_events = None


def test_the_guard_refuses_the_internet() -> None:
    with pytest.raises(ConnectionRefusedError, match="loopback only"), socket.socket() as s:
        s.connect(("93.184.216.34", 80))
    with pytest.raises(OSError, match="loopback only"):
        socket.getaddrinfo("pypi.org", 443)


def test_the_recorder_sees_sockets() -> None:
    with recorded() as events, socket.socket() as s, contextlib.suppress(OSError):
        s.connect(("127.0.0.1", 9))
    assert any(name == "socket.connect" for name, _ in events)


def test_parsing_and_extraction_open_no_socket(corpora: Path) -> None:
    pages = sorted((corpora / "extraction-dev" / "test-pages").iterdir())[:25]
    feeds = sorted(p for p in (corpora / "feeds-dev").rglob("*.xml"))[:25]
    with recorded() as events:
        for page in pages:
            html = (page / "source.html").read_text(encoding="utf-8", errors="replace")
            with contextlib.suppress(Exception):  # only the sockets matter here
                extract_article(html, url=f"https://{page.name}.example/article")
        for feed in feeds:
            with contextlib.suppress(Exception):
                parse_feed(feed.read_bytes(), url="https://feeds.example/feed.xml")
        canonicalize_url("https://www.example.co.uk/a?utm_source=x")
    assert events == []
