"""Pipeline throughput against a bare trafilatura loop over the same pages, in one run.

    make bench            # or: .venv/bin/python -m bench.pipeline --outlets 10 --articles 60

Serves the sample news site on 127.0.0.1, ingests it into a fresh SQLite file with
the real flow (Prefect API started before timing), then reruns it (nothing new), then
times `trafilatura.extract` alone over the same page bodies in this process. Prints a
table and writes bench/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--articles", type=int, default=60, help="articles per outlet")
    parser.add_argument("--bare-repeats", type=int, default=1)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    os.environ["NEWSFLOW_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite'}"
    os.environ["NEWSFLOW_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    os.environ["NEWSFLOW_MAX_ARTICLES_PER_RUN"] = "100000"
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    from prefect.testing.utilities import prefect_test_harness

    from extractors.opml import Subscription
    from flows.ingest import ingest
    from flows.pipeline import repository
    from flows.samplesite import SiteServer, build_site
    from flows.settings import Settings

    site = build_site(outlets=args.outlets, articles_per_outlet=args.articles, seed=1, faults=False)
    pages = site.articles()
    with prefect_test_harness(server_startup_timeout=120), SiteServer(site, port=0) as server:
        repository(Settings()).add_feeds(
            [Subscription(u) for u in server.feed_urls], datetime.now(UTC)
        )
        started = time.perf_counter()
        first = ingest()
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = ingest(force=True)
        rerun_seconds = time.perf_counter() - started
        bodies = [site.render_page(p.path, server.base_url) for p in pages]

    bare_times: list[float] = []
    for _ in range(args.bare_repeats):
        started = time.perf_counter()
        for body in bodies:
            trafilatura.extract(body.decode("utf-8"), include_comments=False)
        bare_times.append(time.perf_counter() - started)
    bare_seconds = statistics.median(bare_times)

    stored = first.articles_stored + first.duplicates_same_text
    pipeline_rate = stored / first_seconds
    bare_rate = len(bodies) / bare_seconds
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "articles_on_site": len(pages),
        "articles_stored": stored,
        "pipeline_seconds": round(first_seconds, 2),
        "pipeline_articles_per_second": round(pipeline_rate, 1),
        "bare_trafilatura_seconds": round(bare_seconds, 2),
        "bare_trafilatura_articles_per_second": round(bare_rate, 1),
        "pipeline_over_bare": round(pipeline_rate / bare_rate, 2),
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_over_first": round(rerun_seconds / first_seconds, 3),
        "rerun_feeds_not_modified": second.feeds_not_modified,
        "rerun_nothing_new": second.nothing_new,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(result, indent=2) + "\n")
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
