"""Combine the strategies' texts block by block, on evidence read from the page. Pure.

Each strategy (trafilatura, readability-lxml) returns the blocks of the page it takes
for the article (``extractors.blocks.kept``). Then, block by block:

- a block both kept is the article's (they agree: most of every page);
- a block neither kept is not;
- a block only one kept is decided on what the page says about it (``FEATURES``):
  whether it sits between agreed blocks or outside them, how far, how long the run
  of such blocks is against the agreed text, its link density, whether it ends like a
  sentence, whether it is a heading, list item or table cell, and which strategy kept
  it. The weights (``WEIGHTS``) are a logistic model fitted by ``bench.fit_combiner``
  on half "a" of the people-labelled sets and extraction-dev; half "b" is reported.
  Then two fixed rules: short page furniture (a cookie notice, "Copy link") is
  dropped, and a block the feed's own summary holds is kept;
- when the vote would keep less than half of what both agree on, the agreement
  alone is kept; when it keeps nothing, every block either kept.

Why blocks and not one whole text: the strategies fail on different parts of the
same page. readability keeps one container and misses a lede or a split body beside
it; trafilatura keeps a gallery or teaser list that readability leaves out. The
public web content extraction benchmark (Bevendorff et al. 2023) found voting over
extractors at the level of text units beat every single one on eight
human-labelled sets; bench/README.md has our figures, set by set.

``method`` says what decided: the one strategy that found text, or "vote";
``confidence`` is the share of the chosen text both strategies kept (0.5 when one
strategy alone found text, 0.3 for the feed's text).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.blocks import Block, kept, page_stream
from extractors.strategies import Candidate

_TOKEN = re.compile(r"\w+")

#: What the vote reads about a block only one strategy kept, in the order of WEIGHTS.
FEATURES = (
    "bias",
    "kept by trafilatura",  # 1, else kept by readability
    "inside",  # between the first and the last agreed block
    "blocks to agreement",  # log(1 + blocks to the nearest agreed block)
    "words to agreement",  # log(1 + words between it and the nearest agreed block)
    "link density",
    "ends a sentence",  # its text ends in . ! ? or a closing quote
    "heading",
    "list item",
    "table cell",
    "strategy size",  # words its strategy kept / agreed words (at most 3)
    "run",  # log(1 + words of the run of blocks kept the same way around it)
    "run outside",  # the same, for a block outside the agreement, else 0
    "run share",  # log((run words + 1) / (agreed words + 1))
    "run share outside",
)
#: Fitted by ``python -m bench.fit_combiner`` (bench/README.md has the run).
WEIGHTS = (
    -2.93,  # bias
    -0.78,  # kept by trafilatura
    -0.32,  # inside
    -0.8,  # blocks to agreement
    0.12,  # words to agreement
    -0.78,  # link density
    1.39,  # ends a sentence
    -0.03,  # heading
    1.23,  # list item
    -0.48,  # table cell
    0.98,  # strategy size
    0.62,  # run
    -0.17,  # run outside
    -0.32,  # run share
    0.33,  # run share outside
)
#: A vote that keeps less than this share of the agreed words falls back to them.
FALLBACK_SHARE = 0.5
#: Share of a block's 4-word shingles the feed's summary must hold to vouch for it.
FEED_SHARE = 0.6
#: Lines longer than this are never dropped as page furniture.
FURNITURE_CHARS = 160
#: Page furniture that either strategy may keep beside the article: consent and cookie
#: notices, share and save buttons, reading times, newsletter and advertising labels.
_FURNITURE = re.compile(
    r"\bcookies?\b|\bconsent\b|accept all|privacy (?:settings|preferences)|"
    r"^(?:share|share this|copy link|copy the link|save|print|email|tweet|comments?)"
    r"(?: (?:this|article|story|link|on \w+))*$|"
    r"reading time|min(?:ute)?s? read|lesedauer|temps de lecture|tiempo de lectura|"
    r"sign up for|subscribe to (?:our|the) newsletter|newsletter|^advertisement$|^anzeige$|"
    r"^publicit[ée]$|^read more$|^related (?:stories|articles)$",
    re.I,
)
_SENTENCE_END = frozenset('.!?"”»)。\uff01\uff1f')  # and CJK full stop, fullwidth ! ?


@dataclass(frozen=True, slots=True)
class Choice:
    """The chosen text, what decided it, how much both strategies agree on it, and why."""

    text: str
    method: str
    confidence: float
    reason: str


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The text's n-word shingles with counts (a short text is one shingle)."""
    words = _TOKEN.findall(text.casefold())
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words)


