"""Metadata quality and speed: newsflow's ``page_metadata`` against trafilatura's, in one run.

    .venv/bin/python -m bench.metadata [--show] [--repeat N] [--half a]

Reads ``$NEWSFLOW_CORPORA`` (default ``../shared/corpora``): ``extraction-wcxb`` (400 pages
with people-reviewed title, author and publication day), reported whole and as its two
halves (``bench.corpora.half``: rules are chosen on half "a", half "b" is the unseen check),
and ``extraction-dev`` (Readability.js's ``expected-metadata.json``: title, byline,
published time where given). Each page is parsed once per system as ``extract_article``
parses it (``trafilatura.utils.load_html``), and both systems get the page's address where
the set records it (wcxb does, as ingestion knows it; dev does not). Only the metadata call
is timed, the best of ``--repeat`` runs (one by default: htmldate's caches make repeated
runs on a page faster than a first one). Prints a table, ``--show`` lists newsflow's
mismatches, ``--half a`` reads only that half of wcxb (work on rules without seeing the
other), and the figures go to bench/results/metadata.json (git-ignored).

Matching rules, the same for both systems (a page without a reference value is not counted):

- title: the lower-case ``\\w+`` token sequences are equal.
- author: the same, after a leading "by" is dropped on both sides (Readability's bylines
  keep it). When the reference names several people, the names are compared as sets:
  both sides are split at ``,`` ``;`` ``&`` ``|`` ``/`` and the word "and", and the
  authors match when the two sets of token sequences are equal (so "A, B and C" matches
  "A; B; C" or "C, A, B", but not "A" alone). No credit for part of a list.
- date: the same calendar day (YYYY-MM-DD) as the reference. trafilatura answers with the
  day as written on the page; newsflow with an instant in UTC, which matches when it falls
  on the reference day in some time zone (UTC-12 to UTC+14: the reference is the page's
  local day, and the page's offset is gone once the instant is in UTC). An instant at
  midnight UTC exactly is a date without time of day and must be that very day. A
  reference precise to the month only ("2003-11") matches any day of it. The column
  "utc_day" is the stricter reading for newsflow: its UTC day must be the reference day.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from bench.corpora import cases, half
from bench.scoring import Case
from extractors.metadata import page_metadata

RESULTS = Path(__file__).parent / "results"
FIELDS = ("title", "author", "date", "utc_day")

_TOKEN = re.compile(r"\w+")
_NAME_SPLIT = re.compile(r"[,;&|/]|\band\b", re.I)


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text.lower()))


def title_match(got: str | None, want: str) -> bool:
    """The lower-case word sequences are equal."""
    return bool(got) and _tokens(got or "") == _tokens(want)


def _without_by(text: str) -> str:
    return re.sub(r"^\W*by\b", "", text.strip(), flags=re.I)


def author_match(got: str | None, want: str) -> bool:
    """Equal word sequences, or the same set of names when the reference lists several."""
    if not got:
        return False
    got, want = _without_by(got), _without_by(want)
    if _tokens(got) == _tokens(want):
        return True

    def names(text: str) -> set[tuple[str, ...]]:
        return {t for t in (_tokens(part) for part in _NAME_SPLIT.split(text)) if t}

    reference = names(want)
    return len(reference) > 1 and names(got) == reference


def date_match(got: datetime | str | None, want: str) -> bool:
    """The same day as the reference (or the same month, for a month-precise one)."""
    if got is None:
        return False
    if isinstance(got, str):
        return got[: len(want[:10])] == want[:10]
    if len(want) < 10 or (got.hour, got.minute, got.second) == (0, 0, 0):
        return got.strftime("%Y-%m-%d")[: len(want[:10])] == want[:10]
    try:
        day = datetime.strptime(want[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return False
    # The reference day runs from 00:00 at UTC+14 to 24:00 at UTC-12.
    return day - timedelta(hours=14) <= got < day + timedelta(hours=36)


@dataclass(frozen=True, slots=True)
class Answer:
    """One system's metadata for one page, as the bench compares it."""

    title: str | None
    author: str | None
    date: datetime | str | None  # newsflow: an aware instant; trafilatura: "YYYY-MM-DD"


def _newsflow(html: str, url: str | None) -> tuple[Answer, float]:
    tree = load_html(html)
    if tree is None:
        return Answer(None, None, None), 0.0
    started = time.perf_counter()
    found = page_metadata(tree, url=url)
    elapsed = time.perf_counter() - started
    return Answer(found.title, found.author, found.published_at), elapsed


def _trafilatura(html: str, url: str | None) -> tuple[Answer, float]:
    tree = load_html(html)
    if tree is None:
        return Answer(None, None, None), 0.0
    started = time.perf_counter()
    document: Any = trafilatura.extract_metadata(tree, default_url=url)
    elapsed = time.perf_counter() - started
    fields = (getattr(document, name, None) for name in ("title", "author", "date"))
    return Answer(*fields), elapsed


