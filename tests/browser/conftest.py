"""A real gunicorn on loopback with a fresh database, driven by Debian's Chromium through Playwright.

`make test` installs chromium with apt when it is missing and the user is root; elsewhere
these tests are skipped with a message saying so. Screenshots of failures go to
test-artifacts/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from tests.conftest import ROOT, build_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: `apt-get install chromium` (make test does it when run as root)")
    database = f"sqlite:///{tmp_path_factory.mktemp('live') / 'gridcase.sqlite'}"
    app = build_app(database)  # migrations, demo county, diagrams
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "browser-tests",
           "GRIDCASE_ATTACHMENT_DIR": str(tmp_path_factory.mktemp("attachments"))}  # fmt: skip
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urlopen(f"{base}/login", timeout=1):  # noqa: S310 - our own server on loopback
                break
        except OSError:
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "gridcase-demo")
    page.click("button.primary")
    page.wait_for_url("**/inbox")


def sign_out(page: Any) -> None:
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url("**/login")