def furniture(line: str) -> bool:
    """A short line of page furniture (a cookie notice, a share button, a reading time)."""
    return len(line) <= FURNITURE_CHARS and bool(_FURNITURE.search(line.strip()))


def without_furniture(text: str, other: str) -> str:
    """The text without short furniture lines (a cookie notice, "Copy link") the other lacks.

    Only lines that one text holds and the other does not are candidates, so a
    sentence of the article that mentions cookies stays when both hold it.
    """
    others = {" ".join(line.split()).casefold() for line in other.splitlines()}
    return "\n".join(
        line
        for line in text.splitlines()
        if " ".join(line.split()).casefold() in others or not furniture(line)
    )


def choose(
    blocks: Sequence[Block],
    candidates: Sequence[Candidate],
    *,
    feed_text: str | None = None,
    min_chars: int = 1,
    feed_fallback: bool = True,
    weights: Sequence[float] = WEIGHTS,
) -> Choice | None:
    """The article's text from the candidates (None: none has ``min_chars`` and no feed text).

    ``weights``: the vote's model (``bench.fit_combiner`` passes the ones it fits).
    """
    usable = [c for c in candidates if len(c.text) >= min_chars]
    if not usable:
        if feed_fallback and feed_text and len(feed_text.strip()) >= min_chars:
            return Choice(feed_text.strip(), "feed", 0.3, "no strategy found text; the feed's own")
        return None
    if len(usable) == 1:
        only = usable[0]
        return Choice(only.text, only.method, 0.5, f"only {only.method} found text")
    first, second = usable[0], usable[1]
    stream = page_stream(blocks)
    votes = list(zip(kept(stream, first.text), kept(stream, second.text), strict=True))
    if not any(a or b for a, b in votes):
        # Neither text is on the page as blocks (markup the walk does not read):
        # the longer text, as a strategy alone.
        longer = max(usable, key=lambda c: len(c.text))
        return Choice(longer.text, longer.method, 0.5, "no block alignment; the longer text")
    keep = decide(
        blocks, votes, first_is_trafilatura=first.method == "trafilatura", weights=weights
    )
    if feed_text:
        keep = _with_feed(blocks, votes, keep, feed_text)
    text = "\n".join(block.text for block, k in zip(blocks, keep, strict=True) if k)
    words = sum(b.words for b, k in zip(blocks, keep, strict=True) if k)
    agreed = sum(b.words for b, k, v in zip(blocks, keep, votes, strict=True) if k and all(v))
    confidence = agreed / words if words else 0.0
    extra = [
        name
        for index, name in enumerate((first.method, second.method))
        if any(k and v[index] and not v[1 - index] for k, v in zip(keep, votes, strict=True))
    ]
    agreement = "both agree" if agreed else "no block both kept"
    reason = f"{agreement}, plus blocks only {' and '.join(extra)} kept" if extra else agreement
    return Choice(text, "vote", confidence, reason)


def decide(
    blocks: Sequence[Block],
    votes: Sequence[tuple[bool, bool]],
    *,
    first_is_trafilatura: bool,
    weights: Sequence[float] = WEIGHTS,
) -> list[bool]:
    """Which blocks to keep, given which each of two strategies kept."""
    both = [a and b for a, b in votes]
    agreed_words = sum(b.words for b, k in zip(blocks, both, strict=True) if k)
    keep = list(both)
    rows = block_features(blocks, votes, first_is_trafilatura=first_is_trafilatura)
    for index, row in enumerate(rows):
        if row is None:
            continue
        if furniture(blocks[index].text):
            continue
        keep[index] = _probability(row, weights) >= 0.5
    words = sum(b.words for b, k in zip(blocks, keep, strict=True) if k)
    if words < FALLBACK_SHARE * agreed_words:
        keep = list(both)
    if not any(keep):
        keep = [a or b for a, b in votes]
    return keep


