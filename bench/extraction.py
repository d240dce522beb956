"""Extraction quality and speed: each strategy alone and newsflow's combination, in one run.

    make bench        # or: .venv/bin/python -m bench.extraction [--repeat 3]

Scores every page of ``$NEWSFLOW_CORPORA/extraction-dev`` (bench/scoring.py: the
public benchmark's shingle method) and times each strategy on the same pages in
this process, one after the other, so the ratios compare like with like. Prints a
table and writes bench/results/extraction.json.
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

import lxml.html
import trafilatura
from readability import Document

from bench.scoring import Case, PageScore, extraction_cases, macro, score_page
from extractors.articles import ExtractOptions, extract_article
from extractors.errors import ExtractionError
from extractors.strategies import block_text

RESULTS = Path(__file__).parent / "results"


def _trafilatura(html: str) -> str:
    return trafilatura.extract(html, include_tables=True, deduplicate=False) or ""


def _trafilatura_recall(html: str) -> str:
    return trafilatura.extract(html, favor_recall=True) or ""


def _readability(html: str) -> str:
    summary = Document(html).summary(html_partial=True)
    return block_text(lxml.html.fragment_fromstring(summary, create_parent="div"))


#: The combination is scored as an extractor: with no floor on text length (the
#: corpus has unit pages of a few words, which ingestion refuses as too short).
SCORED = ExtractOptions(min_text_length=1)


def _newsflow(html: str) -> str:
    try:
        return extract_article(html, url="https://example.com/article", options=SCORED).text
    except ExtractionError:
        return ""


def _newsflow_default(html: str) -> str:
    try:
        return extract_article(html, url="https://example.com/article").text
    except ExtractionError:
        return ""


def _trafilatura_metadata(html: str) -> str:
    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_tables=True, deduplicate=False
    )
    return str(getattr(document, "text", "") or "")


STRATEGIES: dict[str, Callable[[str], str]] = {
    "trafilatura (default)": _trafilatura,
    "trafilatura (favor_recall)": _trafilatura_recall,
    "trafilatura + metadata": _trafilatura_metadata,
    "readability-lxml": _readability,
    "newsflow (combined)": _newsflow,
}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(cases: list[Case], repeat: int) -> dict[str, dict[str, float]]:
    """Score and time every strategy; the best of ``repeat`` timings per page."""
    table: dict[str, dict[str, float]] = {}
    for name, strategy in STRATEGIES.items():
        scores: list[PageScore] = []
        times: list[float] = []
        for case in cases:
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                text = strategy(case.html)
                best = min(best, time.perf_counter() - started)
            times.append(best * 1000)
            scores.append(score_page(case.name, text, case.reference))
        total = macro(scores)
        table[name] = {
            "precision": round(total.precision, 4),
            "recall": round(total.recall, 4),
            "f1": round(total.f1, 4),
            "ms_mean": round(statistics.fmean(times), 2),
            "ms_p50": round(percentile(times, 0.5), 2),
            "ms_p95": round(percentile(times, 0.95), 2),
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings per page (best kept)")
    args = parser.parse_args()
    corpora = Path(os.environ.get("NEWSFLOW_CORPORA", "../shared/corpora"))
    if not (corpora / "extraction-dev").is_dir():
        sys.exit(f"bench.extraction: no extraction-dev corpus under {corpora}")
    cases = list(extraction_cases(corpora))
    table = run(cases, args.repeat)
    baseline = table["trafilatura (default)"]["ms_mean"]
    print(f"extraction-dev: {len(cases)} pages, best of {args.repeat} timings per page")
    print(f"{'strategy':28s} {'P':>6s} {'R':>6s} {'F1':>6s} {'mean':>7s} {'p50':>7s} {'p95':>7s}")
    for name, row in table.items():
        print(
            f"{name:28s} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
            f"{row['ms_mean']:6.1f}ms {row['ms_p50']:6.1f}ms {row['ms_p95']:6.1f}ms"
        )
    ours = table["newsflow (combined)"]["ms_mean"]
    ratio = ours / baseline
    ratio_metadata = ours / table["trafilatura + metadata"]["ms_mean"]
    print(f"newsflow time / trafilatura (text only), mean per page: {ratio:.2f}")
    print(f"newsflow time / trafilatura + metadata, mean per page: {ratio_metadata:.2f}")
    refused = [c.name for c in cases if not _newsflow_default(c.html)]
    print(f"pages refused with the default options (too short, not an article): {refused}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "extraction.json").write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.machine()} {os.cpu_count()} cpus, "
                f"Python {platform.python_version()}",
                "pages": len(cases),
                "strategies": table,
                "time_ratio_vs_trafilatura": round(ratio, 3),
                "time_ratio_vs_trafilatura_with_metadata": round(ratio_metadata, 3),
                "refused_with_defaults": refused,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
