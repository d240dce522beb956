"""What a run did, in numbers and reasons: for the CLI, the logs and the Prefect UI."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flows.pipeline import FeedOutcome, PageOutcome
from storage.records import FeedInfo

#: Rows of the feed-health table artifact at most: the UI renders every row it is given.
HEALTH_ROWS = 500


@dataclass(frozen=True, slots=True)
class Failure:
    """A feed or page that failed in this run, and when it is tried again."""

    url: str
    reason: str
    kind: str
    retry_at: datetime | None  # None: given up

    @property
    def when(self) -> str:
        """When it is tried again, for people."""
        return f"retry after {self.retry_at:%Y-%m-%d %H:%M:%S}Z" if self.retry_at else "given up"


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """Counts and failures of one ingest run."""

    feeds_due: int
    feeds_parsed: int
    feeds_not_modified: int
    feeds_unchanged: int
    entries_seen: int
    entries_new: int
    articles_stored: int
    duplicates_same_url: int
    duplicates_same_text: int
    feed_failures: tuple[Failure, ...]
    page_failures: tuple[Failure, ...]
    pages_given_up: int
    database: str
    seconds: float
    #: Put off without counting a failure: their domain asked newsflow to wait.
    feeds_deferred: int = 0
    pages_deferred: int = 0
    #: Pages that are not articles, by kind ("index", "video", ...), most first.
    not_articles: tuple[tuple[str, int], ...] = ()
    #: Archived pages removed for being older than NEWSFLOW_ARCHIVE_DAYS.
    archive_pruned: int = 0
    #: Of the articles stored, those that joined a near copy's story.
    near_duplicates: int = 0
    #: Stories that gained an article in this run (new ones and those a copy joined).
    stories_touched: int = 0
    #: Seconds per stage of the run, in order ("feeds", "pages", "upkeep").
    stages: tuple[tuple[str, float], ...] = ()
    #: Due but claimed by another run at the time (storage/claims.py): left to it.
    feeds_held_elsewhere: int = 0
    pages_held_elsewhere: int = 0

    @classmethod
    def build(
        cls,
        feeds: Sequence[FeedOutcome],
        pages: Sequence[PageOutcome],
        *,
        database: str,
        seconds: float,
        archive_pruned: int = 0,
        stories_touched: int = 0,
        stages: Sequence[tuple[str, float]] = (),
        held_elsewhere: tuple[int, int] = (0, 0),
    ) -> IngestSummary:
        """Summarise outcomes; an item retried in the run counts by its last outcome."""
        last_feed = {o.feed_id: o for o in feeds}
        last_page = {o.entry_id: o for o in pages}
        feed_counts = Counter(o.result for o in last_feed.values())
        page_counts = Counter(o.result for o in last_page.values())
        kinds = Counter(
            o.page_kind or "other" for o in last_page.values() if o.result == "not_article"
        )
        return cls(
            feeds_due=len(last_feed),
            feeds_parsed=feed_counts["parsed"],
            feeds_not_modified=feed_counts["not_modified"],
            feeds_unchanged=feed_counts["unchanged"],
            entries_seen=sum(o.entries_seen for o in last_feed.values()),
            entries_new=sum(o.entries_new for o in last_feed.values()),
            articles_stored=page_counts["stored"] + page_counts["near_duplicate"],
            near_duplicates=page_counts["near_duplicate"],
            duplicates_same_url=page_counts["duplicate_url"]
            + sum(o.known_url for o in last_feed.values()),
            duplicates_same_text=page_counts["duplicate_content"],
            feed_failures=tuple(
                Failure(o.url, o.error or "", o.kind or "", o.next_fetch_at)
                for o in last_feed.values()
                if o.result == "failed"
            ),
            page_failures=tuple(
                Failure(o.url, o.error or "", o.kind or "", o.next_attempt_at)
                for o in last_page.values()
                if o.result in ("failed", "given_up")
            ),
            pages_given_up=page_counts["given_up"],
            database=database,
            seconds=seconds,
            feeds_deferred=feed_counts["deferred"],
            pages_deferred=page_counts["deferred"],
            not_articles=tuple(sorted(kinds.items(), key=lambda kind: (-kind[1], kind[0]))),
            archive_pruned=archive_pruned,
            stories_touched=stories_touched,
            stages=tuple(stages),
            feeds_held_elsewhere=held_elsewhere[0],
            pages_held_elsewhere=held_elsewhere[1],
        )

    @property
    def failures(self) -> int:
        return len(self.feed_failures) + len(self.page_failures)

    def failure_reasons(self) -> list[tuple[str, int]]:
        """Failures grouped by reason (hosts and addresses left out), most first."""
        counts = Counter(reason_class(f.reason) for _, f in self.labelled_failures())
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def pages_not_article(self) -> int:
        """Pages that turned out not to be articles (the feed's summary stands in)."""
        return sum(n for _, n in self.not_articles)

    def _kinds(self) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in self.not_articles)

    @property
    def nothing_new(self) -> bool:
        return (
            self.entries_new == 0 and self.articles_stored == 0 and self.duplicates_same_text == 0
        )

    def headline(self) -> str:
        """One line for the run's log."""
        return (
            f"{self.feeds_due} feeds ({self.feeds_parsed} parsed, {self.feeds_not_modified} "
            f"not modified, {self.feeds_unchanged} unchanged, {len(self.feed_failures)} failed); "
            f"{self.entries_new} new entries; {self.articles_stored} articles stored"
            + (f" ({self.near_duplicates} near duplicates)" if self.near_duplicates else "")
            + "; "
            f"{self.duplicates_same_url} + {self.duplicates_same_text} exact duplicates; "
            f"{len(self.page_failures)} pages failed; "
            + (f"{self.pages_not_article} not articles; " if self.not_articles else "")
            + f"{self.seconds:.1f}s"
        )

    def labelled_failures(self) -> list[tuple[str, Failure]]:
        """Every failure with what failed: "feed" or "page"."""
        return [("feed", f) for f in self.feed_failures] + [("page", f) for f in self.page_failures]

    def failure_lines(self, limit: int | None = None) -> list[str]:
        """One line per failure (what, why, when it is tried again), the first ``limit``
        of them and a count of the rest."""
        failures = self.labelled_failures()
        lines = [
            f"{label} {f.url}: {f.reason} [{f.kind}; {f.when}]" for label, f in failures[:limit]
        ]
        if limit is not None and len(failures) > limit:
            lines.append(
                f"... and {len(failures) - limit} more failures (the run's ingest-summary "
                "artifact lists them all)"
            )
        return lines

    def lines(self) -> list[str]:
        """The summary as short plain-text lines."""
        out = [
            f"feeds: {self.feeds_due} due, {self.feeds_parsed} fetched and parsed, "
            f"{self.feeds_not_modified} not modified (304), {self.feeds_unchanged} unchanged, "
            f"{len(self.feed_failures)} failed",
            f"entries: {self.entries_seen} seen, {self.entries_new} new",
            f"articles: {self.articles_stored} stored"
            + (
                f" ({self.near_duplicates} in the story of a near duplicate)"
                if self.near_duplicates
                else ""
            ),
            f"exact duplicates: {self.duplicates_same_url} skipped (same URL), "
            f"{self.duplicates_same_text} stored in the first copy's story (same text)",
            f"failures: {self.failures} ({self.pages_given_up} pages given up)"
            + "".join(f"; {n} {reason}" for reason, n in self.failure_reasons()),
        ]
        if self.stories_touched:
            out.append(f"stories: {self.stories_touched} gained an article")
        if self.not_articles:
            out.append(
                f"not articles (not fetched again; the feed's summary stands in): "
                f"{self.pages_not_article} ({self._kinds()})"
            )
        if self.archive_pruned:
            out.append(f"archive: {self.archive_pruned} pages past NEWSFLOW_ARCHIVE_DAYS removed")
        if self.feeds_deferred or self.pages_deferred:
            out.append(
                f"put off (their site asked us to wait; not failures): {self.feeds_deferred} "
                f"feeds, {self.pages_deferred} pages"
            )
        if self.feeds_held_elsewhere or self.pages_held_elsewhere:
            out.append(
                f"left to another run (claimed there): {self.feeds_held_elsewhere} feeds, "
                f"{self.pages_held_elsewhere} pages"
            )
        out += [f"  {line}" for line in self.failure_lines()]
        if self.nothing_new:
            out.append("nothing new: every entry was already stored")
        out.append(f"database: {self.database}")
        stages = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.stages)
        out.append(f"took {self.seconds:.1f}s" + (f" ({stages})" if stages else ""))
        return out

    def markdown(self) -> str:
        """The summary as a Markdown artifact for the Prefect UI."""
        rows = [
            ("Feeds due", self.feeds_due),
            ("Feeds fetched and parsed", self.feeds_parsed),
            ("Feeds not modified (304)", self.feeds_not_modified),
            ("Feeds unchanged (same body)", self.feeds_unchanged),
            ("Feeds failed", len(self.feed_failures)),
            ("Entries seen", self.entries_seen),
            ("New entries", self.entries_new),
            ("Articles stored", self.articles_stored),
            ("Near duplicates (joined a story)", self.near_duplicates),
            ("Stories that gained an article", self.stories_touched),
            ("Exact duplicates skipped (same URL)", self.duplicates_same_url),
            ("Exact duplicates stored (same text)", self.duplicates_same_text),
            ("Pages failed", len(self.page_failures)),
            ("Pages given up", self.pages_given_up),
            ("Feeds put off (site asked to wait)", self.feeds_deferred),
            ("Pages put off (site asked to wait)", self.pages_deferred),
            ("Feeds left to another run (claimed there)", self.feeds_held_elsewhere),
            ("Pages left to another run (claimed there)", self.pages_held_elsewhere),
        ]
        rows += [(f"Not an article: {kind}", n) for kind, n in self.not_articles]
        rows.append(("Archived pages removed (past retention)", self.archive_pruned))
        text = ["# Ingest summary", "", "| | |", "|---|---:|"]
        text += [f"| {name} | {value} |" for name, value in rows]
        if self.stages:
            text += ["", "## Time per stage", "", "| Stage | Seconds |", "|---|---:|"]
            text += [f"| {name} | {seconds:.2f} |" for name, seconds in self.stages]
        failures = self.labelled_failures()
        if failures:
            text += ["", "## Failures by reason", "", "| Reason | Count |", "|---|---:|"]
            text += [f"| {markdown_cell(r)} | {n} |" for r, n in self.failure_reasons()]
            text += [
                "",
                "## Failures",
                "",
                "| | URL | Reason | Kind | When |",
                "|---|---|---|---|---|",
            ]
            for label, f in failures:
                reason = markdown_cell(f.reason)
                text.append(f"| {label} | {f.url} | {reason} | {f.kind} | {f.when} |")
        text += ["", f"Database: `{self.database}`; took {self.seconds:.1f}s."]
        return "\n".join(text)


