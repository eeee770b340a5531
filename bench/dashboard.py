"""The dashboard in `make bench`: the pages a leader opens, measured over HTTP with a signed-in session.

Figures: `dashboard_county` and `dashboard_township` (GET /dashboard for the county and for one township: headline
figures, league table, by case type and twelve periods of trend) and `dashboard_map_county` (the county map's
GeoJSON: 1,000 grid polygons with open/overdue counts, and the newest 2,000 of the 100,000 open cases as points). The pages are HTML behind the login form, so each client
signs in once through /login (CSRF token and session cookie) rather than with an API token. Then
`dashboard_county_dashboard_and_writes`: the county page read by half the clients while the other half walk cases
(their steps: `task_claim_complete_dashboard_and_writes`), as pages are read on a working day.
"""

import re
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, text

from bench.county import COUNTY_CODE
from bench.wire import Wire

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def prepare(conn: Connection) -> None:
    """Give the synthetic grids square boundaries (as the demo county has) so the map has polygons to send, and the
    open cases points in them (case markers); commits."""
    conn.execute(
        text("""
        WITH g AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS i FROM org_unit
                   WHERE kind = 'grid' AND code LIKE '9901%')
        UPDATE org_unit u SET boundary = json_build_object('type', 'Polygon', 'coordinates', json_build_array(
            json_build_array(json_build_array(x, y), json_build_array(x + 0.01, y), json_build_array(x + 0.01, y + 0.01),
                             json_build_array(x, y + 0.01), json_build_array(x, y))))
        FROM (SELECT id, 115.0 + (i % 40) * 0.01 AS x, 28.0 + (i / 40) * 0.01 AS y FROM g) s
        WHERE u.id = s.id AND u.boundary IS NULL""")
    )
    # Open cases get a point inside their grid's square (jittered by id), so the map draws its newest 2,000 markers.
    conn.execute(
        text("""
        WITH g AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS i FROM org_unit
                   WHERE kind = 'grid' AND code LIKE '9901%')
        UPDATE "case" c SET longitude = 115.0 + (g.i % 40) * 0.01 + (c.id % 97) * 0.0001,
                            latitude = 28.0 + (g.i / 40) * 0.01 + (c.id % 89) * 0.0001
        FROM g WHERE c.org_unit_id = g.id AND c.status = 'open' AND c.latitude IS NULL AND c.channel <> 'bench'""")
    )
    conn.commit()


def csrf_token(login_page: str) -> str:
    """The login form's CSRF token."""
    found = CSRF.search(login_page)
    if found is None:
        raise SystemExit("no CSRF token on the login page")
    return found[1] or found[2]


def sample() -> dict[str, Any]:
    """Who opens which dashboards: the county leader (county page and map), a township dispatcher (their township)."""
    township = "990100100000"
    return {
        "county": {"user": f"leader.{COUNTY_CODE}.1", "path": f"/dashboard?org_unit={COUNTY_CODE}"},
        "township": {"user": f"township_dispatcher.{township}.1", "path": f"/dashboard?org_unit={township}"},
        "map_county": {"user": f"leader.{COUNTY_CODE}.1", "path": f"/dashboard/map.geojson?org_unit={COUNTY_CODE}"},
    }


class PageClient:
    """A browser's session cookie, signed in through the login form; connections as bench/load.py's `Client`."""

    def __init__(self, base: str, username: str, password: str, *, keep_alive: bool = False) -> None:
        self.wire = Wire.to(base, keep_alive=keep_alive, timeout=60)
        self.cookies: dict[str, str] = {}
        _status, page, _s = self.get("/login")
        form = urlencode({"csrf_token": csrf_token(page.decode()), "username": username, "password": password})
        status, _body = self._send(
            "POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise SystemExit(f"page login failed for {username}: {status}")

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = self.wire.request(method, path, {**headers, "Cookie": cookie, "Accept-Language": "en"}, body)
        for header in answer.header_values("set-cookie"):
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        return answer.status, answer.body

    def get(self, path: str) -> tuple[int, bytes, float]:
        t0 = time.perf_counter()
        status, raw = self._send("GET", path, None, {})
        return status, raw, time.perf_counter() - t0


def phases(load: Any, run_phase: Callable[..., None]) -> None:
    """Each dashboard figure as a phase of `load` (bench.load.Load): its clients read the page until done or timed out."""
    plan, limits = load.plan["dashboard"], load.limits
    for name, target in plan.items():
        run_phase(f"dashboard_{name}", load.clients, limits["seconds"], _reader(load, f"dashboard_{name}", target))
    run_phase(WRITING, load.clients, limits["seconds"], _beside_writes(load, plan["county"]))


def _reader(load: Any, figure: str, target: dict[str, str]) -> Callable[[int, Callable[[], bool]], None]:
    """A client's work: sign in as the target's user, then read its page (recorded as `figure`) until done."""

    def work(_i: int, go: Callable[[], bool]) -> None:
        client = PageClient(load.base, target["user"], load.plan["password"], keep_alive=load.keep_alive)
        for _ in range(max(1, load.limits["reads"] // load.clients)):
            if not go():
                return
            try:
                status, _body, elapsed = client.get(target["path"])
            except OSError:  # a timeout counts as an error; the next request opens a new connection
                status, elapsed = 0, 0.0
            load.rec.add(figure, status, elapsed)

    return work


# The county page again while cases are walked, as on a county's working day (half the clients each): a change to a
# case must not make every page count the county's overdue tasks again (app/dashboard/overdue.py).
WRITING = "dashboard_and_writes"
SHARED_PHASES = {f"dashboard_county_{WRITING}": WRITING, f"task_claim_complete_{WRITING}": WRITING,
                 f"walk_case_start_{WRITING}": WRITING}  # fmt: skip


def _beside_writes(load: Any, county: dict[str, str]) -> Callable[[int, Callable[[], bool]], None]:
    read = _reader(load, f"dashboard_county_{WRITING}", county)

    def work(i: int, go: Callable[[], bool]) -> None:
        if i % 2:
            load.walk(i, go, steps=f"task_claim_complete_{WRITING}", starts=f"walk_case_start_{WRITING}")
        else:
            read(i, go)

    return work
