"""Ingest runs on 127.0.0.1: canonical identity, reconciled dates, the raw HTML archive and
its retention, and pages that are not articles."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from extractors.opml import Subscription
from flows.ingest import ingest
from flows.pipeline import repository
from flows.resources import engine_for
from flows.settings import Settings
from storage.models import Article, Entry, Page
from tests.flows.routes import Reply, RouteServer

pytestmark = pytest.mark.usefixtures("prefect_api")

FEED_DATE = "Fri, 20 Nov 2026 12:00:00 GMT"
PAGE_DATE = "2026-11-17T09:00:00Z"  # days before the feed's: a republished item
PARAGRAPHS = "".join(
    f"<p>Item {n}: the harbour board met on Tuesday and approved {n * 3} new berths "
    f"for the container terminal, after a long debate about dredging costs.</p>"
    for n in range(1, 9)
)
VIDEO = (
    b"<html><head><title>Harbour video</title>"
    b'<meta property="og:type" content="video.other"></head><body>'
    b"<h1>Watch: the harbour board votes</h1><video src='/v.mp4' controls></video>"
    b"<p>The harbour board met on Tuesday to vote on new berths.</p></body></html>"
)


def _story(base: str) -> bytes:
    """The article, which AMP and print copies point to with rel=canonical."""
    return (
        f'<html lang="en"><head><title>Harbour board approves berths</title>'
        f'<link rel="canonical" href="{base}/news/2026/harbour-berths">'
        f'<script type="application/ld+json">{{"@type": "NewsArticle", '
        f'"datePublished": "{PAGE_DATE}"}}</script></head>'
        f"<body><article><h1>Harbour board approves berths</h1>{PARAGRAPHS}</article></body></html>"
    ).encode()


def _rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><description>{title}: the summary"
        f"</description><pubDate>{FEED_DATE}</pubDate></item>"
        for title, link in items
    )
    return f'<rss version="2.0"><channel><title>x</title>{body}</channel></rss>'.encode()


def _serve(server: RouteServer) -> None:
    base = server.base
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route("/news/2026/harbour-berths", Reply(200, _story(base), html))
    server.route("/amp/news/2026/harbour-berths", Reply(200, _story(base), html))
    server.route("/video/harbour", Reply(200, VIDEO, html))
    server.route(
        "/outlet.xml",
        Reply(
            200,
            _rss(
                ("Harbour berths", f"{base}/news/2026/harbour-berths?utm_source=rss"),
                ("Harbour video", f"{base}/video/harbour"),
            ),
        ),
    )
    server.route(
        "/aggregator.xml",
        Reply(200, _rss(("Berths approved", f"{base}/amp/news/2026/harbour-berths"))),
    )
    repository(Settings()).add_feeds(
        [Subscription(base + "/outlet.xml"), Subscription(base + "/aggregator.xml")],
        datetime.now(UTC),
    )


def test_identity_dates_archive_and_a_page_that_is_not_an_article(
    flow_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RouteServer() as server:
        _serve(server)
        first = ingest()
        base = server.base
        story = f"{base}/news/2026/harbour-berths"
        with engine_for(flow_env).connect() as c:
            articles = c.execute(
                select(
                    Article.id,
                    Article.canonical_url,
                    Article.text_source,
                    Article.page_canonical_url,
                    Article.published_at,
                    Article.updated_at,
                    Article.date_source,
                    Article.date_notes,
                ).order_by(Article.id)
            ).all()
            entries = {
                url: (state, article_id, error)
                for url, state, article_id, error in c.execute(
                    select(Entry.url, Entry.state, Entry.article_id, Entry.last_error)
                )
            }
            pages = c.execute(select(Page.article_id, Page.url, Page.body, Page.size)).all()
        # The outlet's tracking link and the aggregator's AMP link are one article.
        (page_article,) = [a for a in articles if a.text_source == "page"]
        assert (page_article.canonical_url, page_article.page_canonical_url) == (story, story)
        assert entries[f"{story}?utm_source=rss"][:2] == ("done", page_article.id)
        assert entries[f"{base}/amp/news/2026/harbour-berths"][:2] == ("done", page_article.id)
        assert first.articles_stored == 1 and first.duplicates_same_url == 1
        # Feed date and page date disagree by days: the earlier is published, the later
        # updated, and the note says so.
        assert page_article.published_at == datetime(2026, 11, 17, 9, tzinfo=UTC)
        assert page_article.updated_at == datetime(2026, 11, 20, 12, tzinfo=UTC)
        assert page_article.date_source == "page"
        assert "disagree" in page_article.date_notes
        assert page_article.date_notes.splitlines()[-1] == "page date from json-ld"
        # The page is archived exactly as fetched (the first of the two fetches stored).
        ((archived_id, archived_url, archived, size),) = pages
        assert archived_id == page_article.id and archived_url.startswith(base)
        assert gzip.decompress(archived) == _story(base) and size == len(_story(base))
        # The video page: not an article, its reason kept, the feed's summary in its place.
        state, stand_in, reason = entries[f"{base}/video/harbour"]
        assert state == "not_article"
        assert reason is not None and reason.startswith("extract: not an article (a video")
        (feed_summary,) = [a for a in articles if a.text_source == "feed"]
        assert stand_in == feed_summary.id
        assert first.not_articles == (("video", 1),) and first.page_failures == ()
        assert "not articles (not fetched again" in "\n".join(first.lines())
        assert "| Not an article: video | 1 |" in first.markdown()

        # Next run: nothing is fetched again; with NEWSFLOW_ARCHIVE_DAYS=0 the archive goes.
        server.hits.clear()
        monkeypatch.setenv("NEWSFLOW_ARCHIVE_DAYS", "0")
        second = ingest(force=True)
        assert sorted(path for path, _ in server.hits) == ["/aggregator.xml", "/outlet.xml"]
    assert second.not_articles == () and second.archive_pruned == 1
    with engine_for(flow_env).connect() as c:
        assert c.scalar(select(func.count()).select_from(Page)) == 0
        assert c.scalar(select(func.count()).select_from(Article)) == 2


def test_no_archive_is_written_when_archiving_is_off(
    flow_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_ARCHIVE_DAYS", "0")
    with RouteServer() as server:
        _serve(server)
        summary = ingest()
    assert summary.articles_stored == 1
    with engine_for(flow_env).connect() as c:
        assert c.scalar(select(func.count()).select_from(Page)) == 0
