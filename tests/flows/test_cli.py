"""The CLI: every command's --help, and one-line errors with exit status 1."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import pipeline
from flows.cli import app
from flows.pipeline import repository
from flows.samplesite import SampleSite, SiteServer
from flows.settings import Settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite"
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["feeds"],
        ["feeds", "add"],
        ["feeds", "import"],
        ["feeds", "export"],
        ["feeds", "list"],
        ["ingest"],
        ["serve"],
        ["export"],
        ["reextract"],
        ["demo"],
    ],
)
def test_help_everywhere(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def _fails(args: list[str], *reason: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for part in reason:
        assert part in lines[0]
    assert "Traceback" not in result.output


def test_feeds_add_list_and_opml_round_trip(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["feeds", "add", "--no-discover", "https://a.example/feed.xml", "https://b.example/rss"],
    )
    assert result.exit_code == 0
    assert result.stdout.count("added: ") == 2
    again = runner.invoke(app, ["feeds", "add", "--no-discover", "https://a.example/feed.xml"])
    assert "already subscribed: https://a.example/feed.xml" in again.stdout
    listed = runner.invoke(app, ["feeds", "list"])
    assert "https://a.example/feed.xml" in listed.stdout and "healthy" in listed.stdout
    assert "new: not fetched yet" in listed.stdout
    opml = tmp_path / "feeds.opml"
    assert runner.invoke(app, ["feeds", "export", "-o", str(opml)]).exit_code == 0
    assert b'xmlUrl="https://b.example/rss"' in opml.read_bytes()
    other = tmp_path / "other.sqlite"
    result = runner.invoke(
        app, ["feeds", "import", str(opml)], env={"NEWSFLOW_DATABASE_URL": f"sqlite:///{other}"}
    )
    assert result.exit_code == 0
    assert "2 feeds added, 0 already subscribed" in result.stdout


def test_bad_input_gives_one_line_errors(tmp_path: Path, database: Path) -> None:
    _fails(["feeds", "add", "not a url"], "url: ")
    _fails(["feeds", "add", "ftp://x.example/f"], "only http and https")
    _fails(["feeds", "import", str(tmp_path / "missing.opml")], "missing.opml", "No such file")
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body>")
    _fails(["feeds", "import", str(bad)], "opml: not well-formed XML")
    _fails(["ingest", "--feed", "https://unknown.example/feed"], "not subscribed", "feeds add")
    _fails(["export", "--since", "last tuesday"], "--since")
    _fails(["export", "--format", "csv"], "only jsonl")
    _fails(["serve", "--interval", "often"], "--interval")
    _fails(["serve", "--interval", "5m", "--cron", "* * * * *"], "not both")


def test_unreachable_database_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = runner.invoke(
        app, ["feeds", "list"], env={"NEWSFLOW_DATABASE_URL": f"sqlite:///{blocker}/db.sqlite"}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: database: cannot open")
    assert "unable to open database file" in result.stderr
    result = runner.invoke(
        app, ["feeds", "list"], env={"NEWSFLOW_DATABASE_URL": "postgresql://u:pw@127.0.0.1:1/x"}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: database: cannot open")


def test_invalid_setting_is_one_line() -> None:
    result = runner.invoke(app, ["feeds", "list"], env={"NEWSFLOW_ALLOWED_NETWORKS": "nope"})
    assert result.exit_code == 1
    assert result.stderr.startswith("error: setting NEWSFLOW_ALLOWED_NETWORKS")


def test_export_of_empty_database_is_empty() -> None:
    result = runner.invoke(app, ["export"])
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == []


def test_demo_on_a_busy_port_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.setenv("NEWSFLOW_ALLOWED_NETWORKS", "127.0.0.1/32")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _fails(["demo", "--port", str(port)], f"port {port} is busy", "--port")


def test_feeds_add_discovers_a_pages_feed_and_show_explains_it(
    flow_env: str, site: SampleSite, site_server: SiteServer
) -> None:
    outlet = site.outlets[0]
    page = site_server.url(outlet.index_path)
    feed_url = site_server.url(outlet.feed_path)
    result = runner.invoke(app, ["feeds", "add", page])
    assert result.exit_code == 0, result.output
    assert "is a web page; it links to 1 feed(s)" in result.stdout
    assert f"added: {feed_url}" in result.stdout
    assert page not in [f.url for f in repository(Settings()).list_feeds()]

    pipeline.fetch_feeds(repository(Settings()).feeds_to_fetch(datetime.now(UTC)), Settings())
    shown = runner.invoke(app, ["feeds", "show", feed_url])
    assert shown.exit_code == 0, shown.output
    lines = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in shown.stdout.splitlines())
    assert lines["status"].strip() == "healthy: fetched fine"
    assert lines["fetches"].startswith("1: 0 not modified (304)")
    # The sample outlet posts about daily: the schedule says why it chose its time.
    assert "(" in lines["next fetch"] and lines["next fetch"].strip().endswith(")")

    missing = runner.invoke(app, ["feeds", "add", site_server.url("/no-such-page")])
    assert missing.exit_code == 1
    assert missing.stderr == "error: fetch: 404 from 127.0.0.1\n"


def test_feeds_show_of_unknown_feed_is_one_line() -> None:
    _fails(["feeds", "show", "https://unknown.example/feed"], "not subscribed")
