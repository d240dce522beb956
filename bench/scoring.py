"""Extraction scoring: 4-token shingles against reference text, macro-averaged over pages.

The method of the public article-extraction benchmark (and of the corpus README):
tokens are ``\\w+`` runs (case kept); each page's extracted and reference texts become
multisets of 4-token shingles; a page's true/false positives and false negatives are
normalised to sum to one; precision and recall are computed per page and averaged over
pages; F1 is the harmonic mean of the two averages.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The text's n-token shingles with their counts (a short text is one shingle)."""
    words = _TOKEN.findall(text or "")
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words)


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's shingle counts, normalised so that long pages weigh no more than short ones."""

    name: str
    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """None when nothing was extracted and nothing expected (left out of the average)."""
        if self.fp == self.fn == 0:
            return 1.0
        return None if self.tp + self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.fp == self.fn == 0:
            return 1.0
        return None if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def score_page(name: str, extracted: str, reference: str) -> PageScore:
    """Shingle matches of one page's extracted text against its reference text."""
    got, want = shingles(extracted), shingles(reference)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if total:
        return PageScore(name, tp / total, fp / total, fn / total)
    return PageScore(name, 0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Score:
    """Macro-averaged precision, recall and F1 over pages."""

    precision: float
    recall: float
    pages: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def macro(scores: Iterable[PageScore]) -> Score:
    """Average per-page precision and recall (pages where one is undefined are left out of it)."""
    items = list(scores)
    precisions = [s.precision for s in items if s.precision is not None]
    recalls = [s.recall for s in items if s.recall is not None]
    return Score(statistics.fmean(precisions), statistics.fmean(recalls), len(items))


#: Elements that start a new block of text; inline ones (a, b, span, ...) do not split words.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)


def html_text(html: str) -> str:
    """A reference page's text: one line per block, inline elements joined as a reader sees them.

    Written apart from ``extractors.strategies.block_text`` on purpose: the scorer's view
    of the reference must not change when the code it scores does.

    Splitting at every element would cut words in two where markup sits inside a word
    (CJK text has no spaces between words, so ``\\w+`` runs depend on it).
    """
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    parts: list[str] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        block = isinstance(element.tag, str) and element.tag in BLOCK_TAGS
        if isinstance(element.tag, str):
            if block:
                parts.append("\n")
            parts.append(element.text or "")
            for child in element:
                walk(child)
            if block:
                parts.append("\n")
        parts.append(element.tail or "")

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True, slots=True)
class Case:
    """One corpus page: its HTML, its reference text and metadata."""

    name: str
    html: str
    reference: str
    metadata: dict[str, object]


def extraction_cases(corpora: Path) -> Iterator[Case]:
    """The pages of ``extraction-dev`` in name order."""
    root = corpora / "extraction-dev" / "test-pages"
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        meta_file = folder / "expected-metadata.json"
        yield Case(
            folder.name,
            (folder / "source.html").read_text(encoding="utf-8"),
            html_text((folder / "expected.html").read_text(encoding="utf-8")),
            json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {},
        )
