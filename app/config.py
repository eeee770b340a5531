"""Settings from the environment or instance/config.py: the only module that reads either.

Each setting has one name (README, "Configuration"), taken from the environment, else from instance/config.py, else
its default; an empty value counts as unset. A value the app cannot run with stops the start (SettingsError, naming
the setting, where its value came from and the form it takes) instead of failing on the first request that needs it.
"""

import math
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Config
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.calendars.workdays import parse_office_hours
from app.engine import json_text
from app.i18n import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[1]
INSTANCE_FILE = "config.py"

# Read from the environment only, by gunicorn.conf.py, the Makefile, `flask setup-county` or the tests:
# instance/config.py cannot set them.
ENVIRONMENT_ONLY = ("PORT", "WEB_CONCURRENCY", "GRIDCASE_THREADS", "GRIDCASE_PIN_WORKERS", "GRIDCASE_ADMIN_PASSWORD",
                    "GRIDCASE_TEST_DATABASE_URL")  # fmt: skip
# Flask keys worked out from a setting: instance/config.py names the setting, or the two would disagree unseen.
DERIVED = {
    "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",
    "BABEL_DEFAULT_LOCALE": "GRIDCASE_LOCALE",
    "BABEL_DEFAULT_TIMEZONE": "GRIDCASE_TIMEZONE",
    "SESSION_COOKIE_SECURE": "GRIDCASE_SECURE_COOKIES",
    "MAX_CONTENT_LENGTH": "GRIDCASE_MAX_REQUEST_BYTES",
}
# Drivers installed by requirements.txt; postgresql:// and postgres:// (the usual spelling) mean psycopg 3.
DATABASE_DRIVERS = ("postgresql+psycopg", "sqlite", "sqlite+pysqlite")
PLAIN_POSTGRES = re.compile(r"^postgres(?:ql)?://")
SENDER = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*\Z")
FLAG_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class SettingsError(ValueError):
    """A setting the app cannot run with; the message names it, where it came from and the form it takes."""


class SettingSource:
    """Each setting's text: the environment first, then instance/config.py."""

    def __init__(self, environ: Mapping[str, str], from_file: Mapping[str, str], file_path: str) -> None:
        self.environ, self.from_file, self.file_path = environ, from_file, file_path

    def get(self, name: str) -> tuple[str, str] | None:
        """(value, where it came from), or None when neither sets it."""
        if value := self.environ.get(name, "").strip():
            return value, "the environment"
        if value := self.from_file.get(name, "").strip():
            return value, self.file_path
        return None

    def text(self, name: str, default: str) -> str:
        found = self.get(name)
        return found[0] if found else default

    def fail(self, name: str, expected: str, *, show: bool = True) -> NoReturn:
        value, origin = self.get(name) or ("", "the default")
        shown = f"={value!r}" if show else ""
        raise SettingsError(f"{name}{shown} (from {origin}) is not usable: expected {expected}")

    def integer(self, name: str, default: int, minimum: int) -> int:
        value = self.text(name, str(default))
        if not re.fullmatch(r"[+-]?\d+", value) or int(value) < minimum:
            self.fail(name, f"a whole number, at least {minimum}")
        return int(value)

    def number(self, name: str, default: float, minimum: float, *, above: bool = False) -> float:
        try:
            value = float(self.text(name, str(default)))
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < minimum or (above and value == minimum):
            self.fail(name, f"a number {'above' if above else 'at least'} {minimum:g}")
        return value

    def flag(self, name: str) -> bool:
        value = self.text(name, "0").lower()
        if value not in FLAG_VALUES:
            self.fail(name, "1 (on) or 0 (off)")
        return FLAG_VALUES[value]

    def folder(self, name: str, default: str) -> str:
        value = self.text(name, default)
        if not os.path.isdir(value):
            self.fail(name, "an existing folder")
        return value


def read_or_create_secret(instance_path: str) -> str:
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), "utf-8")
        path.chmod(0o600)
    return path.read_text("utf-8").strip()


def read_instance_file(instance_path: str) -> tuple[dict[str, str], dict[str, Any]]:
    """instance/config.py, as Flask reads it (its upper-case names): (settings as text, other Flask keys as they are).

    A setting's name there is read as the environment variable is; any other Flask key is passed on unchanged, as it
    always was. A name that looks like a setting but is none, or a Flask key that a setting decides, stops the start.
    """
    file = Config(instance_path)
    file.from_pyfile(INSTANCE_FILE, silent=True)
    path = os.path.join(instance_path, INSTANCE_FILE)
    settings: dict[str, str] = {}
    flask_keys: dict[str, Any] = {}
    for name, value in file.items():
        if name in SETTING_NAMES:
            settings[name] = _as_text(name, value, path)
        elif name in DERIVED:
            raise SettingsError(f"{name} (in {path}) is decided by a setting: write {DERIVED[name]} there instead")
        elif name in ENVIRONMENT_ONLY:
            raise SettingsError(f"{name} (in {path}) is read from the environment only: set it there")
        elif name.startswith("GRIDCASE_"):
            raise SettingsError(f"{name} (in {path}) is not a gridcase setting: see README.md, Configuration")
        else:
            flask_keys[name] = value
    return settings, flask_keys


