"""Pipeline throughput against a bare trafilatura loop over the same pages, in one run.

    make bench            # or: .venv/bin/python -m bench.pipeline --outlets 10 --articles 60

Serves the sample news site from a separate process on 127.0.0.1 (a site is never
inside the ingesting process), ingests it into a fresh SQLite file with the real flow
(the Prefect API is started before timing), reruns it (nothing new), then times bare
loops over the same page bodies in this process: `trafilatura.extract` alone, and
`trafilatura.bare_extraction` with metadata (the extraction work the pipeline does).
Prints a table and writes bench/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import trafilatura

RESULTS = Path(__file__).parent / "results"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def median_time(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _wipe(url: str) -> None:
    """An empty PostgreSQL database for the next run (its engine is made afresh)."""
    from sqlalchemy import text

    from flows.resources import forget_engine
    from storage.engine import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    forget_engine(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--articles", type=int, default=60, help="articles per outlet")
    parser.add_argument("--repeats", type=int, default=5, help="pipeline runs (median)")
    parser.add_argument("--bare-repeats", type=int, default=3)
    parser.add_argument(
        "--database",
        help="a PostgreSQL URL to ingest into (its public schema is dropped before each "
        "run); default: a fresh SQLite file per run",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    os.environ["NEWSFLOW_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    os.environ["NEWSFLOW_MAX_ARTICLES_PER_RUN"] = "100000"
    # The sample site is one domain (127.0.0.1): measure the pipeline, not the politeness.
    os.environ["NEWSFLOW_HOST_RATE"] = "0"
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    from prefect.testing.utilities import prefect_test_harness

    from extractors.opml import Subscription
    from flows.ingest import ingest
    from flows.pipeline import repository
    from flows.samplesite import build_site
    from flows.settings import Settings

    site = build_site(outlets=args.outlets, articles_per_outlet=args.articles, seed=1, faults=False)
    pages = site.articles()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.samplesite",
            "--port",
            str(port),
            "--seed",
            "1",
            "--outlets",
            str(args.outlets),
            "--articles",
            str(args.articles),
            "--no-faults",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(base_url + "/robots.txt")
        feed_urls = [base_url + feed.path for feed in site.feeds]
        firsts: list[float] = []
        reruns: list[float] = []
        with prefect_test_harness(server_startup_timeout=120):
            for repeat in range(args.repeats):
                # A fresh database each time: every run stores the whole site.
                url = args.database or f"sqlite:///{workdir / f'bench-{repeat}.sqlite'}"
                if args.database:
                    _wipe(url)
                os.environ["NEWSFLOW_DATABASE_URL"] = url
                repository(Settings()).add_feeds(
                    [Subscription(u) for u in feed_urls], datetime.now(UTC)
                )
                started = time.perf_counter()
                first = ingest()
                firsts.append(time.perf_counter() - started)
                started = time.perf_counter()
                second = ingest(force=True)
                reruns.append(time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(30)
    texts = [site.render_page(p.path, base_url).decode("utf-8") for p in pages]
    bare_seconds = median_time(
        lambda: [trafilatura.extract(t, include_comments=False) for t in texts], args.bare_repeats
    )
    bare_meta_seconds = median_time(
        lambda: [
            trafilatura.bare_extraction(t, with_metadata=True, include_comments=False)
            for t in texts
        ],
        args.bare_repeats,
    )

    stored = first.articles_stored + first.duplicates_same_text
    first_seconds = statistics.median(firsts)
    rerun_seconds = statistics.median(reruns)
    pipeline_rate = stored / first_seconds
    bare_rate = len(texts) / bare_seconds
    bare_meta_rate = len(texts) / bare_meta_seconds
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "database": "postgresql" if args.database else "sqlite",
        "articles_on_site": len(pages),
        "articles_stored": stored,
        "pipeline_runs": len(firsts),
        "pipeline_seconds_median": round(first_seconds, 2),
        "pipeline_seconds_min_max": [round(min(firsts), 2), round(max(firsts), 2)],
        # The first run also starts the extraction processes; later runs reuse them,
        # as the runs of one `newsflow serve` process do.
        "pipeline_seconds_cold_first_run": round(firsts[0], 2),
        "pipeline_articles_per_second": round(pipeline_rate, 1),
        "bare_trafilatura_seconds": round(bare_seconds, 2),
        "bare_trafilatura_articles_per_second": round(bare_rate, 1),
        "pipeline_over_bare": round(pipeline_rate / bare_rate, 2),
        "bare_with_metadata_seconds": round(bare_meta_seconds, 2),
        "pipeline_over_bare_with_metadata": round(pipeline_rate / bare_meta_rate, 2),
        "rerun_seconds_median": round(rerun_seconds, 2),
        "rerun_seconds_min_max": [round(min(reruns), 2), round(max(reruns), 2)],
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
