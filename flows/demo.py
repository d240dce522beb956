"""`newsflow demo` (what `make run` calls): the sample news site, ingested once."""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime

import typer

from extractors.opml import Subscription
from flows.samplesite import SiteServer, build_site
from flows.settings import Settings


class DemoError(Exception):
    """The demo could not start."""


def run_demo(*, port: int, outlets: int, articles: int) -> None:
    """Serve the sample site on 127.0.0.1:port, subscribe to its feeds, ingest them."""
    # The sample site lives on loopback, which newsflow refuses by default.
    os.environ.setdefault("NEWSFLOW_ALLOWED_NETWORKS", "127.0.0.1/32")
    # Every outlet of the sample site is one domain (127.0.0.1): the default budget of
    # 2 requests a second per domain is for other people's servers, not our own.
    os.environ.setdefault("NEWSFLOW_HOST_RATE", "50")
    settings = Settings()
    site = build_site(outlets=outlets, articles_per_outlet=articles, seed=0)
    try:
        server = SiteServer(site, host="127.0.0.1", port=port, slow_seconds=1.0)
        server.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise typer.Exit(
                _error(f"demo: port {port} is busy; pass another with --port")
            ) from None
        raise
    try:
        from flows.ingest import ingest
        from flows.pipeline import repository

        typer.echo(f"sample news site: {server.base_url}/ ({len(server.feed_urls)} feeds)")
        added = repository(settings).add_feeds(
            [Subscription(url=url) for url in server.feed_urls], datetime.now(UTC)
        )
        if added:
            typer.echo(f"subscribed to {len(added)} feeds")
        # force: a rerun fetches every feed again, to show conditional GET and that
        # nothing is stored twice.
        summary = ingest(feeds=server.feed_urls, force=True)
    finally:
        server.stop()
    typer.echo("")
    for line in summary.lines():
        typer.echo(line)
    typer.echo("")
    typer.echo("next: `newsflow feeds list`, `newsflow export --since 1h`, or run `make run` again")


def _error(message: str) -> int:
    typer.echo(f"error: {message}", err=True)
    return 1
