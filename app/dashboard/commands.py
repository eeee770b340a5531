"""flask stats rebuild: recompute the dashboard's rollup (case_day_stat) from the case history."""

import time

import click
from flask.cli import AppGroup

from app.dashboard import rollup
from app.extensions import db

stats_cli = AppGroup("stats", help="The dashboard's pre-aggregated statistics.")


@stats_cli.command("rebuild")
def rebuild_command() -> None:
    """Empty case_day_stat and recompute it from case, task and case_event (after the migration that creates it,
    after bulk loads that bypass the services, or to check it). One transaction: the dashboard reads the old rows
    until it commits."""
    started = time.perf_counter()
    rows = rollup.rebuild()
    db.session.commit()
    click.echo(f"case_day_stat rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s")
