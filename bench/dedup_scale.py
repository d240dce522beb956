"""Near-duplicate index at scale: cost per article and bytes per article as one database grows.

    .venv/bin/python -m bench.dedup_scale --sizes 100000 1000000
    .venv/bin/python -m bench.dedup_scale --database postgresql://... --sizes 100000

The database is filled in bulk up to each size (fingerprints computed in worker
processes, rows written in large transactions, the same tables and keys the storage
writes), then ``--sample`` new articles are placed the way ingestion places them, one
transaction each (``Repository.add_documents``). For those, every SQL statement is timed
through SQLAlchemy's cursor events and classed by the table it works on:

- **index**: the LSH band lookups, candidate signatures and the index writes
  (``lsh_bands``, ``signatures``): the work the scale target is about;
- **lines**: the per-site line counts (``site_lines``);
- **rows**: the article, story, hash claim and evidence rows;

plus the commit, and the whole placement (those, the fingerprint and the verification
in Python). Memory is this process's resident set before and after each sample (the
fill's own lists make the process grow; the sample shows what placing costs); size is bytes per
article by table (SQLite ``dbstat``, PostgreSQL ``pg_total_relation_size``).
Writes bench/results/dedup-scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, insert, select, text

from bench.dedup_corpus import Item, generate_scale
from extractors.combine import without_furniture
from extractors.fingerprints import content_hash
from extractors.neardup import band_keys, fingerprint, line_hashes
from storage.base import insert_for
from storage.batch import METHOD, Document
from storage.engine import open_database
from storage.models import Article, BandKey, ContentHash, Signature, SiteLine, Story
from storage.repository import Repository

RESULTS = Path(__file__).parent / "results"
#: Tables whose statements are the index work, the line counts; anything else is rows.
INDEX_TABLES = ("lsh_bands", "signatures")
LINE_TABLES = ("site_lines",)
FILL_CHUNK = 2000


def _marks(items: Sequence[tuple[str | None, str]]) -> list[tuple[bytes, list[int], list[int]]]:
    """Worker: fingerprint, band keys and line hashes of (title, text) pairs."""
    out = []
    for title, body in items:
        mark = fingerprint(title, without_furniture(body, ""))
        out.append((mark.to_bytes(), sorted(set(band_keys(mark))), sorted(set(line_hashes(body)))))
    return out


def _fill(engine: Engine, items: Sequence[Item], now: datetime, pool: ProcessPoolExecutor) -> None:
    """Write items as stored, indexed articles in one transaction (each its own story).

    Fill articles are fingerprinted without the site's boilerplate removed (a bulk
    write has no order to count lines in); their lines are counted all the same.
    """
    half = len(items) // 2
    parts = [items[:half], items[half:]]
    marks = [
        m
        for part in pool.map(_marks, [[(i.title, i.text) for i in p] for p in parts])
        for m in part
    ]
    with engine.begin() as connection:
        stories = connection.execute(
            insert(Story).returning(Story.id, sort_by_parameter_order=True),
            [{"created_at": now, "title": item.title} for item in items],
        ).scalars()
        rows = [
            {
                "canonical_url": item.url,
                "url": item.url,
                "title": item.title,
                "published_at": item.published_at,
                "fetched_at": now,
                "site_name": item.site,
                "text": item.text,
                "text_hash": content_hash(item.text),
                "story_id": story,
                "extractor": METHOD,
                "method": METHOD,
                "text_source": "page",
                "tags": "[]",
                "extracted_at": now,
            }
            for item, story in zip(items, stories, strict=True)
        ]
        ids = list(
            connection.execute(
                insert(Article).returning(Article.id, sort_by_parameter_order=True), rows
            ).scalars()
        )
        connection.execute(
            insert_for(connection, ContentHash).on_conflict_do_nothing(),
            [
                {"text_hash": r["text_hash"], "article_id": i}
                for r, i in zip(rows, ids, strict=True)
            ],
        )
        connection.execute(
            insert(Signature),
            [
                {"article_id": i, "site": item.site, "fingerprint": m[0], "created_at": now}
                for i, item, m in zip(ids, items, marks, strict=True)
            ],
        )
        bands = sorted(
            (key, i) for i, m in zip(ids, marks, strict=True) for key in m[1]
        )  # in key order: the B-tree is written front to back
        connection.execute(
            insert(BandKey), [{"band_key": key, "article_id": i} for key, i in bands]
        )
        counts: dict[tuple[str, int], int] = {}
        for item, m in zip(items, marks, strict=True):
            for line in m[2]:
                counts[item.site, line] = counts.get((item.site, line), 0) + 1
        stmt = insert_for(connection, SiteLine)
        connection.execute(
            stmt.on_conflict_do_update(
                index_elements=["site", "line_hash"],
                set_={"count": SiteLine.count + stmt.excluded.count, "seen_at": now},
            ),
            [
                {"site": site, "line_hash": line, "count": n, "seen_at": now}
                for (site, line), n in sorted(counts.items())
            ],
        )


class StatementClock:
    """Time spent in SQL per class of statement, from SQLAlchemy's cursor events."""

    def __init__(self, engine: Engine) -> None:
        self.totals: dict[str, float] = {"index": 0.0, "lines": 0.0, "rows": 0.0, "commit": 0.0}
        self._started: float = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._commit_started)
        self._commit_at: float | None = None

    def reset(self) -> None:
        for name in self.totals:
            self.totals[name] = 0.0

    def _before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        elapsed = time.perf_counter() - self._started
        lowered = statement.lower()
        if any(name in lowered for name in INDEX_TABLES):
            self.totals["index"] += elapsed
        elif any(name in lowered for name in LINE_TABLES):
            self.totals["lines"] += elapsed
        else:
            self.totals["rows"] += elapsed

    def _commit_started(self, *_args: Any) -> None:
        self._commit_at = time.perf_counter()

    def commit_finished(self) -> None:
        """Called after the transaction ends: the commit's own time."""
        if self._commit_at is not None:
            self.totals["commit"] += time.perf_counter() - self._commit_at
            self._commit_at = None


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _sizes(engine: Engine) -> dict[str, int]:
    """Bytes per table (with its indexes)."""
    tables = ("articles", "lsh_bands", "signatures", "site_lines", "content_hashes", "stories")
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return {
                t: int(connection.scalar(text(f"SELECT pg_total_relation_size('{t}')")) or 0)
                for t in tables
            }
        rows = connection.execute(
            text("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
        ).all()
        owner = {name: table for name, table in rows}
        sizes = dict.fromkeys(tables, 0)
        for name, size in connection.execute(
            text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
        ):
            table = owner.get(name, name)
            if table in sizes:
                sizes[table] += int(size)
        return sizes


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(share * (len(ordered) - 1))], 3)


