"""The shared extraction corpora as scored cases, and the halves thresholds are chosen on.

Every set under ``$NEWSFLOW_CORPORA`` (see its README) is read the same way: a page's
bytes are decoded as ingestion decodes them (``extractors.encoding.decode_html``, no
HTTP charset), its reference text becomes plain text, and its people-made metadata, where
the set has it, comes along.

=================================  =====  ===================================
set                                pages  reference
=================================  =====  ===================================
``extraction-dev``                   130  Readability.js output (leans readability)
``extraction-wcxb``                  400  people (with title, author, date)
``extraction-human/l3s-gn1``         621  people (main text, no headline)
``extraction-human/cleanportal``      71  people (CleanEval style)
``extraction-wcxb/not-articles``     180  none: pages that are not articles
=================================  =====  ===================================

``half(name)`` splits a set in two by a hash of each page's name, the same way on every
machine: rules are tuned on half "a" and reported on half "b", and the other way round.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from bench.scoring import Case, extraction_cases
from extractors.encoding import decode_html

#: Article sets in the order the bench reports them, with the folder each is read from.
ARTICLE_SETS = {
    "extraction-dev": "extraction-dev",
    "extraction-wcxb": "extraction-wcxb",
    "l3s-gn1": "extraction-human/l3s-gn1",
    "cleanportal": "extraction-human/cleanportal",
}
#: The set of pages that are not articles (collections, listings, products, ...).
NOT_ARTICLES = "extraction-wcxb/not-articles"


def half(name: str) -> str:
    """ "a" or "b": which half of its set a page belongs to (stable, about even)."""
    return "ab"[hashlib.sha256(name.encode()).digest()[0] & 1]


def available(corpora: Path) -> list[str]:
    """The article sets present under ``corpora``."""
    return [name for name, folder in ARTICLE_SETS.items() if (corpora / folder).is_dir()]


def cases(corpora: Path, name: str) -> Iterator[Case]:
    """The pages of one article set (a key of ``ARTICLE_SETS``), in name order."""
    if name == "extraction-dev":
        yield from extraction_cases(corpora)
        return
    yield from _gzipped_cases(corpora / ARTICLE_SETS[name])


def not_article_cases(corpora: Path) -> Iterator[Case]:
    """The pages that are not articles; ``metadata["page_type"]`` says what each is."""
    yield from _gzipped_cases(corpora / NOT_ARTICLES)


def _gzipped_cases(folder: Path) -> Iterator[Case]:
    truth: dict[str, dict[str, object]] = json.loads(
        (folder / "ground-truth.json").read_text(encoding="utf-8")
    )
    for name in sorted(truth):
        page = folder / "html" / f"{name}.html.gz"
        if not page.is_file():
            continue
        item = truth[name]
        body = item.get("articleBody")
        reference = str(body) if body is not None else ""
        metadata = {key: value for key, value in item.items() if key != "articleBody"}
        yield Case(name, decode_html(gzip.decompress(page.read_bytes())), reference, metadata)


__all__ = ["ARTICLE_SETS", "NOT_ARTICLES", "Case", "available", "cases", "half"]