def block_features(
    blocks: Sequence[Block], votes: Sequence[tuple[bool, bool]], *, first_is_trafilatura: bool
) -> list[tuple[float, ...] | None]:
    """FEATURES of each block only one strategy kept (None for the others)."""
    agreed = [i for i, (a, b) in enumerate(votes) if a and b]
    cumulative = [0]
    for block in blocks:
        cumulative.append(cumulative[-1] + block.words)
    agreed_words = sum(blocks[i].words for i in agreed)
    sizes = [
        sum(b.words for b, v in zip(blocks, votes, strict=True) if v[side]) / max(1, agreed_words)
        for side in (0, 1)
    ]
    runs = _run_words(votes, cumulative)
    first, last = (agreed[0], agreed[-1]) if agreed else (len(blocks), -1)
    rows: list[tuple[float, ...] | None] = []
    for index, (block, (a, b)) in enumerate(zip(blocks, votes, strict=True)):
        if a == b:
            rows.append(None)
            continue
        side = 0 if a else 1
        by_trafilatura = (side == 0) == first_is_trafilatura
        if agreed:
            nearest = _nearest(agreed, index)
            blocks_away = float(abs(nearest - index))
            words_away = float(abs(cumulative[index] - cumulative[nearest]))
        else:
            blocks_away, words_away = 99.0, 1e4
        inside = 1.0 if first <= index <= last else 0.0
        run = math.log1p(runs[index])
        run_share = math.log((runs[index] + 1) / (agreed_words + 1))
        kind = block.kind
        rows.append(
            (
                1.0,
                1.0 if by_trafilatura else 0.0,
                inside,
                math.log1p(blocks_away),
                math.log1p(words_away),
                block.link_density,
                1.0 if block.text[-1:] in _SENTENCE_END else 0.0,
                1.0 if kind == "heading" else 0.0,
                1.0 if kind == "item" else 0.0,
                1.0 if kind == "cell" else 0.0,
                min(sizes[side], 3.0),
                run,
                (1.0 - inside) * run,
                run_share,
                (1.0 - inside) * run_share,
            )
        )
    return rows


def _nearest(ordered: list[int], index: int) -> int:
    """The item of a sorted, non-empty list nearest to ``index`` (the earlier on a tie)."""
    at = bisect.bisect_left(ordered, index)
    if at == 0:
        return ordered[0]
    if at == len(ordered) or index - ordered[at - 1] <= ordered[at] - index:
        return ordered[at - 1]
    return ordered[at]


def _run_words(votes: Sequence[tuple[bool, bool]], cumulative: list[int]) -> list[int]:
    """For each block, the words of the run of neighbours kept the same way."""
    runs = [0] * len(votes)
    start = 0
    while start < len(votes):
        end = start
        while end + 1 < len(votes) and votes[end + 1] == votes[start]:
            end += 1
        for index in range(start, end + 1):
            runs[index] = cumulative[end + 1] - cumulative[start]
        start = end + 1
    return runs


def _probability(row: tuple[float, ...], weights: Sequence[float]) -> float:
    score = sum(w * x for w, x in zip(weights, row, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))


def _with_feed(
    blocks: Sequence[Block], votes: Sequence[tuple[bool, bool]], keep: list[bool], feed_text: str
) -> list[bool]:
    """Keep a block one strategy kept when the feed's summary holds it (the summary is
    the publisher's own statement of how the article starts)."""
    summary = shingles(feed_text)
    out = list(keep)
    for index, (block, (a, b)) in enumerate(zip(blocks, votes, strict=True)):
        if a != b and not out[index]:
            own = shingles(block.text)
            total = sum(own.values())
            if total and sum((own & summary).values()) >= FEED_SHARE * total:
                out[index] = True
    return out


def with_posts(choice: Choice, posts: Candidate | None) -> Choice:
    """A live page: the chosen text's opening (headline, summary) and then every post.

    Used when the posts hold text the choice lacks (the other strategies keep one
    post); lines of the choice that are posts already are not repeated.
    """
    if posts is None or not posts.text:
        return choice
    post_shingles = shingles(posts.text)
    chosen = shingles(choice.text)
    if sum((post_shingles & chosen).values()) >= 0.9 * sum(post_shingles.values()):
        return choice
    opening = []
    for line in choice.text.splitlines():
        line_shingles = shingles(line)
        if sum((line_shingles & post_shingles).values()) >= 0.5 * sum(line_shingles.values()):
            break
        opening.append(line)
    text = "\n".join([*opening, posts.text])
    return Choice(text, "posts", choice.confidence, "a live page: every post")
