"""Which pages extract_article refuses as not articles, by page type and by article set.

    .venv/bin/python -m bench.pagekinds [--show]

Runs ``extract_article(html, url=...)`` with the default options once on every page of
``$NEWSFLOW_CORPORA/extraction-wcxb/not-articles`` (pages that are not articles: the
type of each is in its ground truth) and of every article set (``bench.corpora``), and
prints for half "a" (where extractors/pagetype.py's rules and thresholds were chosen),
half "b" (the unseen check) and all pages:

- not-article pages refused, per type (n refused / n), with the kinds given;
- article pages refused, per set: as not articles (``NotAnArticleError``), and apart,
  as too short or unreadable (any other ``ExtractionError``);
- the mean time of ``extractors.pagetype.signals`` per page, timed alone on a page
  parsed as ``extract_article`` parses it.

``--show`` lists each refused article and each accepted not-article with a line of
evidence (the markers ``signals`` read), to study them. Nothing is written or cached.

What the extracted text says was measured on half "a" (603 articles, 99 not-articles)
and left out of the rules: no measure of its shape separates the two. Percentiles
(articles p5/p50/p95; not-articles p10/p50/p90):

- share of characters on sentence-like lines (80+ characters ending in . ! ?):
  0.46/0.92/1.00; 0.04/0.78/0.98
- share on short label lines (under 40 characters): 0.00/0.02/0.13; 0.00/0.05/0.29
- heading-like lines (1-10 words, no end punctuation) per 100 words: 0.0/0.6/4.6;
  0.0/1.5/10.1
- the text's share of the page's visible text: 0.17/0.59/0.98; 0.06/0.41/0.88
- lines of a repeated template (same shape of words and digits, 3+ times):
  0.00/0.00/0.47; 0.00/0.08/0.56
- lines ending in "?" and lines with a price: as many on guides and reviews as on
  not-articles

On the pages no rule decides (no story type declared, no date line: 279 articles and
34 not-articles of half "a"), each of these, at a threshold refusing at most one article,
refuses at most one more not-article; "we/our" and "you/your" per 100 words refuse two
and one (how-to guides address their reader as services do).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from trafilatura.utils import load_html

from bench.corpora import ARTICLE_SETS, NOT_ARTICLES, Case, cases, half, not_article_cases
from extractors.articles import extract_article
from extractors.errors import ExtractionError, NotAnArticleError
from extractors.pagetype import PageKindOptions, PageSignals, signals

HALVES = ("a", "b", "all")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What extract_article made of one page."""

    group: str  # the not-article type ("product", ...) or the article set's name
    name: str
    half: str
    refused: str | None  # the page kind given, when refused as not an article
    short: str | None  # the message, when refused as too short or unreadable
    page: PageSignals | None  # the markers, when the page parses
    signals_ms: float | None


def run(case: Case, group: str, options: PageKindOptions) -> Outcome:
    """Extract one page with the defaults, and read its markers apart (timed)."""
    url = case.metadata.get("url")
    refused = short = None
    try:
        extract_article(case.html, url=url if isinstance(url, str) else None)
    except NotAnArticleError as exc:
        refused = exc.page_kind
    except ExtractionError as exc:
        short = str(exc)
    tree = load_html(case.html) if case.html.strip() else None
    page = elapsed = None
    if tree is not None:
        started = time.perf_counter()
        page = signals(tree, options)
        elapsed = (time.perf_counter() - started) * 1000
    return Outcome(group, case.name, half(case.name), refused, short, page, elapsed)


