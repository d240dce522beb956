from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.pipeline import FeedOutcome, PageOutcome
from flows.summary import IngestSummary, feed_health_table, reason_class
from storage.records import FeedInfo

LATER = datetime(2026, 11, 20, 12, 5, tzinfo=UTC)


def _summary() -> IngestSummary:
    feeds = [
        FeedOutcome(
            1, "https://a.example/feed", "parsed", entries_seen=4, entries_new=3, known_url=1
        ),
        FeedOutcome(2, "https://b.example/feed", "not_modified"),
        FeedOutcome(
            3,
            "https://c.example/feed",
            "failed",
            error="parse: not | a feed",
            kind="permanent",
            next_fetch_at=LATER,
        ),
    ]
    pages = [
        PageOutcome(10, "https://a.example/1", "stored"),
        PageOutcome(11, "https://a.example/2", "duplicate_content"),
        # Failed in its batch, then stored by an in-run retry: counts as stored.
        PageOutcome(
            12,
            "https://a.example/3",
            "failed",
            error="fetch: 503",
            kind="transient",
            next_attempt_at=LATER,
        ),
        PageOutcome(12, "https://a.example/3", "stored"),
        PageOutcome(13, "https://a.example/4", "given_up", error="fetch: 404", kind="permanent"),
    ]
    return IngestSummary.build(feeds, pages, database="/tmp/x.sqlite", seconds=1.25)


def test_counts_use_each_items_last_outcome() -> None:
    summary = _summary()
    assert (summary.feeds_due, summary.feeds_parsed, summary.feeds_not_modified) == (3, 1, 1)
    assert (summary.entries_seen, summary.entries_new) == (4, 3)
    assert (summary.articles_stored, summary.duplicates_same_text) == (2, 1)
    assert summary.duplicates_same_url == 1  # linked at feed time, never fetched
    assert [f.url for f in summary.page_failures] == ["https://a.example/4"]
    assert summary.pages_given_up == 1
    assert summary.failures == 2
    assert not summary.nothing_new


def test_text_and_markdown_name_every_failure_and_when() -> None:
    summary = _summary()
    text = "\n".join(summary.lines())
    assert (
        "feed https://c.example/feed: parse: not | a feed [permanent; retry after 2026-11-20 12:05:00Z]"
        in text
    )
    assert "page https://a.example/4: fetch: 404 [permanent; given up]" in text
    markdown = summary.markdown()
    assert "| Articles stored | 2 |" in markdown
    assert (
        "| feed | https://c.example/feed | parse: not \\| a feed | permanent | retry after 2026-11-20 12:05:00Z |"
        in markdown
    )
    assert "| page | https://a.example/4 | fetch: 404 | permanent | given up |" in markdown
    assert summary.headline().startswith(
        "3 feeds (1 parsed, 1 not modified, 0 unchanged, 1 failed)"
    )


def test_the_log_names_the_first_failures_and_counts_the_rest() -> None:
    pages = [
        PageOutcome(n, f"https://a.example/{n}", "failed", error="fetch: 500", kind="transient")
        for n in range(25)
    ]
    summary = IngestSummary.build([], pages, database="x", seconds=1.0)
    assert len(summary.failure_lines()) == 25
    logged = summary.failure_lines(limit=20)
    assert logged[:20] == summary.failure_lines()[:20]
    assert logged[20:] == [
        "... and 5 more failures (the run's ingest-summary artifact lists them all)"
    ]
    assert summary.failure_lines(limit=25) == summary.failure_lines()


def test_claims_held_by_another_run_are_shown() -> None:
    summary = IngestSummary.build([], [], database="x", seconds=1.0, held_elsewhere=(3, 40))
    assert "left to another run (claimed there): 3 feeds, 40 pages" in summary.lines()
    assert "| Pages left to another run (claimed there) | 40 |" in summary.markdown()


def test_nothing_new() -> None:
    summary = IngestSummary.build(
        [FeedOutcome(1, "u", "not_modified")], [], database="d", seconds=0
    )
    assert summary.nothing_new
    assert "nothing new: every entry was already stored" in summary.lines()
    assert "## Failures" not in summary.markdown()


def test_items_put_off_are_counted_apart_from_failures() -> None:
    summary = IngestSummary.build(
        [FeedOutcome(1, "u", "deferred", next_fetch_at=LATER)],
        [
            PageOutcome(2, "p", "deferred", next_attempt_at=LATER),
            PageOutcome(3, "q", "deferred", next_attempt_at=LATER),
        ],
        database="d",
        seconds=0,
    )
    assert (summary.feeds_deferred, summary.pages_deferred, summary.failures) == (1, 2, 0)
    assert "put off (their site asked us to wait; not failures): 1 feeds, 2 pages" in (
        summary.lines()
    )
    assert "| Pages put off (site asked to wait) | 2 |" in summary.markdown()


