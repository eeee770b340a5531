"""flask worker [--once]"""

import click
from flask import current_app
from flask.cli import with_appcontext

from app.clock import utcnow
from app.collector import settle
from app.worker.loop import run_forever, sweep


@click.command("worker")
@click.option("--once", is_flag=True, help="Sweep once and exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Fire due BPMN timers, raise deadline warnings, deliver notifications."""
    if once:
        done = sweep(utcnow())
        click.echo(f"timers={done.timers} warnings={done.warnings} overdue={done.overdue} delivered={done.delivered}")
        return
    settle()  # a long-running process from here on (app/collector.py)
    run_forever(current_app.config["GRIDCASE_WORKER_INTERVAL"], click.echo)
