"""`newsflow serve` without PREFECT_API_URL: starts a local server, serves the deployments,
stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_a_local_server_registers_the_schedule_and_stops(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        NEWSFLOW_DATA_DIR=str(tmp_path / "data"),
        NEWSFLOW_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite'}",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flows", "serve", "--interval", "1h", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 150
        deployments: dict[str, dict] = {}  # type: ignore[type-arg]
        wanted = {"ingest", "maintenance", "reextract"}
        while time.monotonic() < deadline and set(deployments) != wanted:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                found = httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json()
            except (httpx.TransportError, ValueError):
                found = []
            deployments = {d["name"]: d for d in found}
            time.sleep(1)
        assert set(deployments) == wanted, f"deployments served: {sorted(deployments)}"
        (schedule,) = deployments["ingest"]["schedules"]
        assert schedule["schedule"]["interval"] == 3600
        # Maintenance daily (NEWSFLOW_MAINTENANCE_INTERVAL), re-extraction on demand only.
        (schedule,) = deployments["maintenance"]["schedules"]
        assert schedule["schedule"]["interval"] == 86400
        assert deployments["reextract"]["schedules"] == []
        assert (tmp_path / "data" / "prefect").is_dir()  # the server's home
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert f"Prefect UI: http://127.0.0.1:{port}" in output
    assert "stopped" in output
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{api}/health", timeout=5)


def test_server_runs_a_local_prefect_server_until_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(NEWSFLOW_DATA_DIR=str(tmp_path / "data"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    log = tmp_path / "output.txt"
    api = f"http://127.0.0.1:{port}/api"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "flows", "server", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        # Ready once the command says so (it waits for the server's health check).
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and f"PREFECT_API_URL={api}" not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.5)
        assert f"PREFECT_API_URL={api}" in log.read_text(), log.read_text()
        assert httpx.get(f"{api}/health", timeout=5).status_code == 200
        # The UI is served too, and the server's home is under the data folder.
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
        assert (tmp_path / "data" / "prefect" / "server.log").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    output = log.read_text()
    assert process.returncode == 0, output
    assert output.rstrip().endswith("stopped"), output
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{api}/health", timeout=5)
