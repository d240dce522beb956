"""The scale benchmark (bench/dedup_scale.py): its bulk fill is the index the storage reads."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench import dedup_scale
from bench.dedup_corpus import generate_scale
from storage.batch import Document
from storage.engine import open_database
from storage.models import Article, BandKey, Signature, SiteLine
from storage.repository import Repository

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_filled_articles_are_found_by_the_articles_placed_after_them(tmp_path: Path) -> None:
    """A copy placed through the repository meets its original written by the bulk fill:
    the fill writes the same band keys and signatures the storage looks up."""
    items = list(generate_scale(1, 600, sources=[]))
    engine = open_database(f"sqlite:///{tmp_path}/fill.sqlite")
    with ProcessPoolExecutor(2) as pool:
        dedup_scale._fill(engine, items[:450], NOW, pool)
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(Article)) == 450
        assert c.scalar(select(func.count()).select_from(Signature)) == 450
        assert c.scalar(select(func.count()).select_from(BandKey)) > 450 * 32
        assert c.scalar(select(func.sum(SiteLine.count))) > 450
    stories: dict[str, set[int]] = {}
    with engine.connect() as c:
        for item in items[:450]:
            story = c.scalar(select(Article.story_id).where(Article.canonical_url == item.url))
            stories.setdefault(item.story, set()).add(int(story or 0))
    placed = Repository(engine).add_documents(
        [Document(i.id, i.text, i.url, i.site, i.title, i.published_at) for i in items[450:]], NOW
    )
    # Later items whose story began in the fill: most join a story the fill wrote.
    later = [(i, p) for i, p in zip(items[450:], placed, strict=True) if i.story in stories]
    assert later, "the sample has no copies of filled stories"
    joined = [p for i, p in later if p.story_id in stories[i.story]]
    assert len(joined) >= 0.7 * len(later)
    engine.dispose()


def test_a_run_reports_times_memory_and_bytes_per_table(tmp_path: Path) -> None:
    (row,) = dedup_scale.run(f"sqlite:///{tmp_path}/scale.sqlite", [300], sample=40, seed=2)
    assert row["stored"] == 300 and row["database"] == "sqlite"
    assert 0 < row["index_p50_ms"] <= row["index_p99_ms"]
    assert row["index_p50_ms"] + row["lines_p50_ms"] < row["whole_p50_ms"]
    assert row["rss_mb"] > 0
    sizes = row["bytes_per_article"]
    assert sizes["lsh_bands"] > 0 and sizes["signatures"] > 0 and sizes["articles"] > 0
