"""flask processes check FILE… | flask processes sync"""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.casetypes.registry import compile_file, sync_processes
from app.clock import utcnow
from app.engine import InvalidDiagram
from app.extensions import db

processes_cli = AppGroup("processes", help="Check and deploy the BPMN diagrams.")


@processes_cli.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check_command(files: tuple[str, ...]) -> None:
    """Validate diagrams; print each problem with its line; exit 1 on any."""
    failed = False
    for name in files:
        path = Path(name)
        try:
            deployed = compile_file(path.read_bytes(), str(path), current_app.config["GRIDCASE_FORMS_DIR"])
        except OSError as err:
            click.echo(f"{path}: cannot be read: {err.strerror}", err=True)
            failed = True
        except InvalidDiagram as err:
            for problem in err.problems:
                click.echo(str(problem), err=True)
            failed = True
        else:
            click.echo(f"{path}: ok ({deployed.definition.key}, {len(deployed.definition.user_tasks)} user tasks)")
    if failed:
        raise SystemExit(1)


@processes_cli.command("sync")
def sync_command() -> None:
    """Deploy every changed diagram in the processes directory as a new version."""
    config = current_app.config
    report = sync_processes(config["GRIDCASE_PROCESSES_DIR"], config["GRIDCASE_FORMS_DIR"], actor=None, now=utcnow())
    db.session.commit()
    for version in report.deployed:
        click.echo(f"deployed {version.key} v{version.version}")
    for version in report.unchanged:
        click.echo(f"unchanged {version.key} v{version.version}")
    for problem in report.problems:
        click.echo(f"refused {problem}", err=True)
