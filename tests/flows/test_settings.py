from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from flows.settings import Settings, parse_duration


def test_defaults() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///data/newsflow.sqlite"
    assert settings.allowed_networks == []
    assert settings.feed_interval == timedelta(minutes=15)


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_ALLOWED_NETWORKS", "127.0.0.1/32, 10.0.0.0/8 ::1")
    monkeypatch.setenv("NEWSFLOW_FEED_INTERVAL", "2h")
    monkeypatch.setenv("NEWSFLOW_MAX_BODY_BYTES", "1000")
    settings = Settings()
    assert settings.allowed_networks == [
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]
    assert settings.feed_interval == timedelta(hours=2)
    assert settings.max_body_bytes == 1000
    assert settings.retry_policy.max_attempts == 8


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSFLOW_ALLOWED_NETWORKS", "not-a-net"),
        ("NEWSFLOW_FEED_INTERVAL", "soon"),
        ("NEWSFLOW_MAX_BODY_BYTES", "-5"),
    ],
)
def test_invalid_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86400),
        ("1w", 604800),
        ("30", 30),
        ("1.5h", 5400),
        ("250ms", 0.25),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "0", "-1m", "abc", "5 years"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(NEWSFLOW_[A-Z_]+)` \|", readme, flags=re.MULTILINE))
    expected = {f"NEWSFLOW_{name.upper()}" for name in Settings.model_fields}
    assert documented == expected


def test_story_settings_reach_the_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().story_options.dedup.shingle_words == 5
    monkeypatch.setenv("NEWSFLOW_DEDUP_THRESHOLD", "0.6")
    monkeypatch.setenv("NEWSFLOW_DEDUP_LEDE_THRESHOLD", "0.9")
    monkeypatch.setenv("NEWSFLOW_DEDUP_SHINGLE_WORDS", "4")
    monkeypatch.setenv("NEWSFLOW_DEDUP_SHORT_SHINGLE_WORDS", "3")
    monkeypatch.setenv("NEWSFLOW_BOILERPLATE_MIN", "5")
    options = Settings().story_options
    assert (options.dedup.match_threshold, options.dedup.lede_threshold) == (0.6, 0.9)
    assert (options.dedup.shingle_words, options.dedup.short_shingle_words) == (4, 3)
    assert options.boilerplate_min == 5
    monkeypatch.setenv("NEWSFLOW_DEDUP_SHINGLE_WORDS", "1")
    with pytest.raises(ValidationError, match="dedup_shingle_words"):
        Settings()
