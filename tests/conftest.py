"""Shared fixtures, and a guard: tests may reach loopback only, never the internet."""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from flows.resources import forget_engine
from flows.samplesite import SampleSite, SiteServer, build_site
from storage.engine import make_engine

# Prefect: no flow heartbeats or telemetry in tests.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")


#: Socket events seen while a test records them (see tests/test_offline.py).
socket_events: list[tuple[str, str]] | None = None


def _deny_non_loopback(event: str, args: tuple[Any, ...]) -> None:
    if socket_events is not None and event.startswith("socket."):
        socket_events.append((event, repr(args)[:200]))
    # An audit hook (PEP 578) sees every socket connect and name lookup in the
    # process: nothing may download data at run time (suffix lists, models, ...).
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and address:
            host = str(address[0])
            try:
                ip = ipaddress.ip_address(host.split("%")[0])
            except ValueError:
                return
            if not ip.is_loopback:
                raise ConnectionRefusedError(
                    f"test guard: connection to {host} refused (loopback only)"
                )
    elif event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode()
        if (
            host
            and host not in ("localhost", "127.0.0.1", "::1")
            and not str(host).startswith("127.")
        ):
            try:
                ipaddress.ip_address(host)
            except ValueError:
                if not str(host).endswith((".invalid", ".test", ".example", ".localhost")):
                    raise OSError(
                        f"test guard: name lookup of {host} refused (loopback only)"
                    ) from None


sys.addaudithook(_deny_non_loopback)


def corpora_dir() -> Path | None:
    value = os.environ.get("NEWSFLOW_CORPORA")
    if not value:
        return None
    path = Path(value)
    return path if path.is_dir() else None


def shared_corpus(folder: str) -> Path:
    """The corpora root holding ``folder``; without it the test skips, or fails in CI.

    CI (``CI=true``) always has the shared corpora beside the clone: a quality gate that
    silently did not run there is no gate.
    """
    path = corpora_dir()
    if path is None or not (path / folder).is_dir():
        message = (
            f"NEWSFLOW_CORPORA does not hold {folder} (make test and .ci/run set it to "
            "../shared/corpora): the test did not run"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def corpora() -> Path:
    return shared_corpus(".")


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database: a new SQLite file, or a wiped NEWSFLOW_TEST_DATABASE_URL."""
    url = os.environ.get("NEWSFLOW_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'newsflow.sqlite'}"
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield url


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bind to 0 and give it back)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `prefect server start` on 127.0.0.1 for the session; yields its API URL.

    Started the way `newsflow serve` starts one (flows.serve.local_prefect_server), with
    its home in a temporary folder. Tests point Prefect at it with temporary_settings
    (PREFECT_API_URL) in-process, or the environment of the processes they start.
    """
    from flows.serve import local_prefect_server

    home = tmp_path_factory.mktemp("prefect-server")
    with local_prefect_server(free_port(), home, timeout=150) as api_url:
        yield api_url


@pytest.fixture(scope="session")
def site() -> SampleSite:
    return build_site(outlets=4, articles_per_outlet=6, seed=7)


@pytest.fixture
def site_server(site: SampleSite) -> Iterator[SiteServer]:
    with SiteServer(site, host="127.0.0.1", port=0, slow_seconds=0.3) as server:
        yield server


@pytest.fixture
def flow_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Settings for a flow run: a fresh database (a SQLite file, or the wiped
    NEWSFLOW_TEST_DATABASE_URL), loopback allowed, quick retries."""
    url = db_url
    forget_engine(url)  # one PostgreSQL URL serves every test, wiped in between
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    monkeypatch.setenv("NEWSFLOW_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NEWSFLOW_TASK_RETRY_DELAY", "0.2")
    monkeypatch.setenv("NEWSFLOW_EXTRACT_WORKERS", "1")
    monkeypatch.setenv("NEWSFLOW_READ_TIMEOUT", "5")
    # One loopback site is one domain: no request rate, or runs take seconds per page.
    monkeypatch.setenv("NEWSFLOW_HOST_RATE", "0")
    return url
