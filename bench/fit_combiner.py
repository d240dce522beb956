"""Fit the vote's weights (extractors.combine.WEIGHTS) on one half of the corpora.

    .venv/bin/python -m bench.fit_combiner            # fit on half "a", report both halves
    .venv/bin/python -m bench.fit_combiner --half b   # the other way round, as a check

The model is a logistic regression over ``extractors.combine.FEATURES`` of the blocks
only one strategy kept, on the pages where the vote runs (both strategies found text
and it is on the page); the label says whether the people's (or Readability.js's)
reference text holds the block. Each page weighs the same within its set and each set
the same in all, so the 621 pages of l3s-gn1 do not outvote the 71 of cleanportal.
Pages are read exactly as ``extract_article`` reads them (``read_page``). The script
prints the weights to paste into extractors/combine.py and the F1 of both halves of
every set with the fitted and with the current weights; bench.extraction is the
report of record.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from trafilatura.utils import load_html

from bench.corpora import ARTICLE_SETS, available, cases, half
from bench.scoring import PageScore, macro, score_page
from extractors.articles import ExtractOptions, read_page
from extractors.blocks import Block, kept, page_stream
from extractors.combine import FEATURES, WEIGHTS, block_features, choose, furniture
from extractors.pagetype import PageKindOptions, signals
from extractors.strategies import Candidate

#: L2 penalty of the fit: keeps weights of rare features small.
PENALTY = 1e-3


@dataclass(frozen=True, slots=True)
class Page:
    """One corpus page as the vote sees it, with its reference."""

    corpus: str
    name: str
    blocks: list[Block]
    candidates: tuple[Candidate, Candidate]
    reference: str


def read_pages(corpora: Path, options: ExtractOptions) -> list[Page]:
    """Every page of every article set, read once."""
    pages = []
    for corpus in available(corpora):
        for case in cases(corpora, corpus):
            tree = load_html(case.html)
            if tree is None:
                continue
            live = "liveblogposting" in signals(tree, PageKindOptions()).types
            reading = read_page(tree, url="https://example.com/a", options=options, live=live)
            pages.append(
                Page(corpus, case.name, reading.blocks, reading.candidates, case.reference)
            )
    return pages


def training_rows(pages: list[Page], which: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and weights of the disputed blocks of one half."""
    counts = {
        c: sum(1 for p in pages if p.corpus == c and half(p.name) == which) for c in ARTICLE_SETS
    }
    rows, labels, weights = [], [], []
    for page in pages:
        first, second = page.candidates
        if half(page.name) != which or not (page.blocks and first.text and second.text):
            continue  # the vote runs only when both strategies found text
        stream = page_stream(page.blocks)
        votes = list(zip(kept(stream, first.text), kept(stream, second.text), strict=True))
        if not any(a or b for a, b in votes):
            continue  # and only when their texts are on the page as blocks
        gold = kept(stream, page.reference)
        total = sum(
            b.words for b, v, g in zip(page.blocks, votes, gold, strict=True) if any(v) or g
        )
        features = block_features(page.blocks, votes, first_is_trafilatura=True)
        for block, row, label in zip(page.blocks, features, gold, strict=True):
            if row is None or furniture(block.text):
                continue
            rows.append(row)
            labels.append(1.0 if label else 0.0)
            weights.append(block.words / max(1, total) / max(1, counts[page.corpus]))
    return np.array(rows), np.array(labels), np.array(weights)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Weighted logistic regression by Newton's method (IRLS), with an L2 penalty."""
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -50, 50)))
        gradient = x.T @ (w * (p - y)) + PENALTY * beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + PENALTY * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def scores(pages: list[Page], weights: tuple[float, ...]) -> dict[tuple[str, str], float]:
    """F1 of the vote with ``weights`` on each set's halves."""
    by_part: dict[tuple[str, str], list[PageScore]] = {}
    for page in pages:
        choice = choose(page.blocks, page.candidates, weights=weights)
        text = choice.text if choice is not None else ""
        score = score_page(page.name, text, page.reference)
        by_part.setdefault((page.corpus, half(page.name)), []).append(score)
    return {part: macro(items).f1 for part, items in by_part.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("a", "b"), default="a", help="the half to fit on")
    parser.add_argument(
        "--favor", default=ExtractOptions().favor, help="trafilatura's leaning (ExtractOptions)"
    )
    args = parser.parse_args()
    corpora = Path(os.environ.get("NEWSFLOW_CORPORA", "../shared/corpora"))
    if not available(corpora):
        sys.exit(f"bench.fit_combiner: no extraction corpora under {corpora}")
    pages = read_pages(corpora, ExtractOptions(min_text_length=1, favor=args.favor))
    x, y, w = training_rows(pages, args.half)
    beta = tuple(round(float(b), 2) for b in fit(x, y, w))
    print(f"fitted on half {args.half}: {len(y)} disputed blocks of {len(pages)} pages")
    print("WEIGHTS = (")
    for name, value in zip(FEATURES, beta, strict=True):
        print(f"    {value},  # {name}")
    print(")")
    fitted, current = scores(pages, beta), scores(pages, WEIGHTS)
    print(f"{'set':16s} {'half':>4s} {'fitted':>7s} {'current':>7s}")
    for corpus in available(corpora):
        for part in ("a", "b"):
            key = (corpus, part)
            print(f"{corpus:16s} {part:>4s} {fitted[key]:7.4f} {current[key]:7.4f}")


if __name__ == "__main__":
    main()