SYSTEMS: dict[str, Callable[[str, str | None], tuple[Answer, float]]] = {
    "newsflow": _newsflow,
    "trafilatura": _trafilatura,
}


def references(case: Case, corpus: str) -> dict[str, str]:
    """The page's reference title, author and date, where it has them."""
    meta = case.metadata
    if corpus == "extraction-dev":
        raw = {
            "title": meta.get("title"),
            "author": meta.get("byline"),
            "date": meta.get("publishedTime"),
        }
    else:
        raw = {
            "title": meta.get("title"),
            "author": meta.get("author"),
            "date": meta.get("published"),
        }
    raw["utc_day"] = raw["date"]
    return {
        key: " ".join(value.split())
        for key, value in raw.items()
        if isinstance(value, str) and value.strip()
    }


MATCHERS: dict[str, Callable[[Any, str], bool]] = {
    "title": lambda answer, want: title_match(answer.title, want),
    "author": lambda answer, want: author_match(answer.author, want),
    "date": lambda answer, want: date_match(answer.date, want),
    # The stricter reading: the UTC day itself (trafilatura's figure is the same as "date").
    "utc_day": lambda answer, want: date_match(
        answer.date.strftime("%Y-%m-%d") if isinstance(answer.date, datetime) else answer.date,
        want,
    ),
}


@dataclass
class Tally:
    """Matches, pages with a reference and time, for one system on one page set."""

    hits: dict[str, int]
    pages: dict[str, int]
    times: list[float]

    def row(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name in FIELDS:
            out[name] = round(self.hits[name] / self.pages[name], 3) if self.pages[name] else 0.0
            out[f"{name}_pages"] = self.pages[name]
        out["ms_mean"] = round(statistics.fmean(self.times) * 1000, 2) if self.times else 0.0
        return out


def _groups(corpus: str, name: str) -> Iterator[str]:
    yield corpus
    if corpus == "extraction-wcxb":
        yield f"{corpus} half {half(name)}"


def run(
    corpora: Path, repeat: int, show: bool, only_half: str | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """Every system on every page; figures per page set and system.

    ``only_half``: read only that half of wcxb ("a" or "b"), so the other stays unseen.
    """
    tallies: dict[str, dict[str, Tally]] = {}
    for corpus in ("extraction-wcxb", "extraction-dev"):
        for case in cases(corpora, corpus):
            if only_half and corpus == "extraction-wcxb" and half(case.name) != only_half:
                continue
            want = references(case, corpus)
            # The address the page was fetched from, as ingestion knows it (wcxb records it).
            address = case.metadata.get("url")
            url = address if isinstance(address, str) else None
            for system, call in SYSTEMS.items():
                answer, elapsed = call(case.html, url)
                for _ in range(repeat - 1):
                    elapsed = min(elapsed, call(case.html, url)[1])
                for group in _groups(corpus, case.name):
                    tally = tallies.setdefault(group, {}).setdefault(
                        system, Tally(dict.fromkeys(FIELDS, 0), dict.fromkeys(FIELDS, 0), [])
                    )
                    tally.times.append(elapsed)
                    for field, value in want.items():
                        tally.pages[field] += 1
                        tally.hits[field] += MATCHERS[field](answer, value)
                if show and system == "newsflow":
                    for field, value in want.items():
                        if field == "utc_day":
                            continue
                        if not MATCHERS[field](answer, value):
                            got = getattr(answer, field)
                            where = "" if corpus == "extraction-dev" else f"/{half(case.name)}"
                            label = f"{case.name}{where}"
                            print(f"  {field:6s} {label:32s} got {got!r:60s} want {value!r}")
    return {group: {s: t.row() for s, t in systems.items()} for group, systems in tallies.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="timings per page (best kept)")
    parser.add_argument("--show", action="store_true", help="list newsflow's mismatches")
    parser.add_argument("--half", choices=("a", "b"), help="only this half of wcxb")
    args = parser.parse_args()
    corpora = Path(os.environ.get("NEWSFLOW_CORPORA", "../shared/corpora"))
    if not (corpora / "extraction-wcxb").is_dir() or not (corpora / "extraction-dev").is_dir():
        sys.exit(f"bench.metadata: extraction-wcxb and extraction-dev are needed under {corpora}")
    table = run(corpora, max(1, args.repeat), args.show, args.half)
    print(f"{'pages':28s} {'system':12s} {'title':>12s} {'author':>12s} {'date':>12s} {'mean':>8s}")
    for group in (
        "extraction-wcxb half a",
        "extraction-wcxb half b",
        "extraction-wcxb",
        "extraction-dev",
    ):
        for system, row in table.get(group, {}).items():
            cells = " ".join(f"{row[f]:5.3f} ({int(row[f + '_pages']):3d})" for f in FIELDS)
            print(f"{group:28s} {system:12s} {cells} {row['ms_mean']:6.2f}ms")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "metadata.json").write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.machine()} {os.cpu_count()} cpus, "
                f"Python {platform.python_version()}",
                "trafilatura": trafilatura.__version__,
                "repeat": args.repeat,
                "results": table,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
