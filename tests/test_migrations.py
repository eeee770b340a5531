"""The migrations build exactly the models' schema, and downgrade cleanly.

Each test migrates its own scratch database (a temp SQLite file; with
GRIDCASE_TEST_DATABASE_URL a temporary PostgreSQL database created beside it and
dropped afterwards), so the session-wide `app` fixture's database is untouched.
"""

import importlib
import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, MetaData, String, create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SAWarning

from app import create_app
from app.extensions import db
from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[1]


def import_all_models() -> None:
    """Autogenerate sees only imported models; import every app/**/models.py."""
    for path in sorted((ROOT / "app").rglob("models.py")):
        importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


@pytest.fixture(params=BACKENDS)
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    url = make_url(os.environ["GRIDCASE_TEST_DATABASE_URL"])
    name = f"{url.database}_migrations_{uuid.uuid4().hex[:8]}"[-63:]  # PostgreSQL names stop at 63 bytes
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrations_app(scratch_url: str) -> Iterator[Flask]:
    import_all_models()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "test"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def revisions_in_order(app: Flask) -> list[str]:
    script = ScriptDirectory(app.config["MIGRATIONS_DIR"])
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def schema_drift(connection: Connection, metadata: MetaData, app: Flask) -> list[Any]:
    """What `flask db migrate` would generate: the models' differences from the database."""
    options = dict(app.extensions["migrate"].configure_args)  # compare_type etc., as env.py uses them
    context = MigrationContext.configure(connection, opts=options)
    with warnings.catch_warnings():  # SQLite's reflection skips indexes on expressions (app/extensions.py), saying so
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", SAWarning)
        warnings.filterwarnings(
            "ignore", "autogenerate skipping metadata-specified expression-based index", UserWarning
        )
        return list(compare_metadata(context, metadata))


def test_the_indexes_on_expressions_are_there(migrations_app: Flask) -> None:
    """What autogenerate leaves out (app/extensions.py `include_object`), checked here: the open deadline's index."""
    upgrade(directory=migrations_app.config["MIGRATIONS_DIR"])
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            found = conn.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_task_open_due'"))
        else:
            found = conn.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'ix_task_open_due'"))
    assert found is not None and "CASE WHEN" in " ".join(found.split()) and "due_at" in found, found


def drift_message(diffs: list[Any]) -> str:
    return (
        'the models and the migrated schema differ; run `flask db migrate -m "..."`, review the revision '
        "and commit it under migrations/versions/:\n" + pformat(diffs, width=120)
    )


def assert_no_drift(app: Flask) -> None:
    with db.engine.connect() as conn:
        diffs = schema_drift(conn, db.metadata, app)
    assert not diffs, drift_message(diffs)


def test_every_revision_applies_in_turn_and_the_result_matches_the_models(migrations_app: Flask) -> None:
    directory = migrations_app.config["MIGRATIONS_DIR"]
    revisions = revisions_in_order(migrations_app)
    assert revisions, "no migrations found"
    for revision in revisions:
        upgrade(directory=directory, revision=revision)
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_heads() == (revision,)
    assert_no_drift(migrations_app)


def test_downgrade_to_base_and_upgrade_again(migrations_app: Flask) -> None:
    directory = migrations_app.config["MIGRATIONS_DIR"]
    upgrade(directory=directory)
    downgrade(directory=directory, revision="base")
    with db.engine.connect() as conn:
        left = set(inspect(conn).get_table_names()) - {"alembic_version"}
    assert not left, (
        f"downgrade() to base leaves tables behind: {sorted(left)}; drop them in the revision's downgrade()"
    )
    upgrade(directory=directory)
    assert_no_drift(migrations_app)


def test_a_model_change_without_a_migration_is_reported(migrations_app: Flask) -> None:
    upgrade(directory=migrations_app.config["MIGRATIONS_DIR"])
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["task"].append_column(Column("warn_note", String(200)))
    with db.engine.connect() as conn:
        diffs = schema_drift(conn, changed, migrations_app)
    assert ("add_column", "task", "warn_note") in [(d[0], d[2], d[3].name) for d in diffs if d[0] == "add_column"]
    message = drift_message(diffs)
    assert message.startswith("the models and the migrated schema differ; run `flask db migrate")
    assert "'task'" in message and "warn_note" in message


def test_case_rows_leave_room_for_heap_only_updates_on_postgresql(migrations_app: Flask) -> None:
    directory = migrations_app.config["MIGRATIONS_DIR"]
    upgrade(directory=directory)
    if db.engine.dialect.name != "postgresql":
        return  # SQLite has no fill factor: the revision does nothing there, and upgrade() above must not fail
    options = text("""SELECT reloptions FROM pg_class WHERE relname = 'case' AND relkind = 'r'""")
    with db.engine.connect() as conn:
        assert conn.execute(options).scalar() == ["fillfactor=70"]
    downgrade(directory=directory, revision="a7c3e9f1b2d4")
    with db.engine.connect() as conn:
        assert conn.execute(options).scalar() is None


def test_case_engine_state_is_compressed_with_lz4_on_postgresql(migrations_app: Flask) -> None:
    directory = migrations_app.config["MIGRATIONS_DIR"]
    upgrade(directory=directory)
    if db.engine.dialect.name != "postgresql":
        return  # SQLite has no column compression: the revision does nothing there, and upgrade() above must not fail
    compression = text(
        """SELECT attcompression FROM pg_attribute WHERE attrelid = '"case"'::regclass AND attname = 'state'"""
    )
    with db.engine.connect() as conn:
        assert conn.execute(compression).scalar() == "l"  # PostgreSQL as Debian and the official images build it
    downgrade(directory=directory, revision="d5a1f7c3e9b2")
    with db.engine.connect() as conn:
        assert conn.execute(compression).scalar() == ""  # the server's default (pglz)
