"""gridcase: case management for grid-based social governance."""

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_settings
from app.json_provider import JSONProvider
from app.storable_text import init_storable_text
from app.whole_numbers import ColumnInt


def create_app(overrides: Mapping[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """The app, its settings from the environment, then instance/config.py, then the defaults (app/config.py), then
    `overrides` (tests); a setting it cannot run with raises app.config.SettingsError before anything starts."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.json = JSONProvider(app)
    app.config.from_mapping(load_settings(app.instance_path))
    app.config.from_mapping(overrides or {})
    if hops := app.config.get("GRIDCASE_PROXY_HOPS", 0):
        # Behind that many reverse proxies: the client's address, scheme and host as the proxies saw them, so the
        # security log records the client, not the proxy, and redirects keep https.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    init_storable_text(app)
    app.url_map.converters["int"] = ColumnInt  # before any route is added: see app/whole_numbers.py
    init_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from app.errors import register_error_handlers

    register_error_handlers(app)
    return app


def init_extensions(app: Flask) -> None:
    from app.auth.session import init_login
    from app.database import init_database
    from app.extensions import babel, csrf, db, include_object, migrate, render_item
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
        include_object=include_object,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_login(app)
    init_templating(app)
    init_security(app)


# Modules whose routes register on another module's blueprint (the API's, the designer's, ...): imported for that.
ROUTE_MODULES = (
    "app.api.admin_views", "app.api.attachment_views", "app.api.deadline_views", "app.api.designer_draft_views",
    "app.api.designer_views", "app.api.intake_views", "app.api.migration_views", "app.api.register_views",
    "app.api.stats_views", "app.api.views",
    "app.designer.import_pages", "app.designer.migration_pages", "app.designer.modeler_views",
    "app.intake.desk_views", "app.intake.knowledge_views", "app.registers.visit_views",
)  # fmt: skip
# Modules holding a blueprint `bp`, in registration order.
BLUEPRINT_MODULES = (
    "app.auth.views", "app.cases.views", "app.attachments.views", "app.tasks.views", "app.dashboard.views",
    "app.calendars.views", "app.notifications.views", "app.admin.views", "app.designer.views", "app.registers.views",
    "app.intake.views", "app.intake.triage_views", "app.open311.views", "app.open311.admin_views", "app.api.blueprint",
)  # fmt: skip


def register_blueprints(app: Flask) -> None:
    for module in ROUTE_MODULES:
        import_module(module)
    for module in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(module).bp)


def register_commands(app: Flask) -> None:
    from app.admin.setup_cli import setup_county_command
    from app.calendars.commands import calendar_cli
    from app.casetypes.commands import processes_cli
    from app.dashboard.commands import stats_cli
    from app.intake.commands import taxonomy_cli
    from app.open311.commands import open311_cli
    from app.org.commands import org_cli, seed_demo_command
    from app.worker.commands import worker_command

    app.cli.add_command(processes_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(org_cli)
    app.cli.add_command(setup_county_command)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(taxonomy_cli)
    app.cli.add_command(open311_cli)
    app.cli.add_command(stats_cli)
