"""Extraction quality and speed, set by set: newsflow against each single extractor, one run.

    make bench        # or: .venv/bin/python -m bench.extraction [--repeat N] [--sets ...]

Scores every page of each article set under ``$NEWSFLOW_CORPORA`` (bench/corpora.py;
scoring in bench/scoring.py, the public benchmark's shingle method) and times each
extractor on the same pages in this process, one page at a time, all extractors on a
page before the next page, so that the ratios compare like with like. Each set is
reported whole and by halves: the vote's weights are fitted on half "a"
(bench/fit_combiner.py), so half "b" is the unseen check.

Rows: newsflow (``extract_article``; a page it refuses as not an article scores 0),
the same with refusals off (the quality of the text alone), its two strategies alone
as it runs them (trafilatura without its fallback, and
readability-lxml, on the shared tree), trafilatura's ``extract`` as shipped and in
its three modes without comments (balanced, precision, recall), and readability-lxml
on the page as shipped. Writes bench/results/extraction.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.html
import trafilatura
from readability import Document
from trafilatura.utils import load_html

from bench.corpora import ARTICLE_SETS, Case, available, cases, half
from bench.scoring import PageScore, macro, score_page
from extractors.articles import ExtractOptions, extract_article
from extractors.errors import ExtractionError, NotAnArticleError
from extractors.strategies import (
    block_text,
    drop_controls,
    drop_scripts,
    remove_hidden,
    with_readability,
    with_trafilatura,
)

RESULTS = Path(__file__).parent / "results"
#: Scored as an extractor: no floor on length (extraction-dev has unit pages of a few
#: words, which ingestion refuses as too short to be articles).
SCORED = ExtractOptions(min_text_length=1)
#: The text alone: pages taken for other kinds (a manual, a forum) give their text too.
TEXT_ONLY = ExtractOptions(min_text_length=1, refuse_not_articles=False)
URL = "https://example.com/article"


def _trafilatura(html: str) -> str:
    return trafilatura.extract(html) or ""


def _trafilatura_mode(favor: str) -> Callable[[str], str]:
    def run(html: str) -> str:
        return (
            trafilatura.extract(
                html,
                include_comments=False,
                favor_precision=favor == "precision",
                favor_recall=favor == "recall",
            )
            or ""
        )

    return run


def _readability(html: str) -> str:
    summary = Document(html).summary(html_partial=True)
    return block_text(lxml.html.fragment_fromstring(summary, create_parent="div"))


def _prepared(html: str) -> Any:
    """The page's tree as extract_article prepares it for trafilatura (None: no tree)."""
    tree = load_html(html)
    if tree is not None:
        drop_scripts(tree)
        remove_hidden(tree)
    return tree


def _its_trafilatura(html: str) -> str:
    tree = _prepared(html)
    if tree is None:
        return ""
    return with_trafilatura(tree, url=URL, include_tables=True, favor=SCORED.favor).text


def _its_readability(html: str) -> str:
    tree = _prepared(html)
    if tree is None:
        return ""
    drop_controls(tree)
    return with_readability(tree).text


def _newsflow(html: str) -> str:
    try:
        return extract_article(html, url=URL, options=SCORED).text
    except ExtractionError:
        return ""


def _newsflow_text(html: str) -> str:
    try:
        return extract_article(html, url=URL, options=TEXT_ONLY).text
    except ExtractionError:
        return ""


#: The baseline the time ratio is taken against: trafilatura's extract as shipped.
BASELINE = "trafilatura extract (as shipped)"
NEWSFLOW = "newsflow extract_article"
EXTRACTORS: dict[str, Callable[[str], str]] = {
    NEWSFLOW: _newsflow,
    "  its text, no page kinds": _newsflow_text,
    "  its trafilatura alone": _its_trafilatura,
    "  its readability alone": _its_readability,
    BASELINE: _trafilatura,
    "trafilatura, no comments, balanced": _trafilatura_mode("balanced"),
    "trafilatura, no comments, precision": _trafilatura_mode("precision"),
    "trafilatura, no comments, recall": _trafilatura_mode("recall"),
    "readability-lxml 0.9": _readability,
}


