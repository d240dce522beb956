"""Building the sample site from a seed: outlets, stories, wire copies, faults, feeds.

Pure and deterministic: one `random.Random(seed)` drives every choice, dates count
back from `REFERENCE_TIME`, and nothing reads the clock, the network or the environment.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

from flows.samplesite.model import REFERENCE_TIME, Feed, Outlet, Page, PageKind, SampleSite
from flows.samplesite.stories import TOPICS, TOPICS_BY_KEY, Draft, edit_copy, jitter, write
from flows.samplesite.texts import OUTLET_NAMES, OUTLET_NOUNS, OUTLET_WORDS

_FORMATS: tuple[Literal["rss", "atom", "rdf"], ...] = ("rss", "atom", "rdf")
#: Wire stories are carried by two to four outlets.
_CARRIERS = (2, 2, 3, 3, 4)
#: Entries in the aggregator feed.
TOP_ENTRIES = 6
MIN_OUTLETS = 3


def build_site(
    outlets: int = 5, articles_per_outlet: int = 8, seed: int = 0, faults: bool = True
) -> SampleSite:
    """A site of `outlets` outlets with `articles_per_outlet` articles each.

    With `faults`, three more pages (a 503-once page, a slow page and a 404 feed
    entry) and a malformed feed are added; `SampleSite.fault_paths` names them.
    """
    if outlets < MIN_OUTLETS:
        raise ValueError(f"outlets must be at least {MIN_OUTLETS}, got {outlets}")
    if articles_per_outlet < 1:
        raise ValueError(f"articles_per_outlet must be at least 1, got {articles_per_outlet}")
    return _Builder(make_outlets(outlets), articles_per_outlet, seed, faults).build()


def make_outlets(count: int) -> tuple[Outlet, ...]:
    names = list(OUTLET_NAMES)
    names += [(f"{w}-{n}".lower(), f"The {w} {n}") for w in OUTLET_WORDS for n in OUTLET_NOUNS]
    names += [(f"local-{i}", f"Local News {i}") for i in range(len(names), count)]
    return tuple(
        Outlet(slug=slug, name=name, feed_format=_FORMATS[i % 3])
        for i, (slug, name) in enumerate(names[:count])
    )


def kind_counts(articles_per_outlet: int) -> dict[str, int]:
    """Planned kinds per outlet: about 45% original, 35% syndicated, 10% exact copies,
    10% related stories (copies and related stories from five articles up)."""
    a = articles_per_outlet
    small = max(1, a // 10) if a >= 5 else 0
    syndicated = round(a * 0.35)
    return {
        "exact-copy": small,
        "related": small,
        "syndicated": syndicated,
        "original": a - 2 * small - syndicated,
    }


def slugify(title: str, words: int = 9) -> str:
    parts = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()
    return "-".join(parts[:words]) or "story"


class _Builder:
    def __init__(self, outlets: tuple[Outlet, ...], per_outlet: int, seed: int, faults: bool):
        self.outlets = outlets
        self.per_outlet = per_outlet
        self.seed = seed
        self.faults = faults
        self.rng = random.Random(seed)
        self.span = max(48 * 60, per_outlet * 300)  # minutes back from the reference time
        self.pages: dict[str, Page] = {}
        self.drafts: dict[str, Draft] = {}  # story key -> the draft it was written from
        self.counters = {outlet.slug: 0 for outlet in outlets}
        self.fault_paths: dict[str, str] = {}

    def build(self) -> SampleSite:
        counts = kind_counts(self.per_outlet)
        extra = {outlet.slug: 0 for outlet in self.outlets}  # slots that fell back to original
        wires = self._plan_wires(counts["syndicated"], extra)
        for outlet in self.outlets:
            for _ in range(counts["original"] + extra[outlet.slug]):
                self._original(outlet)
        for number, carriers in enumerate(wires, start=1):
            self._wire(f"wire-{number:03d}", carriers)
        for outlet in self.outlets:
            for _ in range(counts["exact-copy"]):
                self._exact_copy(outlet)
        for outlet in self.outlets:
            for _ in range(counts["related"]):
                self._related(outlet)
        if self.faults:
            self._faults()
        return self._site()

    # -- stories ---------------------------------------------------------------------

    def _when(self, low: int = 30) -> datetime:
        return REFERENCE_TIME - timedelta(minutes=self.rng.randint(low, self.span))

    def _story_key(self, outlet: Outlet) -> str:
        self.counters[outlet.slug] += 1
        return f"{outlet.slug}-{self.counters[outlet.slug]:03d}"

    def _add(
        self,
        outlet: Outlet,
        draft: Draft,
        *,
        kind: PageKind,
        story: str,
        when: datetime,
        title: str | None = None,
        author: str | None = None,
        paragraphs: tuple[str, ...] | None = None,
        source: str | None = None,
    ) -> Page:
        when = min(when, REFERENCE_TIME - timedelta(minutes=1)).replace(second=0, microsecond=0)
        title = title or draft.title
        base = f"/{outlet.slug}/{when:%Y/%m/%d}/{slugify(title)}"
        path, n = f"{base}.html", 1
        while path in self.pages:
            n += 1
            path = f"{base}-{n}.html"
        body = paragraphs if paragraphs is not None else draft.paragraphs
        page = Page(
            path=path,
            outlet=outlet.slug,
            title=title,
            author=author or draft.reporter,
            published=when,
            paragraphs=body,
            story=story,
            kind=kind,
            summary=body[0].split(" - ", 1)[-1],
            topic=draft.topic.key,
            source=source,
        )
        self.pages[path] = page
        self.drafts.setdefault(story, draft)
        return page

    def _original(self, outlet: Outlet, when: datetime | None = None) -> Page:
        when = when or self._when()
        draft = write(self.rng, self.rng.choice(TOPICS), when, wire=False)
        return self._add(outlet, draft, kind="original", story=self._story_key(outlet), when=when)

    def _plan_wires(self, per_outlet: int, extra: dict[str, int]) -> list[list[Outlet]]:
        """Group every outlet's syndicated slots into wire stories of 2-4 distinct outlets."""
        remaining = {outlet.slug: per_outlet for outlet in self.outlets}
        wires: list[list[Outlet]] = []
        while any(remaining.values()):
            open_ = [o for o in self.outlets if remaining[o.slug]]
            if len(open_) == 1:  # a slot with no partner: join a story or become original
                lone = open_[0]
                remaining[lone.slug] -= 1
                joinable = [w for w in wires if lone not in w and len(w) < max(_CARRIERS)]
                if joinable:
                    self.rng.choice(joinable).append(lone)
                else:
                    extra[lone.slug] += 1
                continue
            self.rng.shuffle(open_)
            open_.sort(key=lambda o: -remaining[o.slug])  # stable: ties stay shuffled
            size = min(self.rng.choice(_CARRIERS), len(open_))
            chosen = sorted(open_[:size], key=self.outlets.index)
            for outlet in chosen:
                remaining[outlet.slug] -= 1
            wires.append(chosen)
        return wires

    def _wire(self, story: str, carriers: list[Outlet]) -> None:
        base = self._when(low=240)
        draft = write(self.rng, self.rng.choice(TOPICS), base, wire=True)
        for index, outlet in enumerate(carriers):
            own = sorted(
                (p for p in self.pages.values() if p.outlet == outlet.slug),
                key=lambda p: p.path,
            )
            read_more = self.rng.choice(own).title if own else draft.headlines[-1]
            copy = edit_copy(self.rng, draft, index, read_more)
            self._add(
                outlet,
                draft,
                kind="syndicated",
                story=story,
                when=jitter(self.rng, base, 5, 180),
                title=copy.title,
                author=copy.author,
                paragraphs=copy.paragraphs,
            )

    def _exact_copy(self, outlet: Outlet) -> None:
        """Carry another outlet's version of a wire story word for word."""
        carried = {p.story for p in self.pages.values() if p.outlet == outlet.slug}
        sources = [
            p
            for p in self.pages.values()
            if p.kind == "syndicated" and p.outlet != outlet.slug and p.story not in carried
        ]
        copied = {p.source for p in self.pages.values() if p.kind == "exact-copy"}
        fresh = [p for p in sources if p.path not in copied]
        pool = sorted(fresh or sources, key=lambda p: p.path)
        if not pool:
            self._original(outlet)
            return
        src = self.rng.choice(pool)
        self._add(
            outlet,
            self.drafts[src.story],
            kind="exact-copy",
            story=src.story,
            when=jitter(self.rng, src.published, 15, 240),
            title=src.title,
            author=src.author,
            paragraphs=src.paragraphs,
            source=src.path,
        )

    def _related(self, outlet: Outlet) -> None:
        """A different story on the topic of an existing one (another company, game, ...)."""
        pool = sorted(
            (p for p in self.pages.values() if p.kind in ("original", "syndicated")),
            key=lambda p: p.path,
        )
        ref = self.rng.choice(pool)
        ref_draft = self.drafts[ref.story]
        when = jitter(self.rng, ref.published, -360, 360)
        topic = TOPICS_BY_KEY[ref.topic]
        draft = write(self.rng, topic, when, wire=False, avoid=ref_draft.subject)
        story = self._story_key(outlet)
        self._add(outlet, draft, kind="related", story=story, when=when, source=ref.path)

    def _faults(self) -> None:
        first, second = self.outlets[0], self.outlets[1]
        flaky = self._original(first, REFERENCE_TIME - timedelta(minutes=95))
        slow = self._original(second, REFERENCE_TIME - timedelta(minutes=150))
        when = REFERENCE_TIME - timedelta(minutes=40)
        draft = write(self.rng, self.rng.choice(TOPICS), when, wire=False)
        missing = self._add(second, draft, kind="fault", story="fault-missing", when=when)
        self.fault_paths = {"flaky": flaky.path, "missing": missing.path, "slow": slow.path}

    # -- feeds -----------------------------------------------------------------------

    def _site(self) -> SampleSite:
        def newest_first(pages: list[Page]) -> list[Page]:
            return sorted(pages, key=lambda p: (p.published, p.path), reverse=True)

        feeds: list[Feed] = []
        ordered: dict[str, Page] = {}
        per_outlet: list[list[Page]] = []
        last = self.outlets[-1]
        for outlet in self.outlets:
            pages = newest_first([p for p in self.pages.values() if p.outlet == outlet.slug])
            ordered.update((p.path, p) for p in pages)
            feeds.append(
                Feed(
                    path=outlet.feed_path,
                    outlet=outlet.slug,
                    format=outlet.feed_format,
                    page_paths=tuple(p.path for p in pages),
                    links_with_tracking=outlet is last,
                )
            )
            faults = set(self.fault_paths.values())
            per_outlet.append([p for p in pages if p.path not in faults])
        top: list[Page] = []
        for rank in range(max(len(pages) for pages in per_outlet)):
            top += [pages[rank] for pages in per_outlet if rank < len(pages)]
        feeds.append(
            Feed(
                path="/top/feed.xml",
                outlet="top",
                format="rss",
                page_paths=tuple(p.path for p in newest_first(top[:TOP_ENTRIES])),
                links_with_tracking=True,
            )
        )
        if self.faults:
            feeds.append(Feed("/broken/feed.xml", "broken", "malformed", ()))
        return SampleSite(
            outlets=self.outlets,
            pages=MappingProxyType(ordered),
            feeds=tuple(feeds),
            seed=self.seed,
            fault_paths=MappingProxyType(dict(self.fault_paths)),
        )