def measure(
    repo: Repository, clock: StatementClock, items: Iterator[Item], sample: int
) -> dict[str, float]:
    """Place ``sample`` items one transaction each; per-article times by class, in ms."""
    series: dict[str, list[float]] = {k: [] for k in ("whole", "index", "lines", "rows", "commit")}
    for item in (next(items) for _ in range(sample)):
        document = Document(item.id, item.text, item.url, item.site, item.title, item.published_at)
        clock.reset()
        started = time.perf_counter()
        repo.add_documents([document], datetime.now(UTC))
        clock.commit_finished()
        series["whole"].append((time.perf_counter() - started) * 1000)
        for name in ("index", "lines", "rows", "commit"):
            series[name].append(clock.totals[name] * 1000)
    out: dict[str, float] = {}
    for name, values in series.items():
        out[f"{name}_p50_ms"] = round(statistics.median(values), 3)
        out[f"{name}_p99_ms"] = _pct(values, 0.99)
    return out


def run(database: str, sizes: Sequence[int], sample: int, seed: int) -> list[dict[str, Any]]:
    """Fill to each size, measure a sample there; one row per size."""
    engine = open_database(database)
    repo = Repository(engine)
    clock = StatementClock(engine)
    with engine.connect() as connection:
        stored = int(connection.scalar(select(func.count()).select_from(Article)) or 0)
    items = generate_scale(seed, max(sizes) + sample * len(sizes) + stored)
    for _ in range(stored):  # a database filled before: go on where it ended
        next(items)
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    with ProcessPoolExecutor(2) as pool:
        for size in sorted(sizes):
            started = time.monotonic()
            while stored < size - sample:
                chunk = [next(items) for _ in range(min(FILL_CHUNK, size - sample - stored))]
                _fill(engine, chunk, now, pool)
                stored += len(chunk)
            filled = time.monotonic() - started
            before = _rss_mb()
            result = measure(repo, clock, items, sample)
            stored += sample
            sizes_now = _sizes(engine)
            row = {
                "stored": stored,
                "database": engine.dialect.name,
                **result,
                "rss_before_sample_mb": round(before, 1),
                "rss_mb": round(_rss_mb(), 1),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "bytes_per_article": {t: round(b / stored) for t, b in sizes_now.items()},
                "fill_seconds": round(filled, 1),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite:///bench/results/dedup-scale.sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = run(args.database, args.sizes, args.sample, args.seed)
    RESULTS.mkdir(exist_ok=True)
    name = "dedup-scale-" + (
        "postgresql" if rows and rows[0]["database"] == "postgresql" else "sqlite"
    )
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"pid {os.getpid()} done")


if __name__ == "__main__":
    main()
