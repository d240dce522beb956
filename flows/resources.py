"""Process-wide resources a flow run borrows: database engines and extraction workers.

Both are costly to create (migrations, spawning interpreters that import trafilatura)
and safe to share between the threads of a flow run and between the runs a `serve`
process executes, so each is created once per process and reused.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor

from sqlalchemy import Engine

from storage.engine import open_database

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_pools: dict[int, ProcessPoolExecutor] = {}


def engine_for(database_url: str) -> Engine:
    """The process's engine for a database URL, migrated on first use."""
    with _lock:
        engine = _engines.get(database_url)
        if engine is None:
            engine = open_database(database_url)
            _engines[database_url] = engine
        return engine


def forget_engine(database_url: str) -> None:
    """Dispose of the process's engine for a URL (its database was dropped or recreated):
    the next ``engine_for`` opens and migrates it again."""
    with _lock:
        engine = _engines.pop(database_url, None)
    if engine is not None:
        engine.dispose()


def extraction_workers(configured: int) -> int:
    """Processes to extract with: the setting, or one per CPU core for 0."""
    return configured if configured > 0 else max(1, os.cpu_count() or 1)


def extraction_pool(workers: int) -> Executor | None:
    """A shared process pool for CPU-bound extraction; None means extract in-thread."""
    if workers <= 1:
        return None
    with _lock:
        pool = _pools.get(workers)
        if pool is None:
            # "spawn", not fork: forking a process that runs threads (Prefect's, the
            # flow's) can copy held locks into the child.
            context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _pools[workers] = pool
        return pool


def _shutdown() -> None:
    for pool in _pools.values():
        pool.shutdown(wait=False, cancel_futures=True)
    for engine in _engines.values():
        engine.dispose()


atexit.register(_shutdown)
