"""`newsflow dedup` and `newsflow stories`: stories from the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from extractors.dates import parse_date
from flows.cli import UsageError, _now, _repo, app, friendly, parse_since
from flows.settings import Settings

stories_app = typer.Typer(help="Stories: every copy of a news story, with the evidence.")
app.add_typer(stories_app, name="stories")

#: Documents stored per transaction in batch mode.
BATCH = 200


def read_documents(lines: TextIO) -> Iterator[Any]:
    """JSON lines ``{id, url, site, title, text, published_at}`` as documents, in order."""
    from storage.batch import Document

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            doc_id = str(item["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"dedup: line {number}: needs JSON with id and text ({exc})") from None
        if not isinstance(text, str):
            raise UsageError(f"dedup: line {number}: text is not a string")
        yield Document(
            id=doc_id,
            text=text,
            url=item.get("url") or None,
            site=item.get("site") or None,
            title=item.get("title") or None,
            published_at=parse_date(item.get("published_at")),
        )


def _input_id(url: str, known: dict[int, str], article_id: int) -> str:
    from storage.batch import URN

    if article_id in known:
        return known[article_id]
    return url.removeprefix(URN)


@app.command()
@friendly
def dedup(
    source: Annotated[
        Path, typer.Argument(help="JSON lines: id, url, site, title, text, published_at.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write results here instead of stdout.")
    ] = None,
) -> None:
    """Place each document in a story, through the same index as ingested articles."""
    repo = _repo(Settings())
    known: dict[int, str] = {}
    count = 0
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        with source.open(encoding="utf-8") as lines:
            batch: list[Any] = []
            for document in read_documents(lines):
                batch.append(document)
                if len(batch) >= BATCH:
                    count += _write(repo, batch, known, sink)
                    batch = []
            count += _write(repo, batch, known, sink)
    finally:
        if out:
            sink.close()
    if out:
        typer.echo(f"{count} documents placed in stories; results in {out}", err=True)


def _write(repo: Any, batch: list[Any], known: dict[int, str], sink: TextIO) -> int:
    if not batch:
        return 0
    placed = repo.add_documents(batch, _now())
    matched = {p.duplicate_of for p in placed if p.duplicate_of is not None} - set(known)
    urls = repo.article_urls(sorted(matched)) if matched else {}
    for document, where in zip(batch, placed, strict=True):
        known[where.article_id] = document.id
        twin = where.duplicate_of
        record = {
            "id": document.id,
            "story_id": where.story_id,
            "duplicate_of": None if twin is None else _input_id(urls.get(twin, ""), known, twin),
            "similarity": where.similarity,
        }
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(batch)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}Z" if value else "-"


@stories_app.command("list")
@friendly
def stories_list(
    since: Annotated[
        str | None, typer.Option(help="Stories that grew since: 1d, 2026-11-20.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    min_articles: Annotated[int, typer.Option(help="Only stories with this many articles.")] = 1,
) -> None:
    """Stories, latest first: id, articles, sites, last growth, title."""
    start = parse_since(since, _now()) if since else None
    for line in _repo(Settings()).list_stories(since=start, limit=limit, min_articles=min_articles):
        typer.echo(
            f"{line.id:>8}  {line.articles:>4} articles  {line.sites:>3} sites  "
            f"{_when(line.latest_at)}  {line.title or '(untitled)'}"
        )


@stories_app.command("show")
@friendly
def stories_show(story_id: Annotated[int, typer.Argument(help="A story's id.")]) -> None:
    """A story's articles in order, each with the match that put it there."""
    detail = _repo(Settings()).story(story_id)
    if detail is None:
        raise UsageError(f"no story {story_id}")
    typer.echo(
        f"story {detail.id}: {detail.title or '(untitled)'} ({len(detail.articles)} articles)"
    )
    for article in detail.articles:
        why = (
            f"{article.kind} of {article.matched_id}, similarity {article.similarity:.2f}"
            if article.matched_id is not None and article.similarity is not None
            else "first in the story"
        )
        typer.echo(
            f"  {article.id:>8}  {_when(article.published_at or article.fetched_at)}  "
            f"{article.site or '-'}  {article.title or '(untitled)'}\n"
            f"            {article.url}\n            {why}"
        )