def _as_text(name: str, value: Any, path: str) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str | int | float):
        return str(value)
    raise SettingsError(f"{name} (in {path}) is a {type(value).__name__}: write it as text, as in the environment")


def load_settings(instance_path: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    os.makedirs(instance_path, exist_ok=True)
    from_file, flask_keys = read_instance_file(instance_path)
    source = SettingSource(os.environ if environ is None else environ, from_file,
                           os.path.join(instance_path, INSTANCE_FILE))  # fmt: skip
    return {
        **_database_and_secret(source, instance_path),
        **_language_and_time(source),
        **_caches_and_worker(source),
        **_requests_and_attachments(source, instance_path),
        **flask_keys,
    }


def database_url(source: SettingSource, default: str) -> str:
    """DATABASE_URL as SQLAlchemy takes it: postgresql:// and postgres:// are given psycopg 3, the driver installed."""
    url = PLAIN_POSTGRES.sub("postgresql+psycopg://", source.text("DATABASE_URL", default))
    expected = "postgresql://user:password@host:5432/database (or sqlite:////absolute/path.sqlite)"
    try:
        driver = make_url(url).drivername
    except (ArgumentError, ValueError):
        source.fail("DATABASE_URL", expected, show=False)  # the URL may hold a password: never echoed
    if driver not in DATABASE_DRIVERS:
        source.fail(
            "DATABASE_URL", f"{expected}: gridcase runs on PostgreSQL (psycopg) or SQLite, not {driver}", show=False
        )
    return url


def time_zone(source: SettingSource) -> str:
    name = source.text("GRIDCASE_TIMEZONE", "Asia/Shanghai")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        source.fail("GRIDCASE_TIMEZONE", "an IANA time zone name such as Asia/Shanghai")
    return name


def office_hours(source: SettingSource) -> str:
    """HH:MM-HH:MM periods separated by commas, none overlapping: checked by the parser the working calendar uses
    (app/calendars/workdays.py parse_office_hours)."""
    text = source.text("GRIDCASE_OFFICE_HOURS", "08:30-12:00,14:00-17:30")
    try:
        parse_office_hours(text)
    except ValueError:
        source.fail("GRIDCASE_OFFICE_HOURS", "HH:MM-HH:MM periods, each ending after it starts, not overlapping, "
                    "separated by commas (08:30-12:00,14:00-17:30)")  # fmt: skip
    return text


def notification_senders(source: SettingSource) -> str:
    text = source.text("GRIDCASE_NOTIFICATION_SENDERS", "")
    if not all(SENDER.match(part.strip()) for part in text.split(",") if part.strip()):
        source.fail("GRIDCASE_NOTIFICATION_SENDERS", "module:Class names separated by commas (myorg.sms:SmsSender)")
    return text


def _database_and_secret(source: SettingSource, instance_path: str) -> dict[str, Any]:
    sqlite_default = f"sqlite:///{os.path.join(instance_path, 'gridcase.sqlite')}"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(source, sqlite_default),
        "SECRET_KEY": source.text("SECRET_KEY", "") or read_or_create_secret(instance_path),
        # JSON columns read by orjson (app/engine/json_text.py); idle connections pinged at checkout (app/database.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"json_deserializer": json_text.loads},
        "MIGRATIONS_DIR": str(ROOT / "migrations"),
    }


def _language_and_time(source: SettingSource) -> dict[str, Any]:
    locale = source.text("GRIDCASE_LOCALE", "zh_Hans_CN")
    if locale not in SUPPORTED_LOCALES:
        source.fail("GRIDCASE_LOCALE", " or ".join(SUPPORTED_LOCALES))
    return {
        "BABEL_DEFAULT_LOCALE": locale,
        "BABEL_DEFAULT_TIMEZONE": time_zone(source),
        "GRIDCASE_PROCESSES_DIR": source.folder("GRIDCASE_PROCESSES_DIR", str(ROOT / "processes")),
        "GRIDCASE_FORMS_DIR": source.folder("GRIDCASE_FORMS_DIR", str(ROOT / "forms")),
        # Office hours on working days, local time: what "N working hours" counts.
        "GRIDCASE_OFFICE_HOURS": office_hours(source),
    }