def test_pages_that_are_not_articles_are_counted_by_kind_apart_from_failures() -> None:
    pages = [
        PageOutcome(1, "a", "not_article", error="extract: not an article (x)", page_kind="index"),
        PageOutcome(2, "b", "not_article", error="extract: not an article (y)", page_kind="video"),
        PageOutcome(3, "c", "not_article", error="extract: not an article (z)", page_kind="index"),
        PageOutcome(4, "d", "stored"),
    ]
    summary = IngestSummary.build([], pages, database="d", seconds=0, archive_pruned=7)
    assert summary.not_articles == (("index", 2), ("video", 1))
    assert (summary.pages_not_article, summary.failures, summary.articles_stored) == (3, 0, 1)
    assert "; 3 not articles; " in summary.headline()
    lines = summary.lines()
    assert (
        "not articles (not fetched again; the feed's summary stands in): 3 (2 index, 1 video)"
        in lines
    )
    assert "archive: 7 pages past NEWSFLOW_ARCHIVE_DAYS removed" in lines
    markdown = summary.markdown()
    assert "| Not an article: index | 2 |" in markdown
    assert "| Archived pages removed (past retention) | 7 |" in markdown
    assert "not articles" not in _summary().headline()


def _feed(url: str, status: str, *, failing_days: int | None = None, next_h: int = 1) -> FeedInfo:
    base = datetime(2026, 11, 20, tzinfo=UTC)
    failing = base.replace(day=20 - failing_days) if failing_days is not None else None
    return FeedInfo(
        id=0,
        url=url,
        title=None,
        site_url=None,
        status=status,
        status_reason=None if status == "healthy" else f"{status} because",
        schedule_reason="every 1h",
        added_at=base,
        last_fetched_at=base,
        last_success_at=base,
        next_fetch_at=base.replace(hour=next_h),
        error_count=0 if status == "healthy" else 3,
        failing_since=failing,
        last_error=None,
        moved_from=None,
        publish_interval=None,
        fetch_count=1,
        not_modified_count=0,
        unchanged_count=0,
        bytes_saved=0,
        articles=5,
        pending=0,
    )


def test_feed_health_puts_the_longest_failing_first_and_caps_the_healthy() -> None:
    feeds = [
        _feed("https://a.example/later", "healthy", next_h=5),
        _feed("https://b.example/new-trouble", "degraded", failing_days=1),
        _feed("https://c.example/soon", "healthy", next_h=2),
        _feed("https://d.example/old-trouble", "suspended", failing_days=4),
    ]
    rows, left_out = feed_health_table(feeds)
    assert [row["feed"] for row in rows] == [
        "https://d.example/old-trouble",
        "https://b.example/new-trouble",
        "https://c.example/soon",
        "https://a.example/later",
    ]
    assert rows[0]["reason"] == "suspended because" and rows[0]["errors"] == 3
    assert rows[2]["next fetch"] == "2026-11-20 02:00Z"
    rows, left_out = feed_health_table(feeds, limit=3)
    assert len(rows) == 3 and left_out == 1 and rows[-1]["feed"] == "https://c.example/soon"


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("fetch: 404 from news.example", "fetch: 404"),
        ("fetch: 404 from 127.0.0.1", "fetch: 404"),
        ("parse: no entries; the document is ill-formed: <unknown>:6:43", "parse: no entries"),
        ("fetch: cannot connect to feeds.example: refused", "fetch: cannot connect: refused"),
        ("robots: disallowed by https://a.example/robots.txt", "robots: disallowed by"),
        ("fetch: failed to connect: reset", "fetch: failed to connect: reset"),
        ("fetch: 503 from [::1]:8080", "fetch: 503"),
        ("", "unknown"),
    ],
)
def test_failures_are_classed_without_their_particulars(reason: str, kind: str) -> None:
    assert reason_class(reason) == kind


def test_failures_by_reason_and_time_per_stage_are_shown() -> None:
    pages = [
        PageOutcome(n, f"https://{host}/{n}", "failed", "fetch: 404 from " + host, "permanent")
        for n, host in enumerate(["a.example", "b.example", "a.example"], start=1)
    ] + [PageOutcome(9, "https://c.example/9", "failed", "fetch: timed out", "transient")]
    summary = IngestSummary.build(
        [],
        pages,
        database="d",
        seconds=3.5,
        stories_touched=4,
        stages=[("feeds", 1.25), ("pages", 2.0), ("upkeep", 0.25)],
    )
    assert summary.failure_reasons() == [("fetch: 404", 3), ("fetch: timed out", 1)]
    markdown = summary.markdown()
    assert "| fetch: 404 | 3 |" in markdown and "| fetch: timed out | 1 |" in markdown
    assert "| pages | 2.00 |" in markdown
    assert "| Stories that gained an article | 4 |" in markdown
    text = "\n".join(summary.lines())
    assert "failures: 4 (0 pages given up); 3 fetch: 404; 1 fetch: timed out" in text
    assert "took 3.5s (feeds 1.2s, pages 2.0s, upkeep 0.2s)" in text
