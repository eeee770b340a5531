"""The load process: drives a running gridcase over HTTP on loopback, bounded in count and time.

    python -m bench.load PLAN.json OUT.json

PLAN (written by bench/run.py) names the base URL, the users, the cases to read and
the limits; OUT receives every request's latency summarised per figure. Each virtual
user logs in once; clients are threads, each with its own connection (bench/wire.py).
"""

import json
import math
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from bench import dashboard, processes
from bench.floor import floor, plain_engine, summary
from bench.wire import Answer, Wire

FIRE_REPORT = {"address": "基准路8号", "hazard_kind": "electrical", "description": "电动车楼道充电",
               "severity": "high", "responsible_party": "李四", "fixed_on_spot": False}  # fmt: skip
WALK = [
    ("township_dispatcher", {"severity_decision": "minor", "assessment_opinion": "现场可整改"}),
    ("grid_worker", {"rectification_measures": "拆除私拉电线", "rectified_on": "2026-11-26"}),
    ("grid_worker", {"reinspection_passed": True, "reinspection_notes": "已消除"}),
]


class Client:
    """One HTTP client (a connection per request, or one kept: bench/wire.py); every call is
    timed, and an answer's JSON is decoded only when the caller reads it."""

    def __init__(self, base: str, *, keep_alive: bool = False) -> None:
        self.wire = Wire.to(base, keep_alive=keep_alive, timeout=30)
        self.headers = {"Content-Type": "application/json", "Accept-Language": "en"}

    def call(self, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, Answer, float]:
        headers = {**self.headers, "Authorization": f"Bearer {token}"} if token else self.headers
        payload = json.dumps(body).encode() if body is not None else None
        t0 = time.perf_counter()
        answer = self.wire.request(method, f"/api/v1{path}", headers, payload)
        return answer.status, answer, time.perf_counter() - t0


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, name: str, status: int, elapsed: float, ok: tuple[int, ...] = (200, 201)) -> None:
        with self.lock:
            if status in ok:
                self.samples.setdefault(name, []).append(elapsed)
            else:
                self.errors[f"{name}:{status}"] = self.errors.get(f"{name}:{status}", 0) + 1


