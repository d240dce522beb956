from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.engine import make_engine, open_database
from storage.repository import Repository


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database: a new SQLite file, or a wiped NEWSFLOW_TEST_DATABASE_URL."""
    url = os.environ.get("NEWSFLOW_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'newsflow.sqlite'}"
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def repo(engine: Engine) -> Repository:
    return Repository(engine)
