"""Choose one text among the strategies' candidates, on evidence, and say how sure. Pure.

The evidence is how much of each candidate the other one also found, counted in
4-word shingles (the unit the extraction scores use):

- when one text holds (nearly) all of the other and adds more, the other strategy
  stopped short: readability keeps one container and misses siblings such as a
  lede in its own block; trafilatura's extra is then article text, and the larger
  text wins (and the other way round);
- when they disagree both ways, the precise strategy (readability) wins;
- a feed that says how the article starts breaks ties: a candidate that does not
  contain the feed's opening while the other does has picked the wrong block;
- when only one found text, it stands alone, with a lower confidence; when none
  did, the feed's own content is the last resort.

The thresholds are measured on ``extraction-dev`` (bench/README.md): results hold
within 0.001 F1 for containment between 0.90 and 0.92 and growth between 2% and
5%, so they are not tuned to single pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.strategies import Candidate

_TOKEN = re.compile(r"\w+")

#: Share of a text's shingles the other must hold for the text to be "inside" it.
CONTAINED = 0.9
#: How much larger (in shingles) the containing text must be to be preferred.
GROWTH = 1.05
#: Shingles of the feed's summary that a candidate must hold to "contain the opening".
FEED_OPENING_SHARE = 0.6
#: The strategy preferred when the others disagree both ways (the most precise one).
PRECISE = "readability"
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


@dataclass(frozen=True, slots=True)
class Choice:
    """The chosen text, the strategy it came from, and why."""

    text: str
    method: str
    confidence: float
    reason: str


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The text's n-word shingles with counts (a short text is one shingle)."""
    words = _TOKEN.findall(text.casefold())
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words)


def _size(counts: Counter[tuple[str, ...]]) -> int:
    return sum(counts.values())


def choose(
    candidates: Sequence[Candidate],
    *,
    feed_text: str | None = None,
    min_chars: int = 1,
    feed_fallback: bool = True,
) -> Choice | None:
    """The best candidate (None when none has ``min_chars`` of text and the feed has none)."""
    usable = [c for c in candidates if len(c.text) >= min_chars]
    if not usable:
        if feed_fallback and feed_text and len(feed_text.strip()) >= min_chars:
            return Choice(feed_text.strip(), "feed", 0.3, "no strategy found text; the feed's own")
        return None
    if len(usable) == 1:
        only = usable[0]
        return Choice(only.text, only.method, 0.5, f"only {only.method} found text")
    by_method = {c.method: c for c in usable}
    precise = by_method.get(PRECISE, usable[0])
    other = next(c for c in usable if c is not precise)
    return _between(precise, other, feed_text)


def with_posts(choice: Choice, posts: Candidate | None) -> Choice:
    """A live page: the chosen text's opening (headline, summary) and then every post.

    Used when the posts hold text the choice lacks (the other strategies keep one
    post); lines of the choice that are posts already are not repeated.
    """
    if posts is None or not posts.text:
        return choice
    post_shingles = shingles(posts.text)
    chosen = shingles(choice.text)
    if _size(post_shingles & chosen) >= CONTAINED * _size(post_shingles):
        return choice
    opening = []
    for line in choice.text.splitlines():
        line_shingles = shingles(line)
        if _size(line_shingles & post_shingles) >= 0.5 * _size(line_shingles):
            break
        opening.append(line)
    text = "\n".join([*opening, posts.text])
    return Choice(text, "posts", choice.confidence, "a live page: every post")


def without_furniture(text: str, other: str) -> str:
    """The text without short furniture lines (a cookie notice, "Copy link") the other lacks.

    Only lines that one strategy kept and the other did not are candidates, so a
    sentence of the article that mentions cookies stays.
    """
    others = {" ".join(line.split()).casefold() for line in other.splitlines()}
    kept = [
        line
        for line in text.splitlines()
        if len(line) > FURNITURE_CHARS
        or " ".join(line.split()).casefold() in others
        or not _FURNITURE.search(line.strip())
    ]
    return "\n".join(kept)


def _between(precise: Candidate, other: Candidate, feed_text: str | None) -> Choice:
    precise = Candidate(precise.method, without_furniture(precise.text, other.text))
    other = Candidate(other.method, without_furniture(other.text, precise.text))
    a, b = shingles(precise.text), shingles(other.text)
    common = _size(a & b)
    a_in_b = common / max(1, _size(a))
    b_in_a = common / max(1, _size(b))
    agreement = common / max(1, _size(a), _size(b))
    if feed_text:
        opening = shingles(feed_text)
        a_has = _size(a & opening) / max(1, _size(opening)) >= FEED_OPENING_SHARE
        b_has = _size(b & opening) / max(1, _size(opening)) >= FEED_OPENING_SHARE
        if a_has != b_has:
            winner = precise if a_has else other
            return Choice(
                winner.text, winner.method, max(agreement, 0.6), "holds the feed's opening"
            )
    if a_in_b >= CONTAINED and _size(b) > _size(a) * GROWTH:
        return Choice(
            other.text,
            other.method,
            agreement,
            f"{other.method} holds {precise.method}'s text and more",
        )
    if b_in_a >= CONTAINED and _size(a) > _size(b) * GROWTH:
        return Choice(
            precise.text,
            precise.method,
            agreement,
            f"{precise.method} holds {other.method}'s text and more",
        )
    reason = "they agree" if agreement >= CONTAINED else "they disagree; the precise one"
    return Choice(precise.text, precise.method, agreement, reason)