class Phases:
    """Runs the phases; keeps each one's wall time and the CPU the server, PostgreSQL and this process spent. A phase
    run in slices (the same name again) adds up: its wall time and CPU are those of its slices, not of the pauses."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.walls: dict[str, float] = {}
        self.cpu: dict[str, dict[str, float]] = {}
        self.busiest: dict[str, float | None] = {}  # the busiest gunicorn process's share of their CPU
        self._worker_cpu: dict[str, dict[int, float]] = {}  # each worker's CPU over the phase (its slices added up)

    def run(self, name: str, clients: int, seconds: float, work: Callable[[int, Callable[[], bool]], None]) -> float:
        """Run one phase (or one more slice of it); its wall time in seconds."""
        before, workers_before = processes.snapshot(self.server_pid)
        wall = run_phase(clients, seconds, work)
        after, workers_after = processes.snapshot(self.server_pid)
        spent, earlier = processes.spent(before, after), self.cpu.get(name, {})
        self.walls[name] = self.walls.get(name, 0.0) + wall
        self.cpu[name] = {key: round(value + earlier.get(key, 0.0), 3) for key, value in spent.items()}
        kept = self._worker_cpu.setdefault(name, {})
        for pid, cpu in workers_after.items():
            kept[pid] = kept.get(pid, 0.0) + cpu - workers_before.get(pid, 0.0)
        self.busiest[name] = processes.busiest_share({}, kept)
        return wall


def run_phase(clients: int, seconds: float, work: Callable[[int, Callable[[], bool]], None]) -> float:
    """Run `work(client_index, keep_going)` on `clients` threads until each stops or time is up."""
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=work, args=(i, lambda: time.perf_counter() < deadline)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def login(base: str, usernames: set[str], password: str) -> dict[str, str]:
    client, tokens = Client(base), {}
    for username in sorted(usernames):
        status, answer, _ = client.call("POST", "/auth/token", None, {"username": username, "password": password})
        if status != 200:
            raise SystemExit(f"login failed for {username}: {status} {answer.body[:300]!r}")
        tokens[username] = answer.json()["token"]
    return tokens


class Load:
    """The phases: each client thread runs one of these until its count or the phase's time is used up."""

    def __init__(self, plan: dict[str, Any], tokens: dict[str, str]) -> None:
        self.plan, self.tokens, self.rec = plan, tokens, Recorder()
        self.base, self.limits, self.walkers = plan["url"], plan["limits"], plan["walkers"]
        self.clients = self.limits["clients"]
        self.keep_alive = bool(self.limits.get("keep_alive", False))
        # Per client: the first task of each case it started, then those of them it claimed.
        self.first_tasks: list[list[str]] = [[] for _ in range(self.clients)]
        self.claimed: list[list[str]] = [[] for _ in range(self.clients)]

    def client(self) -> Client:
        return Client(self.base, keep_alive=self.keep_alive)

    def start_case(self, client: Client, walker: dict[str, str], name: str) -> dict[str, Any] | None:
        body = {"case_type": "fire_hazard_rectification", "org_unit": walker["grid"], "data": FIRE_REPORT,
                "channel": "bench"}  # fmt: skip
        status, answer, elapsed = client.call("POST", "/cases", self.tokens[walker["grid_worker"]], body)
        self.rec.add(name, status, elapsed)
        return answer.json() if status == 201 else None

    def starts(self, i: int, go: Callable[[], bool]) -> None:
        client, walker = self.client(), self.walkers[i % len(self.walkers)]
        for _ in range(self.limits["case_starts"] // self.clients):
            if not go():
                return
            if started := self.start_case(client, walker, "case_start"):
                self.first_tasks[i].append(started["open_tasks"][0]["id"])

    def claims(self, i: int, go: Callable[[], bool]) -> None:
        """Claim the first task (the township's acceptance) of every case this client started."""
        client, token = self.client(), self.tokens[self.walkers[i % len(self.walkers)]["township_dispatcher"]]
        for task_id in self.first_tasks[i]:
            if not go():
                return
            status, _, elapsed = client.call("POST", f"/tasks/{task_id}/claim", token)
            self.rec.add("task_claim", status, elapsed)
            if status == 200:
                self.claimed[i].append(task_id)

    def completing(self, slices_left: int) -> Callable[[int, Callable[[], bool]], None]:
        """Complete tasks claimed in the phase before, each client its next 1/`slices_left` of those it has left: task
        completion alone, its own throughput, in slices (see `complete_between_floors`)."""

        def work(i: int, go: Callable[[], bool]) -> None:
            client, token = self.client(), self.tokens[self.walkers[i % len(self.walkers)]["township_dispatcher"]]
            left = self.claimed[i]
            for _ in range(math.ceil(len(left) / slices_left)):
                if not go():
                    return
                task_id = left.pop()
                status, _, elapsed = client.call("POST", f"/tasks/{task_id}/complete", token, {"data": WALK[0][1]})
                self.rec.add("task_complete", status, elapsed)

        return work

    def walk(
        self, i: int, go: Callable[[], bool], steps: str = "task_claim_complete", starts: str = "walk_case_start"
    ) -> None:
        """Walk whole fire-hazard cases: start each (recorded as `starts`), claim and complete each task (`steps`)."""
        client, walker = self.client(), self.walkers[i % len(self.walkers)]
        for _ in range(self.limits["walk_cases"] // self.clients):
            if not go():
                return
            started = self.start_case(client, walker, starts)
            tasks = started["open_tasks"] if started else []
            for role, data in WALK:
                if not tasks:
                    break
                tasks = self.claim_and_complete(client, self.tokens[walker[role]], tasks[0]["id"], data, steps)

    def claim_and_complete(
        self, client: Client, token: str, task_id: str, data: dict[str, Any], name: str
    ) -> list[Any]:
        status, _, claim_s = client.call("POST", f"/tasks/{task_id}/claim", token)
        if status != 200:
            self.rec.add(name, status, claim_s)
            return []
        status, answer, complete_s = client.call("POST", f"/tasks/{task_id}/complete", token, {"data": data})
        self.rec.add(name, status, claim_s + complete_s)
        return list(answer.json()["open_tasks"]) if status == 200 else []

    def reads(self, name: str, username: str, paths: Callable[[random.Random], str]) -> Callable[..., None]:
        def work(i: int, go: Callable[[], bool]) -> None:
            client, rng = self.client(), random.Random(i)  # noqa: S311 - load shape, not security
            for _ in range(self.limits["reads"] // self.clients):
                if not go():
                    return
                status, _, elapsed = client.call("GET", paths(rng), self.tokens[username])
                self.rec.add(name, status, elapsed)

        return work


def main(plan: dict[str, Any]) -> dict[str, Any]:
    users = {w[k] for w in plan["walkers"] for k in ("grid_worker", "township_dispatcher")}
    users |= set(plan["inbox_users"].values()) | {plan["case_reader"]}
    load = Load(plan, login(plan["url"], users, plan["password"]))
    clients, seconds, phases = load.clients, load.limits["seconds"], Phases(plan["server_pid"])
    phases.run("case_start", clients, seconds, load.starts)
    phases.run("task_claim", clients, seconds, load.claims)
    floors_beside_complete = complete_between_floors(load, phases)
    phases.run("task_walk", clients, seconds, load.walk)
    for kind, username in plan["inbox_users"].items():
        phases.run(
            f"inbox_{kind}", clients, seconds, load.reads(f"inbox_{kind}", username, lambda _rng: "/tasks?limit=50")
        )
    case_ids = plan["case_ids"]
    work = load.reads("case_page", plan["case_reader"], lambda rng: f"/cases/{rng.choice(case_ids)}")
    phases.run("case_page", clients, seconds, work)
    if "dashboard" in plan:
        dashboard.phases(load, phases.run)
    return {**figures(load.rec, phases), "floor_beside_complete": floors_beside_complete}


COMPLETE_SLICES = 4


def complete_between_floors(load: Load, phases: Phases) -> list[dict[str, Any]]:
    """The completion phase in `COMPLETE_SLICES` slices, the engine floor (bench/floor.py) measured here, the server
    idle, before, between and after them; each floor but the last with the completions of the slice that follows.

    The completion target divides by the floor (bench/report.py), and the machine's speed moves: by a third within a
    run, by a fifth between the floors measured just before and just after a 20-second phase. Between slices, the
    floors see the machine as the completions around them did."""
    engine, limits = plain_engine(), load.limits

    def measured() -> dict[str, Any]:
        return floor(engine, cases=limits["floor_cases"], seconds=limits["floor_seconds"])

    floors: list[dict[str, Any]] = []
    for slices_left in range(COMPLETE_SLICES, 0, -1):
        floors.append(measured())
        done = len(load.rec.samples.get("task_complete", ()))
        wall = phases.run("task_complete", load.clients, limits["seconds"] / COMPLETE_SLICES,
                          load.completing(slices_left))  # fmt: skip
        count = len(load.rec.samples.get("task_complete", ())) - done
        floors[-1]["slice_after"] = {"count": count, "per_second": round(count / wall, 1) if wall else None}
    floors.append(measured())
    return floors


def figures(rec: Recorder, phases: Phases) -> dict[str, Any]:
    """Each figure over its phase's wall time; a figure with a phase of its own also gets CPU ms per request."""
    walls = {"walk_case_start": "task_walk", "task_claim_complete": "task_walk", **dashboard.SHARED_PHASES}
    out: dict[str, Any] = {}
    for name, samples in rec.samples.items():
        phase = walls.get(name, name)
        out[name] = {**summary(samples, wall=phases.walls[phase]), "phase_seconds": round(phases.walls[phase], 2)}
        if phase == name:
            out[name]["cpu_ms"] = {k: round(v * 1000 / len(samples), 2) for k, v in phases.cpu[name].items()}
            out[name]["busiest_process_share"] = phases.busiest[name]
    return {"figures": out, "errors": rec.errors, "phase_cpu_seconds": phases.cpu}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    result = main(plan)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