def evidence(page: PageSignals | None) -> str:
    """One line of the markers the rules read."""
    if page is None:
        return "unparsable"
    parts = [f"declared={','.join(sorted(page.declared)) or '-'}", f"og={page.og_type or '-'}"]
    parts += [f"story={page.story}", f"dated={page.dated}", f"posts={page.posts}"]
    parts.append(f"shop={page.shop_controls}")
    parts += [f"code={page.code_blocks}/{page.inline_code}", f"cta={page.calls_to_action}"]
    parts.append(f"section={page.section or '-'}")
    parts.append(f"headlines={len(page.headlines)}")
    for group in page.groups[:2]:
        parts.append(
            f"group(n={group.size} mean={group.mean_chars:.0f} linked={group.linked:.1f} "
            f"dated={group.dated:.1f} priced={group.priced:.1f})"
        )
    return " ".join(parts)


def report(outcomes: list[Outcome], which: str, types: list[str], sets: list[str]) -> None:
    """Print one half's table."""
    chosen = [o for o in outcomes if which == "all" or o.half == which]
    title = {"a": "rules chosen here", "b": "the unseen check", "all": "both halves"}[which]
    print(f"\nhalf {which} ({title})")
    print(f"  {'not articles':16s} {'refused':>9s}        kinds given")
    refused_total = pages_total = 0
    for kind in types:
        rows = [o for o in chosen if o.group == kind]
        refused = Counter(o.refused for o in rows if o.refused)
        count = sum(refused.values())
        refused_total += count
        pages_total += len(rows)
        kinds = ", ".join(f"{k} {n}" for k, n in refused.most_common())
        print(f"  {kind:16s} {count:4d}/{len(rows):<4d} {_pct(count, len(rows)):>6s}  {kinds}")
    print(
        f"  {'all types':16s} {refused_total:4d}/{pages_total:<4d} "
        f"{_pct(refused_total, pages_total):>6s}"
    )
    print(f"  {'articles':16s} {'as not-article':>19s}  {'too short':>17s}")
    totals = [0, 0, 0]  # refused as not articles, as too short, pages
    for name in sets:
        rows = [o for o in chosen if o.group == name]
        row = [sum(1 for o in rows if o.refused), sum(1 for o in rows if o.short), len(rows)]
        totals = [total + count for total, count in zip(totals, row, strict=True)]
        print(_article_row(name, *row))
    print(_article_row("all sets", *totals))


def _article_row(name: str, as_kind: int, short: int, pages: int) -> str:
    return (
        f"  {name:16s} {as_kind:4d}/{pages:<4d} {_pct(as_kind, pages):>7s}   "
        f"{short:4d}/{pages:<4d} {_pct(short, pages):>6s}"
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the pages decided wrongly")
    args = parser.parse_args()
    corpora = Path(os.environ.get("NEWSFLOW_CORPORA", "../shared/corpora"))
    if not (corpora / NOT_ARTICLES).is_dir():
        sys.exit(f"bench.pagekinds: no {NOT_ARTICLES} under {corpora}")
    options = PageKindOptions()
    outcomes = []
    for case in not_article_cases(corpora):
        outcomes.append(run(case, str(case.metadata.get("page_type")), options))
    sets = [name for name, folder in ARTICLE_SETS.items() if (corpora / folder).is_dir()]
    for name in sets:
        outcomes.extend(run(case, name, options) for case in cases(corpora, name))
    types = sorted({o.group for o in outcomes} - set(sets))
    for which in HALVES:
        report(outcomes, which, types, sets)
    timings = sorted(o.signals_ms for o in outcomes if o.signals_ms is not None)
    print(
        f"\nsignals: {statistics.fmean(timings):.2f} ms mean per page, "
        f"p95 {timings[int(0.95 * (len(timings) - 1))]:.2f} ms ({len(timings)} pages)"
    )
    if args.show:
        print("\narticles refused as not articles:")
        for o in outcomes:
            if o.group in sets and o.refused:
                print(f"  {o.half} {o.group} {o.name}: {o.refused}; {evidence(o.page)}")
        print("\nnot-articles accepted (or refused as too short):")
        for o in outcomes:
            if o.group not in sets and not o.refused:
                got = "too short" if o.short else "article"
                print(f"  {o.half} {o.group} {o.name}: {got}; {evidence(o.page)}")


if __name__ == "__main__":
    main()
