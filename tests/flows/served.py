"""`newsflow serve` as a subprocess on a real Prefect server, and reading what its runs did.

The process serves the three deployments the way an operator runs it; tests trigger runs
through Prefect's API (what the UI's Run and Custom run do) or through the `prefect`
command line, and read states and artifacts back through Prefect's client.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
)
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.responses import DeploymentResponse
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL, temporary_settings

ROOT = Path(__file__).resolve().parents[2]

#: What `newsflow serve` registers (tests/flows/test_serve.py checks the schedules).
DEPLOYMENTS = ("ingest/ingest", "maintenance/maintenance", "reextract/reextract")

#: A schedule that cannot fire while a test runs: midnight on the first of January.
NEVER_DURING_A_TEST = "0 0 1 1 *"


def serve_env(api_url: str, home: Path, **newsflow: str) -> dict[str, str]:
    """The environment of `newsflow serve` and `prefect` commands: this process's own
    NEWSFLOW_* settings (flow_env), the session's server, a Prefect home of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(newsflow)
    env.update(
        PREFECT_API_URL=api_url,
        PREFECT_HOME=str(home),
        # The runner asks the API for due runs every 10 s by default; a triggered run
        # would wait that long to start.
        PREFECT_RUNNER_POLL_FREQUENCY="1",
    )
    return env


@dataclass
class Served:
    """A running `newsflow serve`; Prefect calls in the test go to the same server."""

    api_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """What the serve process (and the runs it started) printed so far."""
        return self.log.read_text(errors="replace")[-6000:]

    def deployment(self, name: str) -> DeploymentResponse:
        """A deployment as the server has it ("flow/deployment")."""
        with get_client(sync_client=True) as client:
            return client.read_deployment_by_name(name)

    def run(self, name: str, parameters: dict[str, Any] | None = None) -> FlowRun:
        """Create a run of a deployment through the API, as the UI does; wait for its end."""
        from prefect.deployments import run_deployment

        flow_run = run_deployment(name, parameters=parameters, timeout=120, poll_interval=0.5)
        assert isinstance(flow_run, FlowRun)  # a coroutine only when called from async code
        assert flow_run.state is not None and flow_run.state.is_final(), (
            f"{name} did not finish: {flow_run.state}\n{self.output()}"
        )
        return flow_run

    def prefect(self, *args: str) -> tuple[int, str]:
        """Run the `prefect` command line against the server: (exit status, output)."""
        return prefect_cli(self.env, *args)

    def flow_run(self, flow_run_id: UUID) -> FlowRun:
        """A flow run as the server has it now."""
        with get_client(sync_client=True) as client:
            return client.read_flow_run(flow_run_id)

    def runs_of(self, name: str) -> list[FlowRun]:
        """Every run of a deployment the server knows, scheduled ones included."""
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

        deployment_id = self.deployment(name).id
        with get_client(sync_client=True) as client:
            return client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id])
                )
            )

    def artifact(self, flow_run_id: UUID, key: str) -> str:
        """The data of the artifact a given flow run created under a key."""
        return run_artifact(flow_run_id, key)


def run_artifact(flow_run_id: UUID, key: str) -> str:
    """The data of the artifact a flow run created under a key (the current API URL)."""
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            )
        )
    assert len(found) == 1, f"flow run {flow_run_id}: {len(found)} artifacts {key!r}"
    data = found[0].data
    return data if isinstance(data, str) else json.dumps(data)


def markdown_counts(markdown: str) -> dict[str, int]:
    """The `| name | number |` rows of a summary artifact."""
    rows = re.findall(r"^\| ([^|]+?) \| (\d+) \|$", markdown, flags=re.MULTILINE)
    return {name: int(value) for name, value in rows}


def flow_run_id_in(output: str) -> UUID:
    """The id `prefect deployment run` printed for the run it created."""
    found = re.search(r"UUID: ([0-9a-f-]{36})", output)
    assert found, output
    return UUID(found.group(1))


def prefect_cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run the `prefect` command line from the repository root: (exit status, output)."""
    done = subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def delete_deployments() -> None:
    """Delete newsflow's deployments from the server in PREFECT_API_URL, if they are there."""
    # Other tests on the session's server register deployments of the same names.
    with get_client(sync_client=True) as client:
        for name in DEPLOYMENTS:
            with suppress(ObjectNotFound):
                client.delete_deployment(client.read_deployment_by_name(name).id)


def _wait_until_polled(process: subprocess.Popen[bytes], log: Path, since: datetime) -> None:
    """Wait until the runner polls for all three deployments: it is ready to run them."""
    deadline = time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            polled = []
            for name in DEPLOYMENTS:
                with suppress(ObjectNotFound):
                    last = client.read_deployment_by_name(name).last_polled
                    polled.append(last is not None and last >= since)
            if polled == [True] * len(DEPLOYMENTS):
                return
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.3)


def _wait_for_children(pid: int, timeout: float = 30.0) -> None:
    """Wait until the runs' processes the runner started have ended (Linux /proc).

    On SIGTERM Prefect 3.9's runner cancels every run whose process it still tracks,
    with force=True: a run that has just ended Completed while its process is exiting
    would be set to Cancelled.
    """
    tasks = Path(f"/proc/{pid}/task")
    deadline = time.monotonic() + timeout
    while tasks.is_dir() and time.monotonic() < deadline:
        children = "".join(
            child.read_text() for child in tasks.glob("*/children") if child.exists()
        )
        if not children.strip():
            return
        time.sleep(0.2)


@contextmanager
def serving(api_url: str, env: dict[str, str], log: Path) -> Iterator[Served]:
    """`python -m flows serve --cron ...` until the block ends; then SIGTERM, which must
    end it with status 0, and the deployments are deleted from the server."""
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        delete_deployments()
        since = datetime.now(UTC)
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "flows", "serve", "--cron", NEVER_DURING_A_TEST],
                cwd=ROOT,  # the deployments' entrypoints are paths from the repository root
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            _wait_until_polled(process, log, since)
            yield Served(api_url, env, process, log)
            _wait_for_children(process.pid)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            delete_deployments()
        output = log.read_text(errors="replace")
        assert process.returncode == 0, output
        assert output.rstrip().endswith("stopped"), output[-2000:]