def _caches_and_worker(source: SettingSource) -> dict[str, Any]:
    return {
        "GRIDCASE_TOKEN_HOURS": source.integer("GRIDCASE_TOKEN_HOURS", 12, minimum=1),
        # How long a process may reuse the working calendar it read; an edit clears it at once in its own process.
        "GRIDCASE_CALENDAR_CACHE_SECONDS": source.number("GRIDCASE_CALENDAR_CACHE_SECONDS", 10, minimum=0),
        # How long a process may reuse where a role's tasks land (app/org/service.py candidate_unit); an org change
        # clears it at once in its own process.
        "GRIDCASE_PLACEMENT_CACHE_SECONDS": source.number("GRIDCASE_PLACEMENT_CACHE_SECONDS", 10, minimum=0),
        # How long a process may reuse a signed-in user's roles and units (app/auth/principals.py); an org change
        # clears them at once in its own process. The token (or session) user's being active is checked every time.
        "GRIDCASE_USER_CACHE_SECONDS": source.number("GRIDCASE_USER_CACHE_SECONDS", 10, minimum=0),
        # How long a process reuses the overdue open tasks it counted (app/dashboard/overdue.py); changes show after it.
        "GRIDCASE_OVERDUE_CACHE_SECONDS": source.number("GRIDCASE_OVERDUE_CACHE_SECONDS", 10, minimum=0),
        "GRIDCASE_WORKER_INTERVAL": source.number("GRIDCASE_WORKER_INTERVAL", 1, minimum=0, above=True),
        # Extra notification senders, "module:Class" separated by commas (the in-app one is built in).
        "GRIDCASE_NOTIFICATION_SENDERS": notification_senders(source),
        # The case type an Open311 request starts when its category's own start form has no "x-open311" mapping.
        "GRIDCASE_OPEN311_FALLBACK": source.text("GRIDCASE_OPEN311_FALLBACK", "hotline_matter"),
        # A new report of the same category this near (metres) and this recent (hours) to an open case is flagged.
        "GRIDCASE_DUPLICATE_METERS": source.number("GRIDCASE_DUPLICATE_METERS", 200, minimum=0),
        "GRIDCASE_DUPLICATE_HOURS": source.number("GRIDCASE_DUPLICATE_HOURS", 72, minimum=0),
    }


def _requests_and_attachments(source: SettingSource, instance_path: str) -> dict[str, Any]:
    return {
        # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto/-Host to believe (create_app's ProxyFix).
        "GRIDCASE_PROXY_HOPS": source.integer("GRIDCASE_PROXY_HOPS", 0, minimum=0),
        "SESSION_COOKIE_HTTPONLY": True,
        # Behind HTTPS in production set GRIDCASE_SECURE_COOKIES=1: cookies then never travel in clear text.
        "SESSION_COOKIE_SECURE": source.flag("GRIDCASE_SECURE_COOKIES"),
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # A whole request, attachments included: beyond it the answer is 413 before anything is read.
        "MAX_CONTENT_LENGTH": source.integer("GRIDCASE_MAX_REQUEST_BYTES", 32 * 1024 * 1024, minimum=1),
        # Attachments: files under random names here (never the sender's name), and what one may be.
        "GRIDCASE_ATTACHMENT_DIR": source.text("GRIDCASE_ATTACHMENT_DIR", os.path.join(instance_path, "attachments")),
        "GRIDCASE_ATTACHMENT_MAX_BYTES": source.integer("GRIDCASE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1),
        "GRIDCASE_ATTACHMENT_MAX_FILES": source.integer("GRIDCASE_ATTACHMENT_MAX_FILES", 10, minimum=0),
        # A photo with more pixels is refused: 50 million lets a 48-megapixel phone photo through, and decoding one
        # holds about 150 MB (Pillow's own bomb limit, 89 million, let a 258 KB PNG take 230 MB and 1.5 s).
        "GRIDCASE_ATTACHMENT_MAX_PIXELS": source.integer("GRIDCASE_ATTACHMENT_MAX_PIXELS", 50_000_000, minimum=1),
    }


# Every name the environment or instance/config.py may set for the app (README.md, "Configuration").
SETTING_NAMES = frozenset({
    "DATABASE_URL", "SECRET_KEY", "GRIDCASE_LOCALE", "GRIDCASE_TIMEZONE", "GRIDCASE_PROCESSES_DIR",
    "GRIDCASE_FORMS_DIR", "GRIDCASE_OFFICE_HOURS", "GRIDCASE_TOKEN_HOURS", "GRIDCASE_CALENDAR_CACHE_SECONDS",
    "GRIDCASE_PLACEMENT_CACHE_SECONDS", "GRIDCASE_USER_CACHE_SECONDS", "GRIDCASE_OVERDUE_CACHE_SECONDS",
    "GRIDCASE_WORKER_INTERVAL", "GRIDCASE_NOTIFICATION_SENDERS", "GRIDCASE_OPEN311_FALLBACK",
    "GRIDCASE_DUPLICATE_METERS", "GRIDCASE_DUPLICATE_HOURS", "GRIDCASE_PROXY_HOPS", "GRIDCASE_SECURE_COOKIES",
    "GRIDCASE_MAX_REQUEST_BYTES", "GRIDCASE_ATTACHMENT_DIR", "GRIDCASE_ATTACHMENT_MAX_BYTES",
    "GRIDCASE_ATTACHMENT_MAX_FILES", "GRIDCASE_ATTACHMENT_MAX_PIXELS",
})  # fmt: skip
