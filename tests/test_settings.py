"""Settings (app/config.py): instance/config.py takes the environment's names, the environment wins, postgresql:// is
psycopg, and a setting the app cannot run with stops the start, naming it and the form it takes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import SettingsError, load_settings
from app.extensions import db
from tests.conftest import ROOT

FLASK = str(Path(sys.executable).with_name("flask"))


def _instance(tmp_path: Path, body: str) -> str:
    (tmp_path / "config.py").write_text(body, "utf-8")
    return str(tmp_path)


def test_instance_config_takes_the_documented_names(tmp_path: Path) -> None:
    instance = _instance(tmp_path, 'DATABASE_URL = "postgresql://gc:pw@db.example:5432/gridcase"\n'
                                   'GRIDCASE_TIMEZONE = "Asia/Urumqi"\nGRIDCASE_SECURE_COOKIES = True\n'
                                   "GRIDCASE_TOKEN_HOURS = 6\nGRIDCASE_PROXY_HOPS = 1\n"
                                   'SESSION_COOKIE_NAME = "gc_session"\nlower_case_helper = 1\n')  # fmt: skip
    settings = load_settings(instance, environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://gc:pw@db.example:5432/gridcase"
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "Asia/Urumqi"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert (settings["GRIDCASE_TOKEN_HOURS"], settings["GRIDCASE_PROXY_HOPS"]) == (6, 1)
    assert settings["SESSION_COOKIE_NAME"] == "gc_session"  # another Flask key passes through as it always did
    assert "lower_case_helper" not in settings


def test_the_environment_wins_over_the_file_and_an_empty_value_counts_as_unset(tmp_path: Path) -> None:
    instance = _instance(tmp_path, 'GRIDCASE_TIMEZONE = "Asia/Urumqi"\nGRIDCASE_LOCALE = "en"\n')
    settings = load_settings(instance, environ={"GRIDCASE_TIMEZONE": "Asia/Hong_Kong", "GRIDCASE_LOCALE": ""})
    assert (settings["BABEL_DEFAULT_TIMEZONE"], settings["BABEL_DEFAULT_LOCALE"]) == ("Asia/Hong_Kong", "en")
    defaults = load_settings(str(tmp_path / "empty"), environ={})
    assert defaults["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and defaults["GRIDCASE_PROXY_HOPS"] == 0
    assert defaults["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai" and defaults["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('SQLALCHEMY_DATABASE_URI = "sqlite://"\n', "write DATABASE_URL there instead"),
        ('BABEL_DEFAULT_TIMEZONE = "UTC"\n', "write GRIDCASE_TIMEZONE there instead"),
        ('GRIDCASE_TIMEZOEN = "UTC"\n', "GRIDCASE_TIMEZOEN (in "),
        ("GRIDCASE_THREADS = 8\n", "GRIDCASE_THREADS (in "),
        ("GRIDCASE_OFFICE_HOURS = ['08:30-12:00']\n", "write it as text"),
        ('GRIDCASE_TIMEZONE = "Mars/Base"\n', "GRIDCASE_TIMEZONE='Mars/Base' (from "),
    ],
)
def test_a_name_in_the_file_is_never_ignored_silently(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(SettingsError, match=r"config\.py") as caught:
        load_settings(_instance(tmp_path, body), environ={})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://gc:p%40ss@db:5432/gridcase", "postgresql+psycopg://gc:p%40ss@db:5432/gridcase"),
        ("postgres://gc@db/gridcase", "postgresql+psycopg://gc@db/gridcase"),
        ("postgresql+psycopg://gc@db/gridcase", "postgresql+psycopg://gc@db/gridcase"),
        ("sqlite:////var/lib/gridcase/gridcase.sqlite", "sqlite:////var/lib/gridcase/gridcase.sqlite"),
    ],
)
def test_plain_postgresql_urls_get_the_installed_driver(tmp_path: Path, given: str, used: str) -> None:
    assert load_settings(str(tmp_path), environ={"DATABASE_URL": given})["SQLALCHEMY_DATABASE_URI"] == used


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("GRIDCASE_OFFICE_HOURS", "garbage", "HH:MM-HH:MM periods"),
        ("GRIDCASE_OFFICE_HOURS", "08:30-12:00,11:00-13:00", "not overlapping"),
        ("GRIDCASE_OFFICE_HOURS", "17:30-08:30", "each ending after it starts"),
        ("GRIDCASE_OFFICE_HOURS", "08:30+08:00-12:00", "HH:MM-HH:MM periods"),
        ("GRIDCASE_TIMEZONE", "Mars/Base", "IANA time zone name"),
        ("GRIDCASE_TIMEZONE", "../../etc/passwd", "IANA time zone name"),
        ("GRIDCASE_LOCALE", "fr", "zh_Hans_CN or en"),
        ("GRIDCASE_TOKEN_HOURS", "twelve", "a whole number, at least 1"),
        ("GRIDCASE_PROXY_HOPS", "-1", "a whole number, at least 0"),
        ("GRIDCASE_WORKER_INTERVAL", "0", "a number above 0"),
        ("GRIDCASE_USER_CACHE_SECONDS", "nan", "a number at least 0"),
        ("GRIDCASE_SECURE_COOKIES", "maybe", "1 (on) or 0 (off)"),
        ("GRIDCASE_NOTIFICATION_SENDERS", "myorg.sms", "module:Class"),
        ("GRIDCASE_PROCESSES_DIR", "/no/such/folder", "an existing folder"),
        ("GRIDCASE_MAX_REQUEST_BYTES", "32MB", "a whole number"),
    ],
)
def test_a_bad_setting_is_refused_naming_it_and_its_form(tmp_path: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(str(tmp_path), environ={name: value})
    assert f"{name}={value!r} (from the environment)" in str(caught.value) and expected in str(caught.value)


def test_a_bad_database_url_is_refused_without_echoing_its_password(tmp_path: Path) -> None:
    for url in ("mysql://gc:s3cret@db/gridcase", "postgresql://gc:s3cret@db:port/gridcase"):
        with pytest.raises(SettingsError, match="DATABASE_URL") as caught:
            load_settings(str(tmp_path), environ={"DATABASE_URL": url})
        assert "s3cret" not in str(caught.value) and "postgresql://user:password@host" in str(caught.value)


def test_good_values_reach_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_OFFICE_HOURS", "14:00-17:30, 09:00-12:00")  # any order, as the calendar sorts them
    monkeypatch.setenv("GRIDCASE_SECURE_COOKIES", "true")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"},
                     instance_path=str(tmp_path))  # fmt: skip
    assert app.config["GRIDCASE_OFFICE_HOURS"] == "14:00-17:30, 09:00-12:00" and app.config["SESSION_COOKIE_SECURE"]


def test_create_app_uses_the_database_named_in_instance_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The defect: DATABASE_URL there was ignored, and the app ran on instance/gridcase.sqlite without a word."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = tmp_path / "county.sqlite"
    instance = _instance(tmp_path, f'DATABASE_URL = "sqlite:///{database}"\n')
    app = create_app(instance_path=instance)
    with app.app_context():
        db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
        db.session.commit()
        assert make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database == str(database)
        db.engine.dispose()
    assert database.exists() and not (tmp_path / "gridcase.sqlite").exists()


def test_create_app_refuses_a_time_zone_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_TIMEZONE", "Mars/Base")
    with pytest.raises(SettingsError, match="GRIDCASE_TIMEZONE='Mars/Base'"):
        create_app({"TESTING": True}, instance_path=str(tmp_path))


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"FLASK_APP": "wsgi", **env}
    return subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("name", "value"), [("GRIDCASE_OFFICE_HOURS", "garbage"), ("GRIDCASE_TIMEZONE", "Mars/Base")])
def test_gunicorn_and_the_cli_stop_with_one_line_naming_the_setting(name: str, value: str) -> None:
    imported = _run([sys.executable, "-c", "import wsgi"], **{name: value})
    assert imported.returncode == 4, imported.stderr  # gunicorn's "App failed to load": its master stops
    assert imported.stderr.startswith(f"gridcase cannot start: {name}={value!r}") and "Traceback" not in imported.stderr
    worker = _run([FLASK, "worker", "--once"], **{name: value})
    assert worker.returncode == 4 and f"{name}={value!r}" in worker.stderr
    assert "No such command" not in worker.stderr


@pytest.mark.skipif(not os.environ.get("GRIDCASE_TEST_DATABASE_URL"), reason="needs PostgreSQL")
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_the_cli_runs_on_a_plain_postgresql_url(scheme: str) -> None:
    url = make_url(os.environ["GRIDCASE_TEST_DATABASE_URL"]).set(drivername=scheme)
    result = _run([FLASK, "db", "current"], DATABASE_URL=url.render_as_string(hide_password=False))
    assert result.returncode == 0, result.stderr
    assert "psycopg2" not in result.stderr and "No such command" not in result.stderr
