"""The maintenance flow: retention and database upkeep, on a schedule of its own.

Three steps, each a task, each run whatever the others did:

- ``prune-archive``: archived pages older than NEWSFLOW_ARCHIVE_DAYS;
- ``prune-story-index``: near-duplicate index rows older than NEWSFLOW_DEDUP_WINDOW;
- ``optimize-database``: the database's own upkeep (storage/upkeep.py).

Ingest runs the two prunes at its end as well; this flow also does the upkeep, and
lets an operator run all of it by hand. A failed step is listed in the summary and
ends the run Failed (MaintenanceError) once the summary artifact is written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import Task

from extractors.errors import NewsflowError, describe
from flows import tasks
from flows.resources import engine_for
from flows.settings import Settings
from flows.summary import markdown_cell
from storage.upkeep import Upkeep, optimize

R = TypeVar("R")

#: The steps in the order they run (also the task names).
STEPS = ("prune-archive", "prune-story-index", "optimize-database")


@dataclass(frozen=True, slots=True)
class MaintenanceSummary:
    """What one maintenance run removed and did, and which steps failed."""

    pages_pruned: int = 0
    index_rows_pruned: int = 0  # band rows of the near-duplicate index
    upkeep: str = ""  # what the database upkeep ran ("" when it failed)
    seconds: float = 0.0
    failures: tuple[tuple[str, str], ...] = ()  # (step, reason)

    @property
    def failed(self) -> bool:
        """Whether any step failed."""
        return bool(self.failures)

    def _value(self, step: str, value: object) -> str:
        return "failed" if any(name == step for name, _ in self.failures) else str(value)

    def lines(self) -> list[str]:
        """The summary for the log and the CLI, one line per step, then failures."""
        out = [
            f"archive: {self._value('prune-archive', self.pages_pruned)} pages past "
            "NEWSFLOW_ARCHIVE_DAYS removed",
            f"story index: {self._value('prune-story-index', self.index_rows_pruned)} rows "
            "past NEWSFLOW_DEDUP_WINDOW removed",
            f"database: {self._value('optimize-database', self.upkeep)}",
        ]
        out += [f"failed: {step}: {reason}" for step, reason in self.failures]
        out.append(f"took {self.seconds:.1f}s")
        return out

    def markdown(self) -> str:
        """The summary as a Markdown artifact for the Prefect UI."""
        rows = [
            ("Archived pages removed (past NEWSFLOW_ARCHIVE_DAYS)", "prune-archive"),
            ("Story index rows removed (past NEWSFLOW_DEDUP_WINDOW)", "prune-story-index"),
            ("Database upkeep", "optimize-database"),
        ]
        values = (self.pages_pruned, self.index_rows_pruned, self.upkeep)
        text = ["# Maintenance summary", "", "| | |", "|---|---:|"]
        text += [
            f"| {name} | {markdown_cell(self._value(step, value))} |"
            for (name, step), value in zip(rows, values, strict=True)
        ]
        if self.failures:
            text += ["", "## Failed steps", "", "| Step | Reason |", "|---|---|"]
            text += [f"| {step} | {markdown_cell(reason)} |" for step, reason in self.failures]
        text += ["", f"Took {self.seconds:.1f}s."]
        return "\n".join(text)


class MaintenanceError(NewsflowError):
    """A maintenance step failed; ``summary`` tells what every step did."""

    def __init__(self, summary: MaintenanceSummary) -> None:
        failed = "; ".join(f"{step}: {reason}" for step, reason in summary.failures)
        super().__init__(
            f"maintenance: {len(summary.failures)} of {len(STEPS)} steps failed: {failed}"
        )
        self.summary = summary


@task(name="optimize-database", cache_policy=NO_CACHE)
def optimize_database(settings: Settings) -> Upkeep:
    """Let the database refresh its statistics and tidy its files (storage/upkeep.py)."""
    return optimize(engine_for(settings.database_url))


def _attempt(
    step: Task[[Settings], R], settings: Settings, failures: list[tuple[str, str]]
) -> R | None:
    """Run one step; its failure is recorded (and logged by Prefect) instead of raised."""
    try:
        return step(settings)
    except Exception as exc:  # reported in the summary; the other steps still run
        failures.append((step.name, describe(exc)))
        return None


@flow(name="maintenance", log_prints=False)
def maintenance() -> MaintenanceSummary:
    """Remove what is past retention and run the database's upkeep; settings decide how old."""
    settings = Settings()
    logger = get_run_logger()
    started = time.monotonic()
    failures: list[tuple[str, str]] = []
    pages = _attempt(tasks.prune_archive, settings, failures)
    rows = _attempt(tasks.prune_story_index, settings, failures)
    upkeep = _attempt(optimize_database, settings, failures)
    summary = MaintenanceSummary(
        pages_pruned=pages or 0,
        index_rows_pruned=rows or 0,
        upkeep=upkeep.describe() if upkeep is not None else "",
        seconds=time.monotonic() - started,
        failures=tuple(failures),
    )
    for line in summary.lines():
        if line.startswith("failed: "):
            logger.warning(line)
        else:
            logger.info(line)
    create_markdown_artifact(
        key="maintenance-summary",
        markdown=summary.markdown(),
        description="What this maintenance run removed and did",
    )
    if summary.failed:
        # A flow that returns a value ends Completed whatever its tasks did: raising
        # is what ends the run Failed, after every step ran and the summary is written.
        raise MaintenanceError(summary)
    return summary
