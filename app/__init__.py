"""gridcase: case management for grid-based social governance."""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app.config import load_settings


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_settings(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(overrides or {})
    init_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from app.errors import register_error_handlers

    register_error_handlers(app)
    return app


def init_extensions(app: Flask) -> None:
    from app.auth.session import init_login
    from app.database import init_database
    from app.extensions import babel, csrf, db, migrate, render_item
    from app.i18n import select_locale
    from app.security import init_security
    from app.templating import init_templating

    init_database(app)
    migrate.init_app(
        app,
        db,
        directory=str(app.config.get("MIGRATIONS_DIR", "migrations")),
        render_as_batch=True,
        render_item=render_item,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_login(app)
    init_templating(app)
    init_security(app)


def register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.api import admin_views, deadline_views, designer_views, intake_views, register_views, stats_views, views  # noqa: F401 - their routes register on the API blueprint
    from app.api.blueprint import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.calendars.views import bp as calendars_bp
    from app.cases.views import bp as cases_bp
    from app.dashboard.views import bp as dashboard_bp
    from app.designer.views import bp as designer_bp
    from app.intake import desk_views, knowledge_views  # noqa: F401 - their routes register on the intake blueprint
    from app.intake.triage_views import bp as triage_bp
    from app.intake.views import bp as intake_bp
    from app.notifications.views import bp as notifications_bp
    from app.registers import visit_views  # noqa: F401 - its routes register on the registers blueprint
    from app.registers.views import bp as registers_bp
    from app.tasks.views import bp as tasks_bp

    blueprints = (
        auth_bp,
        cases_bp,
        tasks_bp,
        dashboard_bp,
        calendars_bp,
        notifications_bp,
        admin_bp,
        designer_bp,
        registers_bp,
        intake_bp,
        triage_bp,
        api_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from app.calendars.commands import calendar_cli
    from app.casetypes.commands import processes_cli
    from app.intake.commands import taxonomy_cli
    from app.org.commands import seed_demo_command
    from app.worker.commands import worker_command

    app.cli.add_command(processes_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(taxonomy_cli)