def _safely(extractor: Callable[[str], str], html: str) -> str:
    try:
        return extractor(html)
    except Exception:  # a library failing on a page scores that page 0
        return ""


def run_set(pages: list[Case], repeat: int) -> dict[str, dict[str, object]]:
    """Every extractor on every page: scores by half and whole, and mean times."""
    scores: dict[str, dict[str, list[PageScore]]] = {n: {"a": [], "b": []} for n in EXTRACTORS}
    times: dict[str, list[float]] = {name: [] for name in EXTRACTORS}
    for extractor in EXTRACTORS.values():  # warm up: models load once per process
        _safely(extractor, pages[0].html)
    for case in pages:
        for name, extractor in EXTRACTORS.items():
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                text = _safely(extractor, case.html)
                best = min(best, time.perf_counter() - started)
            times[name].append(best * 1000)
            scores[name][half(case.name)].append(score_page(case.name, text, case.reference))
    table: dict[str, dict[str, object]] = {}
    for name in EXTRACTORS:
        parts = scores[name]
        whole = macro(parts["a"] + parts["b"])
        table[name] = {
            "precision": round(whole.precision, 4),
            "recall": round(whole.recall, 4),
            "f1": round(whole.f1, 4),
            "f1_a": round(macro(parts["a"]).f1, 4) if parts["a"] else None,
            "f1_b": round(macro(parts["b"]).f1, 4) if parts["b"] else None,
            "ms_mean": round(statistics.fmean(times[name]), 2),
        }
    return table


def refused(pages: list[Case]) -> list[str]:
    """Pages newsflow refuses as not articles with its default options."""
    names = []
    for case in pages:
        try:
            extract_article(case.html, url=URL)
        except NotAnArticleError as exc:
            names.append(f"{case.name} ({exc.page_kind})")
        except ExtractionError:
            continue
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="timings per page (best kept)")
    parser.add_argument(
        "--sets",
        nargs="*",
        choices=list(ARTICLE_SETS),
        help="article sets to run (default: all present)",
    )
    args = parser.parse_args()
    corpora = Path(os.environ.get("NEWSFLOW_CORPORA", "../shared/corpora"))
    present = available(corpora)
    names = args.sets or present
    missing = [name for name in names if name not in present]
    if not names or missing:
        sys.exit(
            f"bench.extraction: no {', '.join(missing) or 'extraction corpora'} under {corpora}"
        )
    report: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}",
        "sets": {},
    }
    for name in names:
        pages = list(cases(corpora, name))
        table = run_set(pages, args.repeat)
        ratio = float(table[NEWSFLOW]["ms_mean"]) / float(table[BASELINE]["ms_mean"])  # type: ignore[arg-type]
        not_articles = refused(pages)
        print(f"\n{name}: {len(pages)} pages, best of {args.repeat} timing(s) per page")
        header = ("P", "R", "F1", "F1 a", "F1 b")
        print(f"{'extractor':38s}", *(f"{h:>6s}" for h in header), f"{'mean':>8s}")
        for extractor, row in table.items():
            print(
                f"{extractor:38s} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
                f"{row['f1_a'] or 0:6.3f} {row['f1_b'] or 0:6.3f} {row['ms_mean']:6.1f}ms"
            )
        print(f"newsflow time / {BASELINE}: {ratio:.2f}")
        print(f"refused as not articles (default options): {len(not_articles)} {not_articles}")
        report["sets"][name] = {  # type: ignore[index]
            "pages": len(pages),
            "extractors": table,
            "time_ratio": round(ratio, 3),
            "refused_as_not_articles": not_articles,
        }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "extraction.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
