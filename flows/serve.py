"""`newsflow serve`: newsflow's deployments on their schedules, against a real Prefect API.

Schedules never fire on Prefect's ephemeral API, so `serve` uses the server in
PREFECT_API_URL; when that is unset it starts a local one bound to 127.0.0.1,
with its home under the data folder, and stops it on exit.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import httpx
import typer

from flows.settings import Settings

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment


#: Where interval schedules count from. Prefect anchors an interval at the moment the
#: deployment is built unless told otherwise, and `serve` replaces a deployment's
#: scheduled runs each time it starts: a process restarted more often than the
#: interval (nightly, or at each deploy) would never reach its first maintenance run.
#: A fixed anchor keeps the times put: daily maintenance at 00:00 UTC, ingest on the
#: quarter hours.
ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)


class ServeError(Exception):
    """The local Prefect server could not be started."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@contextmanager
def local_prefect_server(port: int, home: Path, *, timeout: float = 90.0) -> Iterator[str]:
    """A `prefect server start` on 127.0.0.1:port for the duration; yields its API URL."""
    if not port_is_free(port):
        raise ServeError(
            f"serve: port {port} is busy; pass another with --port or set PREFECT_API_URL"
        )
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        PREFECT_HOME=str(home.resolve()),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
    )
    log_path = home / "server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves
        )
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise ServeError(f"serve: the Prefect server exited early; see {log_path}")
            try:
                if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise ServeError(
                    f"serve: the Prefect server did not answer in {timeout:g}s; see {log_path}"
                )
            time.sleep(0.5)
        yield api_url
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and any process it started (it leads its own process group)."""
    for sig, wait in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def serve_deployments(
    *, interval: timedelta | None, cron: str | None, port: int, settings: Settings
) -> None:
    """Serve newsflow's deployments until interrupted (Ctrl-C or SIGTERM).

    ``ingest`` on its schedule, ``maintenance`` every NEWSFLOW_MAINTENANCE_INTERVAL, and
    ``reextract`` on demand (Run in the UI, or ``prefect deployment run``).
    """
    from prefect import serve
    from prefect.schedules import Cron, Interval
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    from flows.ingest import ingest
    from flows.maintenance import maintenance
    from flows.reextract import reextract

    # SIGTERM (systemd, docker stop) ends the process like Ctrl-C, so cleanup runs.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    schedule = f"cron {cron!r}" if cron else f"every {interval}"
    names = (
        f"ingest/ingest ({schedule}), maintenance/maintenance "
        f"(every {settings.maintenance_interval}), reextract/reextract (on demand)"
    )

    def run() -> None:
        # limit=1: one run at a time in this process: a run that starts while another
        # is going (an ingest still busy, or maintenance) waits for it.
        every = interval or settings.feed_interval
        ingest_schedule = Cron(cron) if cron else Interval(every, anchor_date=ANCHOR)
        serve(
            _built(ingest.to_deployment(name="ingest", schedules=[ingest_schedule])),
            _built(
                maintenance.to_deployment(
                    name="maintenance",
                    schedules=[Interval(settings.maintenance_interval, anchor_date=ANCHOR)],
                )
            ),
            _built(reextract.to_deployment(name="reextract")),
            limit=1,
            print_starting_message=False,
        )

    try:
        if get_current_settings().api.url:
            typer.echo(f"serving {names} on {get_current_settings().api.url}")
            run()
            # Prefect's runner installs a SIGTERM handler of its own, which ends serve()
            # normally rather than through KeyboardInterrupt.
            typer.echo("stopped")
            return
        home = Path(settings.data_dir) / "prefect"
        typer.echo(f"PREFECT_API_URL is not set: starting a local Prefect server (home {home}) ...")
        with local_prefect_server(port, home) as api_url:
            typer.echo(f"Prefect UI: http://127.0.0.1:{port}  (stopped when this command ends)")
            typer.echo(f"serving {names}; Ctrl-C to stop")
            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                run()
    except KeyboardInterrupt:
        typer.echo("stopped")
    except ServeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _built(deployment: object) -> RunnerDeployment:
    # Flow.to_deployment returns a coroutine only when called from async code.
    from prefect.deployments.runner import RunnerDeployment

    assert isinstance(deployment, RunnerDeployment)
    return deployment


def run_server(*, port: int, settings: Settings) -> None:
    """A local Prefect server (API and UI) on 127.0.0.1 until interrupted (Ctrl-C, SIGTERM).

    For workers, `serve` processes or `prefect` commands elsewhere on the machine: they
    reach it through PREFECT_API_URL.
    """
    signal.signal(signal.SIGTERM, _raise_interrupt)
    home = Path(settings.data_dir) / "prefect"
    try:
        typer.echo(f"starting a local Prefect server (home {home}) ...")
        with local_prefect_server(port, home) as api_url:
            typer.echo(f"Prefect UI: http://127.0.0.1:{port}")
            typer.echo(f"PREFECT_API_URL={api_url}  (for workers and serve); Ctrl-C to stop")
            # The server runs in its own process group; notice if it ends on its own.
            while not port_is_free(port):
                time.sleep(2)
            raise ServeError(f"serve: the Prefect server stopped; see {home / 'server.log'}")
    except KeyboardInterrupt:
        typer.echo("stopped")
    except ServeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
