"""`newsflow maintenance`: retention and database upkeep, now."""

from __future__ import annotations

import typer

from flows.cli import app, friendly
from flows.settings import Settings


@app.command()
@friendly
def maintenance() -> None:
    """Remove archived pages and story index rows past retention, then tidy the database."""
    from flows.resources import engine_for

    # Opened here too, so an unreachable database fails before Prefect's API is started.
    engine_for(Settings().database_url)
    from flows.maintenance import MaintenanceError
    from flows.maintenance import maintenance as maintenance_flow

    try:
        summary = maintenance_flow()
    except MaintenanceError as exc:
        # What the other steps did, then the one-line error and exit status 1.
        for line in exc.summary.lines():
            typer.echo(line)
        raise
    for line in summary.lines():
        typer.echo(line)
