"""The extraction quality gate: every shared article set scored as in bench/, against floors.

Each floor is what newsflow measured on the set (bench/README.md) minus a margin for
library noise; ``BEST_SINGLE`` is the best single extractor measured on the same set in
the same run (trafilatura in its three modes, readability-lxml), which newsflow beats. Floors only move up:
raise them when the extractor gets better, never lower them to let a change through.

Without the corpora the gate skips, except in CI (``CI=true``), where a missing corpus
fails the suite: a gate that silently did not run is no gate.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pytest

from bench.corpora import ARTICLE_SETS, cases
from bench.scoring import PageScore, macro, score_page
from extractors.articles import ExtractOptions, extract_article
from extractors.errors import ExtractionError, NotAnArticleError
from tests.conftest import shared_corpus

#: (precision, recall, F1) floors per set: measured 2026-12-05 (bench/README.md) less 0.005.
FLOORS = MappingProxyType(
    {
        "extraction-dev": (0.969, 0.946, 0.958),
        "extraction-wcxb": (0.925, 0.938, 0.931),
        "l3s-gn1": (0.903, 0.953, 0.928),
        "cleanportal": (0.946, 0.877, 0.910),
    }
)
#: The best single extractor's F1 on each people-labelled set, measured in the same run
#: (trafilatura in its three modes and as shipped, readability-lxml): newsflow must beat it.
BEST_SINGLE = MappingProxyType(
    {
        "extraction-wcxb": 0.932,  # trafilatura, no comments, favor_recall
        "l3s-gn1": 0.925,  # readability-lxml
        "cleanportal": 0.912,  # readability-lxml
    }
)
#: extraction-dev's reference is Readability.js's output, so readability-lxml scores
#: 0.966 there and newsflow 0.962 (one Sphinx manual refused as documentation; its text
#: alone 0.966). Pinned instead: newsflow beats trafilatura's best mode on it.
DEV_TRAFILATURA_BEST = 0.935
#: Pages of each set where nothing of the reference is found: pages whose reference says
#: there is no article (cleanportal's bbc.co.uk_news_04 and _05), pages the HTML parser
#: reads as one long <title> (l3s-gn1), bodies hidden until a
#: script runs (extraction-dev's nytimes-5), pages refused as not articles. More than
#: this means a strategy stopped working.
LOST_PAGES = MappingProxyType(
    {"extraction-dev": 2, "extraction-wcxb": 1, "l3s-gn1": 16, "cleanportal": 2}
)
#: Scored as an extractor: extraction-dev has unit pages of a few words.
SCORED = ExtractOptions(min_text_length=1)

pytestmark = pytest.mark.slow


def _set_scores(name: str) -> list[PageScore]:
    corpora = shared_corpus(ARTICLE_SETS[name])
    results = []
    for case in cases(corpora, name):
        try:
            text = extract_article(case.html, url="https://example.com/a", options=SCORED).text
        except NotAnArticleError:
            text = ""  # scored as lost; test_pagetype bounds how often this happens
        except ExtractionError:
            text = ""
        results.append(score_page(case.name, text, case.reference))
    return results


@pytest.fixture(scope="module", params=list(ARTICLE_SETS))
def scored(request: pytest.FixtureRequest) -> tuple[str, list[PageScore]]:
    name: str = request.param
    return name, _set_scores(name)


def test_each_set_scores_above_its_floors_and_the_best_single_extractor(
    scored: tuple[str, list[PageScore]],
) -> None:
    name, scores = scored
    total = macro(scores)
    precision, recall, f1 = FLOORS[name]
    assert total.precision >= precision, f"{name}: precision {total.precision:.4f}"
    assert total.recall >= recall, f"{name}: recall {total.recall:.4f}"
    assert total.f1 >= f1, f"{name}: F1 {total.f1:.4f}"
    best = BEST_SINGLE.get(name, DEV_TRAFILATURA_BEST)
    assert total.f1 > best, f"{name}: F1 {total.f1:.4f} not above a single extractor's {best}"


def test_no_set_loses_more_pages_than_known(scored: tuple[str, list[PageScore]]) -> None:
    name, scores = scored
    empty = sorted(s.name for s in scores if (s.recall or 0.0) == 0.0 and s.fn > 0)
    assert len(empty) <= LOST_PAGES[name], empty


def _gate_without_corpora(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """This file's floor tests in a child pytest, with an empty corpora folder."""
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "floors"],
        env={**environ, "NEWSFLOW_CORPORA": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_in_ci_a_missing_corpus_fails_the_gate(tmp_path: Path) -> None:
    run = _gate_without_corpora(tmp_path, CI="true")
    assert run.returncode != 0, run.stdout
    assert "the test did not run" in run.stdout
    # Outside CI the same run skips: a laptop without the corpora still tests the rest.
    run = _gate_without_corpora(tmp_path)
    assert run.returncode == 0 and "skipped" in run.stdout, run.stdout
