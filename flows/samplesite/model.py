"""The sample site's data: outlets, article pages and feeds. Immutable once built."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal

from flows.samplesite import render

#: Every date on the site is this moment minus an offset: nothing reads the clock.
REFERENCE_TIME = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

FeedFormat = Literal["rss", "atom", "rdf", "malformed"]
PageKind = Literal["original", "syndicated", "exact-copy", "related", "fault"]
FaultName = Literal["flaky", "missing", "slow"]

_FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "rdf": "index.rdf"}


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet: its pages live under `/<slug>/`."""

    slug: str
    name: str
    feed_format: Literal["rss", "atom", "rdf"]
    language: str = "en"

    @property
    def feed_path(self) -> str:
        return f"/{self.slug}/{_FEED_FILES[self.feed_format]}"

    @property
    def index_path(self) -> str:
        return f"/{self.slug}/"


@dataclass(frozen=True, slots=True)
class Page:
    """An article page; `paragraphs` is the body as written (the ground truth)."""

    path: str
    outlet: str
    title: str
    author: str
    published: datetime
    paragraphs: tuple[str, ...]
    #: All copies of one wire story share the key; every other story has its own.
    story: str
    kind: PageKind
    summary: str
    #: The template family the story was written from ("strike", "earnings", ...).
    topic: str = ""
    #: exact-copy: the page copied word for word; related: the story it follows up.
    source: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed document; `page_paths` lists its entries newest first."""

    path: str
    outlet: str  # an outlet slug, "top" (the aggregator) or "broken"
    format: FeedFormat
    page_paths: tuple[str, ...]
    #: Entry links carry campaign or click parameters (utm_*, fbclid).
    links_with_tracking: bool = False


@dataclass(frozen=True, slots=True)
class SampleSite:
    """The whole site. Rendering is pure: the same site and base URL give the same bytes."""

    outlets: tuple[Outlet, ...]
    pages: Mapping[str, Page]
    feeds: tuple[Feed, ...]
    seed: int
    #: "flaky" (503 once, then 200), "missing" (404) and "slow" page paths; empty
    #: when the site was built without faults.
    fault_paths: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def articles(self) -> tuple[Page, ...]:
        """Pages that exist as articles (every kind but "fault")."""
        return tuple(page for page in self.pages.values() if page.kind != "fault")

    def stories(self) -> Mapping[str, tuple[str, ...]]:
        """Story key -> paths of the articles that carry it."""
        grouped: dict[str, list[str]] = {}
        for page in self.articles():
            grouped.setdefault(page.story, []).append(page.path)
        return MappingProxyType({key: tuple(paths) for key, paths in grouped.items()})

    def outlet(self, slug: str) -> Outlet:
        for outlet in self.outlets:
            if outlet.slug == slug:
                return outlet
        raise KeyError(slug)

    def feed(self, path: str) -> Feed:
        for feed in self.feeds:
            if feed.path == path:
                return feed
        raise KeyError(path)

    def outlet_feed(self, slug: str) -> Feed:
        return self.feed(self.outlet(slug).feed_path)

    def outlet_pages(self, slug: str) -> tuple[Page, ...]:
        """The outlet's pages, newest first (its feed's order)."""
        return tuple(self.pages[path] for path in self.outlet_feed(slug).page_paths)

    def last_modified(self, feed: Feed) -> datetime:
        """The newest entry's time (the reference time for a feed without entries)."""
        times = [self.pages[path].published for path in feed.page_paths]
        return max(times, default=REFERENCE_TIME)

    def render_page(self, path: str, base_url: str) -> bytes:
        return render.page_html(self, self.pages[path], base_url)

    def render_feed(self, feed: Feed, base_url: str) -> bytes:
        return render.feed_xml(self, feed, base_url)

    def render_index(self, outlet_slug: str, base_url: str) -> bytes:
        return render.index_html(self, self.outlet(outlet_slug), base_url)

    def render_home(self, base_url: str) -> bytes:
        return render.home_html(self, base_url)

    def render_robots(self) -> bytes:
        return b"User-agent: *\nAllow: /\n"
