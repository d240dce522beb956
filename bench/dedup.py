"""Near-duplicate stories: quality on a labelled corpus, and cost per article, in one run.

    .venv/bin/python -m bench.dedup [--seed 1] [--stories 300]

Generates the labelled corpus (bench/dedup_corpus.py: wire originals, syndicated copies
with edits, boilerplate-heavy outlets, lede-only and truncated copies, and hard
negatives), feeds it in time order, one batch per ingest run, through the same storage
path as ingestion (Repository.add_documents) into a fresh SQLite file, and scores the
stories it made (bench/dedup_eval.py). Writes bench/results/dedup.json. Cost at 100k and
1M stored articles: bench/dedup_scale.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from bench.dedup_corpus import generate
from bench.dedup_eval import evaluate
from storage.batch import Document
from storage.engine import open_database
from storage.repository import Repository
from storage.stories import StoryOptions

RESULTS = Path(__file__).parent / "results"


def run(seed: int, stories: int, options: StoryOptions | None = None) -> dict[str, object]:
    """Place the corpus run by run; score the stories and time the placement."""
    items = generate(seed, stories=stories)
    with tempfile.TemporaryDirectory() as folder:
        repo = Repository(
            open_database(f"sqlite:///{folder}/dedup.sqlite"), stories=options or StoryOptions()
        )
        predicted: dict[str, str] = {}
        per_article: list[float] = []
        for _, batch in groupby(items, key=lambda item: item.run):
            for item in batch:
                document = Document(
                    item.id, item.text, item.url, item.site, item.title, item.published_at
                )
                started = time.perf_counter()
                (placed,) = repo.add_documents([document], datetime.now(UTC))
                per_article.append((time.perf_counter() - started) * 1000)
                predicted[item.id] = str(placed.story_id)
        repo.engine.dispose()
    report = evaluate(items, predicted)
    ordered = sorted(per_article)
    return {
        "items": len(items),
        "report": report,
        "ms_per_article_p50": round(statistics.median(ordered), 3),
        "ms_per_article_p99": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stories", type=int, default=300)
    args = parser.parse_args()
    result = run(args.seed, args.stories)
    report = result.pop("report")
    print(f"{result['items']} items, seed {args.seed}")
    print(report.table())  # type: ignore[attr-defined]
    print(
        f"placing one article (store, index, verify), SQLite: "
        f"p50 {result['ms_per_article_p50']} ms, p99 {result['ms_per_article_p99']} ms"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dedup.json").write_text(
        json.dumps({"seed": args.seed, **result, "table": report.table()}, indent=2) + "\n"  # type: ignore[attr-defined]
    )


if __name__ == "__main__":
    main()
