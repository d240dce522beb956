"""Rerun cost over many unchanged feeds: the second run fetches no article and parses no feed.

    .venv/bin/python -m bench.feeds --feeds 1000 --articles 2    # also run by make bench

Serves a sample news site of `--feeds` outlets (one feed each, no faults) from a child
process on 127.0.0.1, subscribes every outlet feed in a fresh SQLite file, and times the
real `ingest` flow twice: the first run (every feed parsed, every article fetched), then
a rerun with `force=True` (every feed fetched again, conditionally). The site's process
counts the requests it answered in each run, by kind, and hands them back over a pipe.
Exits 1 if a rerun fetched an article page, parsed a feed or got anything but 304 or an
unchanged body. Prints a table and writes bench/results/feeds.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flows.samplesite import RequestRecord, SampleSite, SiteServer, build_site

if TYPE_CHECKING:  # the site's process imports this module: keep it light
    from flows.summary import IngestSummary

RESULTS = Path(__file__).parent / "results"
SEED = 1

#: Request kinds: an outlet or aggregator feed, an article page, robots.txt, anything else.
KINDS = ("feed", "article", "robots", "other")


def tally(site: SampleSite, records: Iterable[RequestRecord]) -> dict[str, dict[int, int]]:
    """Requests answered, by kind and then by status (the query never matters)."""
    feed_paths = {feed.path for feed in site.feeds}
    counts: dict[str, Counter[int]] = {kind: Counter() for kind in KINDS}
    for record in records:
        path = urlsplit(record.path).path or "/"
        if path in site.pages:
            kind = "article"
        elif path in feed_paths:
            kind = "feed"
        else:
            kind = "robots" if path == "/robots.txt" else "other"
        counts[kind][record.status] += 1
    return {kind: dict(sorted(by_status.items())) for kind, by_status in counts.items()}


def serve_site(conn: Connection, outlets: int, articles: int) -> None:
    """Child process: serve the site, answer "counts" (then forget them) until "stop"."""
    site = build_site(outlets=outlets, articles_per_outlet=articles, seed=SEED, faults=False)
    with SiteServer(site, host="127.0.0.1", port=0) as server:
        conn.send(server.base_url)
        while (command := conn.recv()) != "stop":
            if command != "counts":
                raise ValueError(f"serve: unknown command {command!r}")
            records = server.requests
            server.clear_requests()
            conn.send(tally(site, records))


class SiteProcess:
    """The sample site in a spawned child process, driven over a pipe."""

    def __init__(self, outlets: int, articles: int) -> None:
        # spawn, not fork: the child starts clean, without this process's threads or state.
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=serve_site, args=(child_conn, outlets, articles), daemon=True
        )
        self.base_url = ""

    def __enter__(self) -> SiteProcess:
        self._process.start()
        if not self._conn.poll(120):
            self._process.kill()
            raise RuntimeError("serve: the sample site did not start within 120 s")
        self.base_url = self._conn.recv()
        return self

    def counts(self) -> dict[str, dict[int, int]]:
        """Requests answered since the last call, by kind and status."""
        self._conn.send("counts")
        result: dict[str, dict[int, int]] = self._conn.recv()
        return result

    def __exit__(self, *exc: object) -> None:
        if self._process.is_alive():
            self._conn.send("stop")
        self._process.join(30)
        if self._process.is_alive():
            self._process.kill()


def total(by_status: dict[int, int]) -> int:
    """Requests of one kind, whatever their status."""
    return sum(by_status.values())


def problems(feeds: int, rerun: IngestSummary, served: dict[str, dict[int, int]]) -> list[str]:
    """Why a rerun does not prove "nothing fetched but the feeds, nothing parsed"."""
    found = []
    if total(served["article"]):
        found.append(f"the rerun made {total(served['article'])} article requests")
    if rerun.feeds_parsed:
        found.append(f"the rerun parsed {rerun.feeds_parsed} feeds")
    if rerun.feeds_not_modified + rerun.feeds_unchanged != feeds:
        found.append(
            f"{rerun.feeds_not_modified} feeds answered 304 and {rerun.feeds_unchanged} "
            f"were unchanged, of {feeds}"
        )
    if total(served["feed"]) != feeds:
        found.append(f"the rerun made {total(served['feed'])} feed requests for {feeds} feeds")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000, help="outlets, one feed each")
    parser.add_argument("--articles", type=int, default=2, help="articles per feed")
    parser.add_argument("--repeats", type=int, default=3, help="first run + rerun pairs (median)")
    args = parser.parse_args()
    if args.feeds < 3 or args.articles < 1 or args.repeats < 1:
        parser.error("--feeds must be at least 3, --articles and --repeats at least 1")

    os.environ["NEWSFLOW_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    os.environ["NEWSFLOW_MAX_ARTICLES_PER_RUN"] = "100000"
    # Every feed is on one host here: no per-host request rate, eight requests in flight.
    os.environ["NEWSFLOW_HOST_RATE"] = "0"
    os.environ["NEWSFLOW_PER_HOST_CONCURRENCY"] = "8"
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    from prefect.testing.utilities import prefect_test_harness

    from extractors.opml import Subscription
    from flows.ingest import ingest
    from flows.pipeline import repository
    from flows.settings import Settings

    site = build_site(args.feeds, args.articles, seed=SEED, faults=False)
    firsts: list[float] = []
    reruns: list[float] = []
    rerun_bodies: list[float] = []  # the flow body alone, as the run's summary times it
    first_served: list[dict[str, dict[int, int]]] = []
    rerun_served: list[dict[str, dict[int, int]]] = []
    failures: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="newsflow-bench-feeds-") as workdir,
        SiteProcess(args.feeds, args.articles) as server,
    ):
        # The outlets' feeds only: the aggregator feed repeats their links.
        feed_urls = [server.base_url + outlet.feed_path for outlet in site.outlets]
        with prefect_test_harness(server_startup_timeout=120):
            for repeat in range(args.repeats):
                # A fresh database each time: every first run fetches the whole site.
                url = f"sqlite:///{Path(workdir) / f'feeds-{repeat}.sqlite'}"
                os.environ["NEWSFLOW_DATABASE_URL"] = url
                repository(Settings()).add_feeds(
                    [Subscription(u) for u in feed_urls], datetime.now(UTC)
                )
                server.counts()  # forget the requests of earlier repeats
                started = time.perf_counter()
                first = ingest()
                firsts.append(time.perf_counter() - started)
                first_served.append(server.counts())
                started = time.perf_counter()
                rerun = ingest(force=True)
                reruns.append(time.perf_counter() - started)
                rerun_bodies.append(rerun.seconds)
                rerun_served.append(server.counts())
                if first.feeds_parsed != args.feeds or first.failures:
                    failures.append(
                        f"repeat {repeat}: the first run parsed {first.feeds_parsed} of "
                        f"{args.feeds} feeds, with {first.failures} failures"
                    )
                failures += [
                    f"repeat {repeat}: {p}" for p in problems(args.feeds, rerun, rerun_served[-1])
                ]

    first_seconds = statistics.median(firsts)
    rerun_seconds = statistics.median(reruns)
    served = rerun_served[-1]
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "feeds": args.feeds,
        "articles_on_site": len(site.articles()),
        "articles_stored": first.articles_stored + first.duplicates_same_text,
        "repeats": len(firsts),
        "first_run_seconds_median": round(first_seconds, 2),
        "first_run_seconds_min_max": [round(min(firsts), 2), round(max(firsts), 2)],
        "first_run_seconds_cold": round(firsts[0], 2),
        "first_run_feed_requests": total(first_served[-1]["feed"]),
        "first_run_article_requests": total(first_served[-1]["article"]),
        "first_run_robots_requests": total(first_served[-1]["robots"]),
        "rerun_seconds_median": round(rerun_seconds, 2),
        "rerun_seconds_min_max": [round(min(reruns), 2), round(max(reruns), 2)],
        "rerun_over_first": round(rerun_seconds / first_seconds, 3),
        # The rest of a rerun is the fixed cost of a Prefect flow run (creating the run,
        # its tasks and the summary artifact).
        "rerun_flow_body_seconds_median": round(statistics.median(rerun_bodies), 2),
        "rerun_feeds_not_modified": rerun.feeds_not_modified,
        "rerun_feeds_unchanged": rerun.feeds_unchanged,
        "rerun_feeds_parsed": rerun.feeds_parsed,
        "rerun_feed_requests": total(served["feed"]),
        "rerun_feed_statuses": {str(k): v for k, v in served["feed"].items()},
        # Across every repeat: the claim is that no rerun fetches a page.
        "rerun_article_requests": sum(total(s["article"]) for s in rerun_served),
        "rerun_robots_requests": total(served["robots"]),
        "rerun_other_requests": total(served["other"]),
        "rerun_nothing_new": rerun.nothing_new,
        "failures": failures,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "feeds.json").write_text(json.dumps(result, indent=2) + "\n")
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
