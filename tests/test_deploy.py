"""The operator's files in deploy/: what can run here runs, the rest is checked for what
would break it (units verified by systemd, Compose and container files against the
repository, every setting named in the env template a real setting)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from flows.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def _env_template() -> dict[str, str]:
    lines = (DEPLOY / "newsflow.env.example").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def test_every_newsflow_setting_in_the_env_template_exists_and_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = _env_template()
    fields = {f"NEWSFLOW_{name.upper()}" for name in Settings.model_fields}
    named = {key for key in template if key.startswith("NEWSFLOW_")}
    assert named and named <= fields, named - fields
    for key in named:
        monkeypatch.setenv(key, template[key])
    settings = Settings()  # every value is one the settings accept
    assert settings.database_url == template["NEWSFLOW_DATABASE_URL"]
    assert "flow_runs" in template["PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is missing")
@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_systemd_units_verify(unit: Path, tmp_path: Path) -> None:
    """systemd's own check, with the install paths pointed at this checkout (its .venv
    holds the programs the units start)."""
    text = unit.read_text(encoding="utf-8")
    text = text.replace("/etc/newsflow/newsflow.env", str(DEPLOY / "newsflow.env.example"))
    text = text.replace("/opt/newsflow", str(ROOT))
    local = tmp_path / unit.name
    local.write_text(text, encoding="utf-8")
    # Units it names (After=, Requires=) must exist beside it for the check.
    for other in UNITS:
        if other != unit:
            (tmp_path / other.name).write_text(
                other.read_text(encoding="utf-8").replace("/opt/newsflow", str(ROOT)),
                encoding="utf-8",
            )
    result = subprocess.run(
        ["systemd-analyze", "verify", str(local)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # A bad value is only a warning to systemd (exit 0): no output at all is the bar.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_units_start_what_the_project_installs() -> None:
    scripts = {"newsflow", "prefect"}
    for unit in UNITS:
        (command,) = re.findall(r"^ExecStart=(\S+)", unit.read_text(encoding="utf-8"), re.M)
        assert command.startswith("/opt/newsflow/.venv/bin/")
        assert Path(command).name in scripts


def test_compose_wires_postgres_server_deployments_and_workers() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "prefect-server", "deployments", "worker"}
    build = services["prefect-server"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (DEPLOY / "Containerfile")
    for name in ("deployments", "worker"):
        service = services[name]
        assert service["image"] == services["prefect-server"]["image"]
        assert service["env_file"] == "newsflow.env"  # from newsflow.env.example
        url = service["environment"]["NEWSFLOW_DATABASE_URL"]
        assert url.startswith("postgresql://") and "@postgres:" in url
        assert service["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert services["worker"]["depends_on"]["deployments"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["worker"]["deploy"]["replicas"] >= 2
    # The job registers the deployments of deploy/prefect.yaml for the pool workers poll.
    project = yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))
    pools = {d["work_pool"]["name"] for d in project["deployments"]}
    job = " ".join(services["deployments"]["command"])
    assert "--prefect-file deploy/prefect.yaml" in job
    (pool,) = pools
    assert f"work-pool create {pool} --type process" in job
    assert services["worker"]["command"][-2:] == ["--pool", pool]


@pytest.mark.skipif(
    subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode
    != 0
    if shutil.which("docker")
    else True,
    reason="docker compose is not installed here",
)
def test_compose_config_is_valid(tmp_path: Path) -> None:
    shutil.copy(DEPLOY / "newsflow.env.example", DEPLOY / "newsflow.env")
    try:
        subprocess.run(
            ["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
            check=True,
            timeout=60,
        )
    finally:
        (DEPLOY / "newsflow.env").unlink()


def test_the_containerfile_copies_what_exists_and_installs_a_complete_package(
    tmp_path: Path,
) -> None:
    """What its COPY lines take is in the repository and is enough to build the package
    it installs (not an editable checkout), which carries every migration. Built from a
    copy of exactly those files, as the image is, and outside the repository."""
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    context = tmp_path / "context"
    context.mkdir()
    for sources in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for source in sources.split():
            path = ROOT / source
            assert path.exists(), source
            if path.is_dir():
                shutil.copytree(
                    path, context / source, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy(path, context / source)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), "."],
        cwd=context,
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = wheels.glob("newsflow-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {
        f"storage/migrations/versions/{p.name}"
        for p in (ROOT / "storage" / "migrations" / "versions").glob("0*.py")
    }
    assert migrations and migrations <= names
    assert "flows/samplesite/__init__.py" in names
