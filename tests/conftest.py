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


@pytest.fixture
def corpora() -> Path:
    path = corpora_dir()
    if path is None:
        pytest.skip("NEWSFLOW_CORPORA is not set to a folder of shared corpora (make test sets it)")
    return path


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
