"""The `newsflow` command line (also `python -m flows`).

Every failure the user can cause (a bad URL or OPML file, an unreachable database,
an unknown feed) ends with one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from extractors.errors import NewsflowError
from flows.settings import Settings, parse_duration
from storage.engine import DatabaseUnavailable

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="newsflow",
    help="Keep a database of news articles current from RSS/Atom feeds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
feeds_app = typer.Typer(help="Manage subscribed feeds.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


class UsageError(Exception):
    """Bad input on the command line."""


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a user can cause into one line and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (NewsflowError, DatabaseUnavailable, UsageError) as exc:
            raise fail(str(exc)) from None
        except OperationalError as exc:
            raise fail(f"database: {exc.orig}") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise fail(f"setting NEWSFLOW_{where.upper()}: {first['msg']}") from None
        except OSError as exc:
            raise fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None

    return wrapper


def _repo(settings: Settings) -> Any:
    from flows.pipeline import repository

    return repository(settings)


def _now() -> datetime:
    return datetime.now(UTC)


def parse_since(value: str, now: datetime) -> datetime:
    """An ISO date or datetime (UTC unless it says otherwise), or a duration back from now."""
    try:
        return now - parse_duration(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {value!r}: use an ISO date or time (2026-11-20, 2026-11-20T08:00Z) "
            "or a duration back from now (24h, 7d)"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@feeds_app.command("add")
@friendly
def feeds_add(
    urls: Annotated[list[str], typer.Argument(help="Feed URLs, or web pages that link to feeds.")],
    discover: Annotated[
        bool,
        typer.Option(
            "--discover/--no-discover",
            help="Fetch each URL: a web page's feeds are found through its "
            '<link rel="alternate"> tags, or at common paths (/feed, /rss.xml...).',
        ),
    ] = True,
) -> None:
    """Subscribe to feeds (a site's home page will do: its feeds are found)."""
    from extractors.opml import Subscription
    from extractors.urls import check_url

    settings = Settings()
    repo = _repo(settings)
    checked = [check_url(url) for url in urls]
    subscriptions: list[Subscription] = []
    not_found: list[str] = []
    if not discover:
        subscriptions = [Subscription(url=url) for url in checked]
    for url in checked if discover else []:
        found = _discover(settings, repo, url)
        if not found.feeds:
            not_found.append(f"no feed found at {url}: {found.detail}")
            continue
        if found.how != "feed":
            how = "links to" if found.how == "link" else "has, at a common path,"
            typer.echo(f"{url} is a web page; it {how} {len(found.feeds)} feed(s)")
        subscriptions += [Subscription(url=f.url, title=f.title) for f in found.feeds]
    added = repo.add_feeds(subscriptions, _now()) if subscriptions else []
    for sub in subscriptions:
        typer.echo(f"{'added' if sub.url in added else 'already subscribed'}: {sub.url}")
    if not_found:
        raise UsageError("; ".join(not_found))


def _discover(settings: Settings, repo: Any, url: str) -> Any:
    import asyncio

    from flows.discovery import discover
    from flows.pipeline import fetcher_for

    async def run() -> Any:
        async with fetcher_for(settings, repo) as fetcher:
            return await discover(fetcher, url)

    return asyncio.run(run())


@feeds_app.command("import")
@friendly
def feeds_import(path: Annotated[Path, typer.Argument(help="An OPML file.")]) -> None:
    """Subscribe to every feed listed in an OPML file."""
    from extractors.opml import parse_opml

    subscriptions = parse_opml(path.read_bytes())
    added = _repo(Settings()).add_feeds(subscriptions, _now())
    typer.echo(
        f"{len(added)} feeds added, {len(subscriptions) - len(added)} already subscribed "
        f"(from {path})"
    )


@feeds_app.command("export")
@friendly
def feeds_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Write every subscribed feed as OPML."""
    from extractors.opml import Subscription, render_opml

    feeds = _repo(Settings()).list_feeds()
    document = render_opml(Subscription(f.url, f.title, f.site_url) for f in feeds)
    if output is None:
        sys.stdout.buffer.write(document)
    else:
        output.write_bytes(document)
        typer.echo(f"{len(feeds)} feeds written to {output}", err=True)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@feeds_app.command("list")
@friendly
def feeds_list() -> None:
    """Show every feed: health and why, articles, next fetch and why then."""
    from rich.console import Console
    from rich.table import Table

    feeds = _repo(Settings()).list_feeds()
    if not feeds:
        typer.echo(
            "no feeds yet: add some with `newsflow feeds add URL` or `newsflow feeds import FILE`"
        )
        return
    table = Table(box=None, pad_edge=False)
    for column in ("feed", "status", "why", "articles", "pending", "next fetch", "because"):
        table.add_column(column, overflow="fold")
    for f in feeds:
        table.add_row(
            f.url,
            f.status,
            f.status_reason or "",
            str(f.articles),
            str(f.pending),
            _when(f.next_fetch_at),
            f.schedule_reason or "",
        )
    Console(width=200).print(table)


@feeds_app.command("show")
@friendly
def feeds_show(url: Annotated[str, typer.Argument(help="A subscribed feed's URL.")]) -> None:
    """Everything newsflow knows about one feed's polling."""
    from extractors.schedule import format_interval

    info = _repo(Settings()).feed_by_url(url)
    if info is None:
        raise UsageError(f"not subscribed: {url} (see `newsflow feeds list`)")
    rhythm = (
        f"about one post every {format_interval(timedelta(seconds=info.publish_interval))}"
        if info.publish_interval
        else "unknown"
    )
    fetches = info.fetch_count
    rows = [
        ("feed", info.url),
        ("title", info.title or "-"),
        ("site", info.site_url or "-"),
        ("status", f"{info.status}: {info.status_reason or '-'}"),
        ("moved from", info.moved_from or "-"),
        ("added", _when(info.added_at)),
        ("last fetch", _when(info.last_fetched_at)),
        ("last success", _when(info.last_success_at)),
        ("next fetch", f"{_when(info.next_fetch_at)} ({info.schedule_reason or '-'})"),
        ("rhythm", rhythm),
        ("errors in a row", f"{info.error_count} (since {_when(info.failing_since)})"),
        ("last error", info.last_error or "-"),
        (
            "fetches",
            f"{fetches}: {info.not_modified_count} not modified (304), "
            f"{info.unchanged_count} unchanged, {info.bytes_saved:,} bytes saved",
        ),
        ("articles", f"{info.articles} stored, {info.pending} pages waiting"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        typer.echo(f"{name:<{width}}  {value}")


@app.command()
@friendly
def ingest(
    feed: Annotated[
        list[str] | None, typer.Option("--feed", help="Only this subscribed feed (repeatable).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch even feeds that are not due.")
    ] = False,
) -> None:
    """Run the ingest flow now: all due feeds, or the named ones."""
    settings = Settings()
    # Checked here too, so a mistyped URL fails before Prefect's API is started.
    unknown = _repo(settings).unknown_feeds(feed) if feed else []
    if unknown:
        raise UsageError(
            f"not subscribed: {', '.join(unknown)} (add it with `newsflow feeds add URL`)"
        )
    from flows.ingest import ingest as ingest_flow

    summary = ingest_flow(feeds=feed or None, force=force)
    for line in summary.lines():
        typer.echo(line)


@app.command()
@friendly
def reextract(
    since: Annotated[
        str | None,
        typer.Option(help="Only pages fetched since: 2026-11-01, 2026-11-20T08:00Z, 7d."),
    ] = None,
    feed: Annotated[
        str | None, typer.Option("--feed", help="Only articles this subscribed feed led to.")
    ] = None,
) -> None:
    """Extract archived article pages again with the current extractor, and update them."""
    settings = Settings()
    start = parse_since(since, _now()) if since else None
    # Checked here too, so a mistyped URL fails before Prefect's API is started.
    if feed and _repo(settings).unknown_feeds([feed]):
        raise UsageError(f"not subscribed: {feed} (see `newsflow feeds list`)")
    from flows.reextract import reextract as reextract_flow

    summary = reextract_flow(since=start, feed=feed)
    typer.echo(summary.headline())


@app.command()
@friendly
def server(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 for the API and the UI.")] = 4200,
) -> None:
    """Run a local Prefect server (API and UI) on 127.0.0.1 until Ctrl-C."""
    from flows.serve import run_server

    run_server(port=port, settings=Settings())


@app.command()
@friendly
def serve(
    interval: Annotated[
        str | None, typer.Option(help="Run every so often: 90s, 15m, 2h, 1d.")
    ] = None,
    cron: Annotated[
        str | None, typer.Option(help="Run on a cron schedule, e.g. '*/15 * * * *'.")
    ] = None,
    port: Annotated[
        int,
        typer.Option(
            help="Port of the local Prefect server started when PREFECT_API_URL is unset."
        ),
    ] = 4200,
) -> None:
    """Serve ingest on a schedule (default every 15 minutes), maintenance daily, reextract."""
    from flows.serve import serve_deployments

    if interval and cron:
        raise UsageError("give --interval or --cron, not both")
    try:
        every = parse_duration(interval) if interval else None
    except ValueError as exc:
        raise UsageError(f"--interval: {exc}") from None
    settings = Settings()
    if every is None and cron is None:
        every = settings.feed_interval
    serve_deployments(interval=every, cron=cron, port=port, settings=settings)


@app.command()
@friendly
def export(
    since: Annotated[
        str | None, typer.Option(help="Only articles fetched since: 2026-11-20, 24h, 7d.")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="Output format.")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Write articles as JSON Lines, one object per article (fields in README.md)."""
    from flows.resources import engine_for
    from storage.export import iter_articles

    if format != "jsonl":
        raise UsageError(f"--format {format!r}: only jsonl is supported")
    start = parse_since(since, _now()) if since else None
    engine = engine_for(Settings().database_url)
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        count = 0
        for record in iter_articles(engine, since=start):
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if output:
            stream.close()
    if output:
        typer.echo(f"{count} articles written to {output}", err=True)


@app.command()
@friendly
def demo(
    port: Annotated[int, typer.Option(help="Port of the sample news site on 127.0.0.1.")] = 8765,
    outlets: Annotated[int, typer.Option(help="Outlets on the sample site.")] = 5,
    articles: Annotated[int, typer.Option(help="Articles per outlet.")] = 8,
) -> None:
    """Start the bundled sample news site and ingest it once (what `make run` does)."""
    from flows.demo import run_demo

    run_demo(port=port, outlets=outlets, articles=articles)


def main() -> None:
    # A self-hosted pipeline does not report usage to anyone unless told to.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    app()


# `dedup` and `stories` live in their own module, which adds them to `app` on import.
from flows import cli_maintenance as _cli_maintenance  # noqa: E402, F401
from flows import cli_stories as _cli_stories  # noqa: E402, F401
