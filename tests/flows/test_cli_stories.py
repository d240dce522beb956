"""`newsflow dedup` and `newsflow stories`: batch placement and reading stories back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.storage.test_stories import BOILERPLATE, OTHER, STORY

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "stories.sqlite"
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", f"sqlite:///{path}")
    return path


def write_input(path: Path) -> Path:
    lines = [
        {"id": "w1", "url": "https://wire.example/cranes", "site": "wire.example",
         "title": "Port buys cranes", "text": STORY, "published_at": "2026-11-20T09:00:00Z"},
        {"id": "c1", "url": None, "site": "courier.example", "title": "Cranes for the port",
         "text": "\n".join(["HARBOR CITY (Courier) -", *STORY.split("\n")[:-1], *BOILERPLATE]),
         "published_at": "2026-11-20T10:00:00Z"},
        {"id": "s1", "site": "wire.example", "title": "Schools close", "text": OTHER},
        {"id": "w2", "site": "mirror.example", "title": "Port buys cranes", "text": STORY},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_dedup_places_each_line_and_a_rerun_gives_the_same(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["dedup", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    by_id = {row["id"]: row for row in rows}
    assert [row["id"] for row in rows] == ["w1", "c1", "s1", "w2"]
    assert by_id["c1"]["story_id"] == by_id["w1"]["story_id"]
    assert by_id["c1"]["duplicate_of"] == "w1"  # the input's own id
    assert 0.5 <= by_id["c1"]["similarity"] < 1
    assert (by_id["w2"]["duplicate_of"], by_id["w2"]["similarity"]) == ("w1", 1.0)
    assert by_id["s1"]["story_id"] != by_id["w1"]["story_id"]
    assert by_id["s1"]["duplicate_of"] is None
    again = runner.invoke(app, ["dedup", str(source)])
    assert again.exit_code == 0, again.output
    rerun = {
        json.loads(line)["id"]: json.loads(line)["story_id"] for line in again.stdout.splitlines()
    }
    assert rerun == {row["id"]: row["story_id"] for row in rows}

    listed = runner.invoke(app, ["stories", "list", "--min-articles", "2"])
    assert listed.exit_code == 0, listed.output
    (line,) = listed.output.splitlines()
    assert "3 articles" in line and "Port buys cranes" in line
    story_id = by_id["w1"]["story_id"]
    shown = runner.invoke(app, ["stories", "show", str(story_id)])
    assert shown.exit_code == 0, shown.output
    assert "first in the story" in shown.output
    assert "near_duplicate of" in shown.output and "exact of" in shown.output


def test_dedup_refuses_a_bad_line_with_one_message(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": "a", "text": "fine"}\n{"id": "b"}\n', encoding="utf-8")
    result = runner.invoke(app, ["dedup", str(source)])
    assert result.exit_code == 1
    assert "line 2" in result.output and "Traceback" not in result.output


def test_an_unknown_story_is_one_line_error() -> None:
    result = runner.invoke(app, ["stories", "show", "999"])
    assert result.exit_code == 1
    assert "no story 999" in result.output
