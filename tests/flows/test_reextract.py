"""The reextract flow on a real ingest of the sample site: articles rebuilt from their
archived pages, story links and rows untouched, a second run a no-op."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from extractors.opml import Subscription
from flows.cli import app
from flows.ingest import UnknownFeedError, ingest
from flows.pipeline import repository
from flows.reextract import ReextractSummary, reextract, reextract_pages
from flows.resources import engine_for
from flows.samplesite import SiteServer
from flows.settings import Settings
from storage.models import Article, ContentHash, Entry, Page, Story

pytestmark = pytest.mark.usefixtures("prefect_api")

VIDEO = (
    b"<html><head><title>Harbour video</title>"
    b'<meta property="og:type" content="video.other"></head><body>'
    b"<h1>Watch: the harbour board votes</h1><video src='/v.mp4' controls></video>"
    b"<p>The harbour board met on Tuesday to vote on new berths.</p></body></html>"
)


def _snapshot(engine: Engine) -> dict[str, Any]:
    with engine.connect() as c:
        return {
            "counts": tuple(
                c.scalar(select(func.count()).select_from(model))
                for model in (Article, Story, ContentHash, Entry, Page)
            ),
            "links": c.execute(
                select(Article.id, Article.story_id, Article.duplicate_of).order_by(Article.id)
            ).all(),
            "entries": c.execute(
                select(Entry.id, Entry.article_id, Entry.state).order_by(Entry.id)
            ).all(),
        }


def _articles(engine: Engine) -> dict[int, Any]:
    with engine.connect() as c:
        return {row.id: row for row in c.execute(select(Article))}


def test_reextract_rebuilds_articles_and_a_second_run_changes_nothing(
    flow_env: str, site_server: SiteServer
) -> None:
    repository(Settings()).add_feeds(
        [Subscription(u) for u in site_server.feed_urls], datetime.now(UTC)
    )
    ingest()
    engine = engine_for(flow_env)
    with engine.connect() as c:
        archived = c.scalars(select(Page.article_id).order_by(Page.article_id)).all()
    assert len(archived) > 10
    tampered, broken, video = archived[0], archived[1], archived[2]
    stored = _articles(engine)
    with engine.begin() as c:
        # Something for the extractor to put right, and pages that no longer extract.
        c.execute(
            update(Article)
            .where(Article.id == tampered)
            .values(text="tampered", title="tampered", extractor="old/1")
        )
        c.execute(
            update(Page)
            .where(Page.article_id == broken)
            .values(body=gzip.compress(b"<html><body></body></html>"))
        )
        c.execute(update(Page).where(Page.article_id == video).values(body=gzip.compress(VIDEO)))
    before = _snapshot(engine)
    kept = _articles(engine)

    first = reextract(batch_size=7)  # several keyset batches
    assert first.examined == len(archived)
    assert (first.failed, first.not_article) == (1, 1)
    assert first.updated >= 1
    assert first.updated + first.unchanged + first.failed + first.not_article == first.examined
    after = _articles(engine)
    assert (after[tampered].text, after[tampered].title) == (
        stored[tampered].text,
        stored[tampered].title,
    )
    assert after[tampered].extractor == stored[tampered].extractor
    assert after[tampered].extracted_at > stored[tampered].extracted_at
    assert after[broken] == kept[broken] and after[video] == kept[video]  # kept as they were
    assert _snapshot(engine) == before  # no row added, story links and entries as they were
    assert {url for url, _ in first.failures} == {
        after[broken].url,
        after[video].url,
    }

    second = reextract()
    assert (second.updated, second.unchanged) == (0, len(archived) - 2)
    assert (second.failed, second.not_article, second.identity_kept) == (1, 1, 0)
    assert _articles(engine) == after
    assert _snapshot(engine) == before
    assert "0 articles updated" in second.headline()
    assert "| Not an article now (article kept) | 1 |" in second.markdown()


def test_reextract_filters_by_time_and_feed(
    flow_env: str, site_server: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository(Settings()).add_feeds(
        [Subscription(u) for u in site_server.feed_urls], datetime.now(UTC)
    )
    ingest()
    # In worker processes, as ingest extracts: the same articles, nothing to change.
    monkeypatch.setenv("NEWSFLOW_EXTRACT_WORKERS", "2")
    pages = repository(Settings()).archived_pages(None, None, 0, 1000)
    pooled = reextract_pages(pages, Settings())
    assert (pooled.examined, pooled.unchanged) == (len(pages), len(pages)) and pages
    monkeypatch.setenv("NEWSFLOW_EXTRACT_WORKERS", "1")
    later = reextract(since=datetime.now(UTC) + timedelta(minutes=1))
    assert later == ReextractSummary(seconds=later.seconds)
    feed = site_server.feed_urls[0]
    info = repository(Settings()).feed_by_url(feed)
    assert info is not None
    with engine_for(flow_env).connect() as c:
        of_feed = c.scalar(
            select(func.count(func.distinct(Entry.article_id))).where(
                Entry.feed_id == info.id, Entry.article_id.in_(select(Page.article_id))
            )
        )
    only = reextract(feed=feed)
    assert only.examined == of_feed > 0
    with pytest.raises(UnknownFeedError, match="not subscribed"):
        reextract(feed="https://unknown.example/feed")


def test_cli_reextract(flow_env: str, site_server: SiteServer) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["reextract", "--feed", "https://unknown.example/feed"])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: not subscribed: https://unknown.example/feed")
    assert runner.invoke(app, ["reextract", "--since", "someday"]).exit_code == 1
    repository(Settings()).add_feeds(
        [Subscription(u) for u in site_server.feed_urls], datetime.now(UTC)
    )
    ingest()
    done = runner.invoke(app, ["reextract", "--since", "1h"])
    assert done.exit_code == 0, done.output
    assert "archived pages extracted again: 0 articles updated" in done.stdout
