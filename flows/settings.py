"""Settings: ``NEWSFLOW_*`` environment variables, validated once (README lists them all)."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from extractors.health import HealthOptions
from extractors.neardup import DedupOptions
from extractors.schedule import ScheduleOptions
from storage.policy import RetryPolicy
from storage.stories import StoryOptions

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$", re.I)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | float | int | timedelta) -> timedelta:
    """'90s', '15m', '2h', '7d', '1w', or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION_RE.match(value)
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. 90s, 15m, 2h, 7d)")
        seconds = float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, not {value!r}")
    return timedelta(seconds=seconds)


def parse_networks(value: Any) -> list[IPNetwork]:
    """Comma- or space-separated CIDRs (a bare address is a /32 or /128)."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[,\s]+", str(value))
    networks: list[IPNetwork] = []
    for item in items:
        if isinstance(item, ipaddress.IPv4Network | ipaddress.IPv6Network):
            networks.append(item)
        elif str(item).strip():
            try:
                networks.append(ipaddress.ip_network(str(item).strip(), strict=False))
            except ValueError as exc:
                raise ValueError(f"not a network in CIDR form: {item!r}") from exc
    return networks


Duration = Annotated[timedelta, NoDecode]


class Settings(BaseSettings):
    """Every setting, with its default. Per-run choices are flow parameters instead."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///data/newsflow.sqlite",
        description="SQLAlchemy URL; a SQLite file (relative to the working folder) or "
        "postgresql://user:pass@host/db",
    )
    data_dir: str = Field(
        default="data", description="Folder for local state (Prefect home of `serve`)."
    )
    user_agent: str = Field(
        default="newsflow/0.1",
        description="Product token of the User-Agent (robots.txt groups match its name).",
    )
    contact_url: str = Field(
        default="https://github.com/newsflow/newsflow",
        description="Where a site owner can reach whoever runs this instance; sent in the "
        "User-Agent as `newsflow/0.1 (+URL)`.",
    )
    connect_timeout: float = Field(default=10.0, gt=0, description="Seconds to connect.")
    read_timeout: float = Field(default=30.0, gt=0, description="Seconds between bytes.")
    total_timeout: float = Field(default=60.0, gt=0, description="Seconds for a whole request.")
    max_body_bytes: int = Field(
        default=10_000_000, gt=0, description="Largest response body, counted after decompression."
    )
    max_redirects: int = Field(default=5, ge=0, description="Redirects followed per request.")
    allowed_networks: Annotated[list[IPNetwork], NoDecode] = Field(
        default_factory=list,
        description="CIDRs fetched although private or loopback (comma-separated); empty: none.",
    )
    concurrency: int = Field(default=16, ge=1, description="Requests in flight per batch task.")
    per_host_concurrency: int = Field(
        default=2,
        ge=1,
        description="Requests in flight per registrable domain, across every worker process.",
    )
    host_rate: float = Field(
        default=2.0,
        ge=0,
        description="Requests started per second per registrable domain, across every worker "
        "(a robots.txt Crawl-delay slows it further); 0: no rate limit.",
    )
    host_wait_max: float = Field(
        default=30.0,
        ge=0,
        description="Seconds a request waits for its domain's budget before the item is put "
        "off to a later run (not counted as a failure).",
    )
    robots: bool = Field(default=True, description="Honour robots.txt for article pages.")
    feed_batch_size: int = Field(default=50, ge=1, description="Feeds per fetch task.")
    article_batch_size: int = Field(default=50, ge=1, description="Article pages per task.")
    extract_workers: int = Field(
        default=0, ge=0, description="Extraction processes; 0: one per CPU core, 1: in-process."
    )
    max_articles_per_run: int = Field(default=5000, ge=1, description="Pages fetched per run.")
    max_entries_per_feed: int = Field(default=500, ge=1, description="Entries read per feed fetch.")
    feed_interval: Duration = Field(
        default=timedelta(minutes=15),
        description="Interval for a feed whose publishing rhythm is not known yet.",
    )
    feed_min_interval: Duration = Field(
        default=timedelta(minutes=5), description="Shortest interval between fetches of a feed."
    )
    feed_max_interval: Duration = Field(
        default=timedelta(hours=24), description="Longest interval for a working feed."
    )
    suspend_after: Duration = Field(
        default=timedelta(days=3), description="A feed failing this long is suspended."
    )
    probe_interval: Duration = Field(
        default=timedelta(hours=24), description="How often a suspended feed is probed."
    )
    gone_probe_interval: Duration = Field(
        default=timedelta(days=7), description="How often a feed that answered 410 is probed."
    )
    adopt_redirect_after: int = Field(
        default=3,
        ge=1,
        description="Fetches in a row that must see a permanent redirect "
        "before the feed's URL is changed.",
    )
    task_retries: int = Field(default=2, ge=0, description="In-run retries of a transient failure.")
    task_retry_delay: float = Field(
        default=2.0, ge=0, description="Seconds before the first in-run retry; doubles each time."
    )
    retry_tasks_per_run: int = Field(
        default=20,
        ge=0,
        description="Failed items retried inside a run; the rest wait for later runs.",
    )
    retry_base_delay: Duration = Field(
        default=timedelta(minutes=5), description="First wait before a later run retries a failure."
    )
    retry_max_delay: Duration = Field(default=timedelta(hours=24), description="Longest such wait.")
    max_attempts: int = Field(default=8, ge=1, description="Attempts before a page is given up.")
    claim_lease: Duration = Field(
        default=timedelta(hours=1),
        description="How long a run holds the feeds and pages it claimed: other runs pass "
        "them over until it records them or hands them back; a crashed run's work is "
        "taken up again after this.",
    )
    archive_days: int = Field(
        default=30,
        ge=0,
        description="Days an article page's raw HTML is kept for re-extraction; 0: pages "
        "are not archived (and what was archived is removed).",
    )
    maintenance_interval: Duration = Field(
        default=timedelta(days=1),
        description="How often `newsflow serve` runs the maintenance flow (pruning, upkeep).",
    )
    dedup_window: Duration = Field(
        default=timedelta(days=30),
        description="How long an article stays in the near-duplicate index (older copies "
        "start new stories).",
    )
    dedup_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Estimated Jaccard similarity of two texts (after boilerplate) that makes "
        "them one story.",
    )
    dedup_lede_threshold: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Similarity of the openings that makes a lede-only or truncated copy "
        "part of a story.",
    )
    dedup_shingle_words: int = Field(
        default=5,
        ge=2,
        le=12,
        description="Words per shingle when fingerprinting an article for near duplicates "
        "(a change applies to articles indexed from then on: they do not meet earlier "
        "ones until those leave the index window).",
    )
    dedup_short_shingle_words: int = Field(
        default=2,
        ge=1,
        le=6,
        description="Words per shingle for short items (under 50 words: title and text).",
    )
    boilerplate_min: int = Field(
        default=3,
        ge=2,
        description="Articles of one site a line must appear in to count as that site's "
        "boilerplate (left out of near-duplicate matching).",
    )

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> list[IPNetwork]:
        return parse_networks(value)

    @field_validator(
        "feed_interval",
        "feed_min_interval",
        "feed_max_interval",
        "suspend_after",
        "probe_interval",
        "gone_probe_interval",
        "retry_base_delay",
        "retry_max_delay",
        "dedup_window",
        "maintenance_interval",
        "claim_lease",
        mode="before",
    )
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @property
    def agent(self) -> str:
        """The User-Agent header: product token and contact URL."""
        return f"{self.user_agent} (+{self.contact_url})" if self.contact_url else self.user_agent

    @property
    def schedule_options(self) -> ScheduleOptions:
        """Bounds of the adaptive feed schedule."""
        return ScheduleOptions(
            min_interval=self.feed_min_interval,
            max_interval=self.feed_max_interval,
            default_interval=self.feed_interval,
        )

    @property
    def health_options(self) -> HealthOptions:
        """Bounds of the feed error schedule and state changes."""
        return HealthOptions(
            error_base=self.retry_base_delay,
            error_cap=min(self.retry_max_delay, self.feed_max_interval),
            suspend_after=self.suspend_after,
            probe_interval=self.probe_interval,
            gone_probe_interval=self.gone_probe_interval,
            adopt_redirect_after=self.adopt_redirect_after,
        )

    @property
    def story_options(self) -> StoryOptions:
        """How articles are matched into stories."""
        return StoryOptions(
            dedup=DedupOptions(
                match_threshold=self.dedup_threshold,
                lede_threshold=self.dedup_lede_threshold,
                shingle_words=self.dedup_shingle_words,
                short_shingle_words=self.dedup_short_shingle_words,
            ),
            boilerplate_min=self.boilerplate_min,
        )

    @property
    def retry_policy(self) -> RetryPolicy:
        """The between-runs backoff policy these settings describe."""
        return RetryPolicy(
            base_delay=self.retry_base_delay,
            max_delay=self.retry_max_delay,
            max_attempts=self.max_attempts,
        )
