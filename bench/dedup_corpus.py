"""A labelled near-duplicate corpus: wire stories, their syndicated copies and hard negatives.

    .venv/bin/python -m bench.dedup_corpus --seed 1 --stories 300 --out corpus.jsonl
    .venv/bin/python -m bench.dedup_corpus --seed 1 --scale 1000000 --out big.jsonl
    .venv/bin/python -m bench.dedup_eval corpus.jsonl predictions.jsonl

``stories`` wire originals are published by a wire service and carried by 2 to 8
outlets, each copy with its own mix of edits (``kind`` "copy:headline+byline+...", or
"lede" and "truncated"). The originals are the reference texts of
``$NEWSFLOW_CORPORA/extraction-dev`` and ``sample-article.txt`` (read at run time, never
stored here), then synthetic stories (``bench.dedup_stories``, from the templates in
``bench.dedup_texts``). Hard negatives are stories of their own: "neg:topic" (the names
and vocabulary of an original, another event), "neg:template" (earnings, results,
weather and election tallies from one template per outlet: most words shared, different
stories) and "neg:brief" (under 50 words inside a heavy outlet's furniture; some carried
by other outlets as "copy:brief"). The mix is about 35% copies, 10% lede or truncated
copies and 55% distinct items, 20% of all items templated. Items come in time order over
five ingest runs (``run`` 0..4), one JSON object per line. ``--scale N`` repeats a
corpus under a cipher per cycle to reach N items quickly (a million in under half a
minute).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.dedup_stories import (
    MAX_WORDS,
    MIN_WORDS,
    SENTENCE,
    Base,
    Outlet,
    brief,
    follow_up,
    from_source,
    make_outlets,
    people,
    synthetic,
    templated,
)
from bench.dedup_texts import (
    CORRECTIONS,
    DAYS,
    KICKERS,
    SYNONYM_WORDS,
    SYNONYMS,
    WIRES,
    fill,
    person,
)
from bench.scoring import html_text

START = datetime(2026, 11, 20, tzinfo=UTC)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC; datetime.fromisoformat reads it back
RUNS = 5
DAY = 86_400
#: Edits a syndicated copy may carry, in the order its kind names them.
EDITS = ("headline", "byline", "boilerplate", "trim", "edit", "correction", "number")
#: Outlets carrying a wire story: 2 to 8, mostly 3 to 5 (about 4.7 on average).
CARRIERS = (2, 3, 3, 4, 4, 5, 5, 6, 7, 8)
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})*(?![\w]|[.,]\d)")


@dataclass(frozen=True, slots=True)
class Item:
    """One article as ingestion would see it, with its true story label."""

    id: str
    url: str
    site: str
    title: str
    text: str
    published_at: datetime  # UTC; in JSON "2026-11-20T06:15:00Z"
    story: str
    kind: str
    run: int


FIELDS = tuple(field.name for field in fields(Item))


@dataclass(slots=True)
class _Draft:
    secs: int
    site: str
    title: str
    lines: list[str]
    story: str
    kind: str


def corpus_sources(corpora: Path) -> list[str]:
    """Reference texts of 150+ words from the corpora, title line first, cut to 900 words."""
    texts: list[list[str]] = []
    pages = corpora / "extraction-dev" / "test-pages"
    for folder in sorted(p for p in pages.iterdir() if p.is_dir()) if pages.is_dir() else []:
        lines = html_text((folder / "expected.html").read_text(encoding="utf-8")).splitlines()
        meta = folder / "expected-metadata.json"
        title = json.loads(meta.read_text(encoding="utf-8")).get("title") if meta.exists() else ""
        texts.append([str(title or ""), *lines])
    sample = corpora / "sample-article.txt"
    if sample.exists():
        lines = [line.strip() for line in sample.read_text(encoding="utf-8").splitlines()]
        texts.append(["", *(line for line in lines if line)])
    sources, seen = [], list[set[tuple[str, ...]]]()
    for title, *lines in texts:
        # A page without a title is headed by its first short line without a full stop.
        heads = [line for line in lines[:4] if len(line.split()) <= 12 and line[-1] not in ".:"]
        title = title or (heads[0] if heads else " ".join(lines[0].split()[:10]) if lines else "")
        kept: list[str] = []
        for line in lines:
            if kept and sum(len(k.split()) for k in kept) + len(line.split()) > MAX_WORDS:
                break
            kept.append(line)
        words = " ".join(kept).split()
        shingles = {tuple(words[i : i + 5]) for i in range(len(words) - 4)}
        # Unit pages reuse one lorem ipsum and one page is there twice: two sources that
        # share their text would be two stories that are in truth one.
        if (
            len(words) >= MIN_WORDS
            and title
            and all(len(shingles & other) < 0.2 * min(len(shingles), len(other)) for other in seen)
        ):
            seen.append(shingles)
            sources.append("\n".join([title, *kept]))
    return sources


def _renumber(rng: random.Random, title: str, lines: list[str]) -> tuple[str, list[str]] | None:
    """A figure updated everywhere it appears ("12 people" becomes "14 people")."""
    numbers = sorted({m for line in lines for m in _NUMBER.findall(line)})
    numbers = [n for n in numbers if not 1900 <= int(n.replace(",", "")) <= 2100]
    if not numbers:
        return None
    old = rng.choice(numbers)
    value = int(old.replace(",", ""))
    new = value + rng.randint(1, max(2, value // 8))
    text = f"{new:,}" if "," in old or new >= 10_000 else str(new)
    pattern = re.compile(rf"(?<![\w.,]){re.escape(old)}(?![\w]|[.,]\d)")
    return pattern.sub(text, title), [pattern.sub(text, line) for line in lines]


def _small_edits(rng: random.Random, lines: list[str]) -> list[str] | None:
    """A few words swapped for synonyms and one sentence dropped (not from the lede)."""
    out = list(lines)
    spots = [
        (i, m.start(), m.group(0))
        for i, line in enumerate(out)
        for m in SYNONYM_WORDS.finditer(line)
    ]
    # From the end of each line backwards, so that earlier offsets stay valid.
    for i, start, word in sorted(
        rng.sample(spots, min(len(spots), rng.randint(2, 4))), reverse=True
    ):
        out[i] = out[i][:start] + SYNONYMS[word] + out[i][start + len(word) :]
    split = [(i, SENTENCE.split(line)) for i, line in enumerate(out) if i > 0]
    multi = [(i, sentences) for i, sentences in split if len(sentences) > 1]
    if multi:
        i, sentences = rng.choice(multi)
        del sentences[rng.randrange(len(sentences))]
        out[i] = " ".join(sentences)
    return out if out != lines else None


def _copy(rng: random.Random, base: Base, outlet: Outlet, wire: str) -> tuple[str, list[str], str]:
    """A syndicated copy with a random subset of edits; its kind lists the ones applied."""
    wanted = [edit for edit in EDITS if rng.random() < 0.45] or [rng.choice(EDITS)]
    title, lines, done = base.title, list(base.paragraphs), set()
    if "number" in wanted and (renumbered := _renumber(rng, title, lines)):
        title, lines = renumbered
        done.add("number")
    if "edit" in wanted and (edited := _small_edits(rng, lines)):
        lines = edited
        done.add("edit")
    if "trim" in wanted and (cut := min(rng.randint(1, 3), len(lines) - 2)) > 0:
        lines = lines[:-cut]
        done.add("trim")
    if "correction" in wanted:
        lines.append(fill(rng, rng.choice(CORRECTIONS), _correction_facts(rng, lines)))
        done.add("correction")
    if "byline" in wanted:
        dateline = f"{base.place.upper()} ({wire}) — " if base.place else ""
        lines = [_byline(rng, wire), dateline + lines[0], *lines[1:]]
        done.add("byline")
    if "headline" in wanted:
        title = rng.choice([h for h in base.headlines if h != base.title] or [title + " (update)"])
        done.add("headline")
    if "boilerplate" in wanted:
        lines = [*outlet.top, *lines, *outlet.bottom]
        done.add("boilerplate")
    # A wanted edit may find nothing to change (no figure to update): then it is an exact copy.
    return title, lines, "copy:" + ("+".join(e for e in EDITS if e in done) or "exact")


def _correction_facts(rng: random.Random, lines: list[str]) -> dict[str, str]:
    names = people(" ".join(lines))
    return {"name": rng.choice(names) if names else person(rng), "day": rng.choice(DAYS)}


def _byline(rng: random.Random, wire: str) -> str:
    return rng.choice((f"By {person(rng)}, {wire}", f"By {person(rng)} | {wire}", f"{wire} staff"))


def _partial(rng: random.Random, base: Base, outlet: Outlet) -> tuple[str, list[str], str]:
    """A lede-only copy (a feed summary) or a copy cut at 30-60% of its words (a paywall)."""
    title = rng.choice([base.title, *base.headlines])
    if rng.random() < 0.5:
        lines = list(base.paragraphs[: rng.randint(1, 2)])
        for paragraph in base.paragraphs[len(lines) :]:
            if sum(len(line.split()) for line in lines) >= 25:
                break
            lines.append(paragraph)
        return title, lines, "lede"
    words = sum(len(p.split()) for p in base.paragraphs) * rng.uniform(0.3, 0.6)
    lines, count = [], 0
    for paragraph in base.paragraphs:
        tokens = paragraph.split()
        lines.append(" ".join(tokens[: max(1, round(words - count))]))
        count += len(tokens)
        if count >= words:
            break
    if rng.random() < 0.5:
        lines = [*outlet.top, *lines, *outlet.bottom]
    return title, lines, "truncated"


def generate(seed: int, *, stories: int = 300, sources: Sequence[str] | None = None) -> list[Item]:
    """The corpus for a seed: ``stories`` wire originals, their copies and hard negatives.

    ``sources`` are wire texts, title line first (``corpus_sources``); synthetic stories
    make up the rest. Hard negatives come in proportion: per wire story about 1.7 topical
    follow-ups, 2.4 templated stories and 1.2 briefs.
    """
    if stories < 1:
        raise ValueError(f"dedup corpus: stories must be at least 1, got {stories}")
    rng = random.Random(f"dedup:{seed}")
    outlets = make_outlets(rng, min(40, max(9, stories // 10 + 8)))
    heavy = [outlet for outlet in outlets if outlet.heavy]
    texts = rng.sample(list(sources or ()), min(stories, len(sources or ())))
    bases = [from_source(rng, text) for text in texts]
    bases += [synthetic(rng) for _ in range(stories - len(bases))]
    labels = (f"s{i:05d}" for i in itertools.count())
    drafts: list[_Draft] = []
    last = RUNS * DAY - 6 * 3600  # leaves copies of the latest story time to arrive
    seen = {"\n".join(base.paragraphs) for base in bases}

    def fresh(make: Callable[[], tuple[str, tuple[str, ...]]]) -> tuple[str, tuple[str, ...]]:
        # Two distinct stories written alike by chance would be one story with two labels.
        for _ in range(100):
            title, paragraphs = make()
            if (text := "\n".join(paragraphs)) not in seen:
                seen.add(text)
                return title, paragraphs
        raise RuntimeError("dedup corpus: the templates ran out of distinct stories")

    def dressed(outlet: Outlet, lines: Sequence[str]) -> list[str]:
        return [*outlet.top, *lines, *outlet.bottom] if rng.random() < 0.5 else list(lines)

    for base in bases:
        story, secs = next(labels), rng.randrange(last)
        site, wire = rng.choice(WIRES)
        drafts.append(_Draft(secs, site, base.title, list(base.paragraphs), story, "original"))
        for outlet in rng.sample(outlets, rng.choice(CARRIERS)):
            late = secs + rng.randint(300, 10 * 3600)
            if rng.random() < 0.24:
                title, lines, kind = _partial(rng, base, outlet)
            else:
                title, lines, kind = _copy(rng, base, outlet, wire)
            drafts.append(_Draft(late, outlet.site, title, lines, story, kind))
    for _ in range(round(stories * 1.7)):
        outlet, base = rng.choice(outlets), rng.choice(bases)
        title, paragraphs = fresh(lambda: follow_up(rng, base))  # noqa: B023 (called at once)
        lines = dressed(outlet, paragraphs)
        drafts.append(
            _Draft(rng.randrange(last), outlet.site, title, lines, next(labels), "neg:topic")
        )
    for _ in range(round(stories * 2.4)):
        outlet = rng.choice(outlets)
        title, paragraphs = fresh(lambda: templated(rng, outlet))  # noqa: B023 (called at once)
        lines = dressed(outlet, paragraphs)
        drafts.append(
            _Draft(rng.randrange(last), outlet.site, title, lines, next(labels), "neg:template")
        )
    for _ in range(round(stories * 1.2)):
        # Briefs sit inside a heavy outlet's furniture; some are carried by other heavy outlets.
        story, secs = next(labels), rng.randrange(last)
        title, paragraphs = fresh(lambda: brief(rng))
        carriers = rng.sample(heavy, 1 + (rng.random() < 0.35) * rng.randint(1, 2))
        for n, outlet in enumerate(carriers):
            heading, kind = title, "neg:brief"
            if n:
                secs += rng.randint(600, 4 * 3600)
                heading = rng.choice([title, f"{rng.choice(KICKERS)}: {title}"])
                kind = "copy:brief+boilerplate" + ("+headline" if heading != title else "")
            lines = [*outlet.top, *paragraphs, *outlet.bottom]
            drafts.append(_Draft(secs, outlet.site, heading, lines, story, kind))
    return _finish(drafts)


def _finish(drafts: list[_Draft]) -> list[Item]:
    drafts.sort(key=lambda d: d.secs)  # stable: creation order breaks ties
    items = []
    for i, draft in enumerate(drafts):
        when = START + timedelta(seconds=draft.secs)
        slug = "-".join(re.findall(r"[a-z0-9]+", draft.title.lower())[:8]) or "story"
        items.append(
            Item(
                id=f"n{i:06d}",
                url=f"https://{draft.site}/{when:%Y/%m/%d}/{slug}-{i}.html",
                site=draft.site,
                title=draft.title,
                text="\n".join(draft.lines),
                published_at=when,
                story=draft.story,
                kind=draft.kind,
                run=min(RUNS - 1, draft.secs // DAY),
            )
        )
    return items


def generate_scale(
    seed: int, count: int, *, sources: Sequence[str] | None = None
) -> Iterator[Item]:
    """``count`` items for scale runs: a base corpus repeated under a letter cipher per cycle.

    Each cycle maps letters and digits through its own permutation (``bytes.translate``,
    so it costs next to nothing): copies stay copies of each other within a cycle and share
    no words with other cycles, so the labels (``story.cycle``) stay true.
    """
    if count < 0:
        raise ValueError(f"dedup corpus: count must be at least 0, got {count}")
    base = generate(seed, stories=min(300, max(5, count // 12)), sources=sources)
    rng = random.Random(f"dedup:{seed}:scale")
    index = 0
    for cycle in itertools.count():
        lower = "".join(rng.sample(string.ascii_lowercase, 26))
        digits = "".join(rng.sample(string.digits, 10))
        # bytes.translate: UTF-8 leaves ASCII bytes as they are and no other byte is < 0x80.
        table = bytes.maketrans(
            (string.ascii_letters + string.digits).encode(),
            (lower + lower.upper() + digits).encode(),
        )
        shift = timedelta(days=(RUNS + 1) * cycle)
        for item in base:
            if index == count:
                return
            title, text = (
                (item.title, item.text)
                if cycle == 0
                else (_cipher(item.title, table), _cipher(item.text, table))
            )
            yield Item(
                id=f"x{index:07d}",
                url=item.url.replace("://" + item.site + "/", f"://{item.site}/c{cycle}/", 1),
                site=item.site,
                title=title,
                text=text,
                published_at=item.published_at + shift,
                story=f"{item.story}.{cycle}",
                kind=item.kind,
                run=index * RUNS // count,
            )
            index += 1


def _cipher(text: str, table: bytes) -> str:
    return text.encode().translate(table).decode()


def write_items(items: Iterable[Item], path: Path) -> int:
    """Write items as JSON lines; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            row = {field: getattr(item, field) for field in FIELDS}  # asdict deep-copies: slow
            row["published_at"] = item.published_at.strftime(TIME_FORMAT)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_items(path: Path) -> list[Item]:
    """Items from a JSON lines file written by ``write_items``."""
    with path.open(encoding="utf-8") as lines:
        rows = (json.loads(line) for line in lines if line.strip())
        return [
            Item(**{**row, "published_at": datetime.fromisoformat(row["published_at"])})
            for row in rows
        ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stories", type=int, default=300, help="wire originals")
    parser.add_argument("--scale", type=int, help="write this many items instead (fast, ciphered)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpora", type=Path, default=os.environ.get("NEWSFLOW_CORPORA"))
    parser.add_argument("--synthetic", action="store_true", help="ignore the corpora")
    args = parser.parse_args(argv)
    corpora = None if args.synthetic or args.corpora is None else Path(args.corpora)
    sources = corpus_sources(corpora) if corpora is not None and corpora.is_dir() else None
    started = time.perf_counter()
    mix = Counter[str]()
    try:
        if args.scale is not None:
            items: Iterable[Item] = generate_scale(args.seed, args.scale, sources=sources)
        else:
            items = generate(args.seed, stories=args.stories, sources=sources)
        written = write_items((_tally(mix, item) for item in items), args.out)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    origin = f"{len(sources)} corpus texts" if sources else "synthetic texts"
    took = time.perf_counter() - started
    print(f"{written} items ({origin}) written to {args.out} in {took:.1f}s", file=sys.stderr)
    for kind, n in sorted(mix.items()):
        print(f"  {kind:16s} {n:8d} {n / written:6.1%}", file=sys.stderr)
    return 0


def _tally(mix: Counter[str], item: Item) -> Item:
    """Count the item under its family ("copy", "lede", "neg:brief"...) and, for a copy,
    under each of its edits ("  +trim")."""
    family, _, edits = item.kind.partition(":")
    mix[item.kind if family == "neg" else family] += 1
    for edit in edits.split("+") if family == "copy" else ():
        mix[f"  +{edit}"] += 1
    return item


if __name__ == "__main__":
    raise SystemExit(main())