#: What varies between failures of one kind: where (URLs, hosts, addresses).
_WHERE = re.compile(
    r"https?://\S+"  # a URL
    # " from host.example", " to 10.0.0.1:80", " at [::1]:8080": a host or an address
    r"|\s+(?:from|to|at)\s+(?:\[[0-9a-fA-F:.]+\]|(?=[\w\-]*\.)[\w.\-]+)(?::\d+)?"
)


def reason_class(reason: str) -> str:
    """A failure's reason without its particulars, for counting failures by reason.

    "fetch: 404 from news.example" and "fetch: 404 from other.example" are one class,
    "fetch: 404"; a reason's first clause (up to ";") is kept, its details dropped.
    """
    first = reason.split(";", 1)[0]
    return " ".join(_WHERE.sub("", first).split()) or "unknown"


def markdown_cell(text: str) -> str:
    """Text for a Markdown table cell: a "|" would end the cell."""
    return text.replace("|", "\\|")


def feed_health_table(
    feeds: Sequence[FeedInfo], limit: int = HEALTH_ROWS
) -> tuple[list[dict[str, object]], int]:
    """The feed-health table for the UI: feeds needing attention first; (rows, left out).

    Feeds that are not healthy come first, the longest failing first; then the rest by
    their next fetch. Beyond ``limit`` rows the healthy feeds are left out and counted.
    """
    trouble = sorted(
        (f for f in feeds if f.status != "healthy"),
        key=lambda f: (f.failing_since is None, f.failing_since or f.added_at, f.url),
    )
    healthy = sorted(
        (f for f in feeds if f.status == "healthy"),
        key=lambda f: (f.next_fetch_at is None, f.next_fetch_at or f.added_at, f.url),
    )
    shown = (trouble + healthy)[:limit]
    rows: list[dict[str, object]] = [
        {
            "feed": f.url,
            "status": f.status,
            "reason": f.status_reason or f.last_error or "",
            "errors": f.error_count,
            "last fetched": _stamp(f.last_fetched_at),
            "next fetch": _stamp(f.next_fetch_at),
            "because": f.schedule_reason or "",
            "articles": f.articles,
            "pending pages": f.pending,
        }
        for f in shown
    ]
    return rows, len(feeds) - len(shown)


def _stamp(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}Z" if value else "-"
