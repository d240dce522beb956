"""Every deployment entrypoint in deploy/prefect.yaml imports and resolves to a flow."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect import Flow
from prefect.flows import load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parents[2]


def test_deployment_entrypoints_resolve(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    config = yaml.safe_load((ROOT / "deploy" / "prefect.yaml").read_text())
    deployments = config["deployments"]
    assert {d["name"] for d in deployments} == {"ingest", "maintenance", "reextract"}
    for deployment in deployments:
        flow = load_flow_from_entrypoint(deployment["entrypoint"])
        assert isinstance(flow, Flow)
        # Parameters in the file must be parameters of the flow.
        assert set(deployment.get("parameters") or {}) <= set(flow.parameters.properties)
