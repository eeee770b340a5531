"""Settings from the environment: the only module that reads it."""

import os
import secrets
from pathlib import Path
from typing import Any

from app.engine import json_text

ROOT = Path(__file__).resolve().parents[1]


def read_or_create_secret(instance_path: str) -> str:
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), "utf-8")
        path.chmod(0o600)
    return path.read_text("utf-8").strip()


def load_settings(instance_path: str) -> dict[str, Any]:
    os.makedirs(instance_path, exist_ok=True)
    sqlite_default = f"sqlite:///{os.path.join(instance_path, 'gridcase.sqlite')}"
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or sqlite_default,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or read_or_create_secret(instance_path),
        "BABEL_DEFAULT_LOCALE": os.environ.get("GRIDCASE_LOCALE", "zh_Hans_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("GRIDCASE_TIMEZONE", "Asia/Shanghai"),
        "GRIDCASE_PROCESSES_DIR": os.environ.get("GRIDCASE_PROCESSES_DIR", str(ROOT / "processes")),
        "GRIDCASE_FORMS_DIR": os.environ.get("GRIDCASE_FORMS_DIR", str(ROOT / "forms")),
        "GRIDCASE_TOKEN_HOURS": int(os.environ.get("GRIDCASE_TOKEN_HOURS", "12")),
        # Office hours on working days, local time: what "N working hours" counts.
        "GRIDCASE_OFFICE_HOURS": os.environ.get("GRIDCASE_OFFICE_HOURS", "08:30-12:00,14:00-17:30"),
        # How long a process may reuse the working calendar it read; an edit clears it at once in its own process.
        "GRIDCASE_CALENDAR_CACHE_SECONDS": float(os.environ.get("GRIDCASE_CALENDAR_CACHE_SECONDS", "10")),
        # How long a process may reuse where a role's tasks land (app/org/service.py candidate_unit); an org change
        # clears it at once in its own process.
        "GRIDCASE_PLACEMENT_CACHE_SECONDS": float(os.environ.get("GRIDCASE_PLACEMENT_CACHE_SECONDS", "10")),
        # How long a process may reuse a signed-in user's roles and units (app/auth/principals.py); an org change
        # clears them at once in its own process. The token (or session) user's being active is checked every time.
        "GRIDCASE_USER_CACHE_SECONDS": float(os.environ.get("GRIDCASE_USER_CACHE_SECONDS", "10")),
        # How long a process reuses the overdue open tasks it counted (app/dashboard/overdue.py); changes show after it.
        "GRIDCASE_OVERDUE_CACHE_SECONDS": float(os.environ.get("GRIDCASE_OVERDUE_CACHE_SECONDS", "10")),
        "GRIDCASE_WORKER_INTERVAL": float(os.environ.get("GRIDCASE_WORKER_INTERVAL", "1")),
        # Extra notification senders, "module:Class" separated by commas (the in-app one is built in).
        "GRIDCASE_NOTIFICATION_SENDERS": os.environ.get("GRIDCASE_NOTIFICATION_SENDERS", ""),
        # The case type an Open311 request starts when its category's own start form has no "x-open311" mapping.
        "GRIDCASE_OPEN311_FALLBACK": os.environ.get("GRIDCASE_OPEN311_FALLBACK", "hotline_matter"),
        # A new report of the same category this near (metres) and this recent (hours) to an open case is flagged.
        "GRIDCASE_DUPLICATE_METERS": float(os.environ.get("GRIDCASE_DUPLICATE_METERS", "200")),
        "GRIDCASE_DUPLICATE_HOURS": float(os.environ.get("GRIDCASE_DUPLICATE_HOURS", "72")),
        "SESSION_COOKIE_HTTPONLY": True,
        # Behind HTTPS in production set GRIDCASE_SECURE_COOKIES=1: cookies then never travel in clear text.
        "SESSION_COOKIE_SECURE": os.environ.get("GRIDCASE_SECURE_COOKIES", "") == "1",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # A whole request, attachments included: beyond it the answer is 413 before anything is read.
        "MAX_CONTENT_LENGTH": int(os.environ.get("GRIDCASE_MAX_REQUEST_BYTES", str(32 * 1024 * 1024))),
        # Attachments: files under random names here (never the sender's name), and what one may be.
        "GRIDCASE_ATTACHMENT_DIR": os.environ.get("GRIDCASE_ATTACHMENT_DIR")
        or os.path.join(instance_path, "attachments"),
        "GRIDCASE_ATTACHMENT_MAX_BYTES": int(os.environ.get("GRIDCASE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
        "GRIDCASE_ATTACHMENT_MAX_FILES": int(os.environ.get("GRIDCASE_ATTACHMENT_MAX_FILES", "10")),
        # Pillow's own decompression-bomb limit by default; a photo with more pixels is refused.
        "GRIDCASE_ATTACHMENT_MAX_PIXELS": int(os.environ.get("GRIDCASE_ATTACHMENT_MAX_PIXELS", "89478485")),
        # JSON columns read by orjson (app/engine/json_text.py); idle connections pinged at checkout (app/database.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"json_deserializer": json_text.loads},
        "MIGRATIONS_DIR": str(ROOT / "migrations"),
    }
