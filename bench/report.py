"""Ratios to the floor, the targets of the issue, and the results files (JSON and a markdown table)."""

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

HTTP_FIGURES = [
    ("case_start", "case start (POST /cases)"),
    ("task_claim", "task claim"),
    ("task_complete", "task complete"),
    ("task_claim_complete", "task claim+complete"),
    ("inbox_grid_worker", "inbox first page: grid worker"),
    ("inbox_township_dispatcher", "inbox first page: township dispatcher"),
    ("inbox_county_dispatcher", "inbox first page: county dispatcher"),
    ("case_page", "case page (GET /cases/{id})"),
    ("dashboard_county", "dashboard page: county (GET /dashboard)"),
    ("dashboard_township", "dashboard page: one township"),
    ("dashboard_map_county", "dashboard map GeoJSON: county"),
    ("dashboard_county_dashboard_and_writes", "dashboard page: county, while cases are walked (half the clients)"),
    ("task_claim_complete_dashboard_and_writes", "task claim+complete, beside those county pages (half the clients)"),
]
# Only as a labelled experiment (BENCH_INDEX_EXPERIMENT=1): the index the inbox wants, made by hand.
EXPERIMENT_INDEX_NAME = "bench_experiment_ix_task_open_candidate"
EXPERIMENT_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {EXPERIMENT_INDEX_NAME} ON task (role, org_unit_id, due_at, created_at, id) "
    "WHERE status = 'open' AND assignee_id IS NULL"
)


def floor_of(r: dict[str, Any]) -> dict[str, Any]:
    """The floor the ratios divide by: the mean of the runs before and after the HTTP load (runs before
    2026-11-27-s7 measured it before only), so a machine whose speed drifts during the run moves both sides alike."""
    runs = [run for run in (r["floor"], r.get("floor_after")) if run and run.get("per_second")]
    if not runs:
        return {"per_second": None, "p50_ms": None}
    return {key: round(sum(run[key] for run in runs) / len(runs), 2) for key in ("per_second", "p50_ms")}


def floor_beside_complete(r: dict[str, Any]) -> float | None:
    """The floor measured by the load process before, between and after the completion phase's slices (mean
    steps/s; before and after the whole phase until 2026-11-27-s16; runs before 2026-11-27-s14-final-d did not
    measure it): what the completion target divides by, the machine being then as it was during the phase."""
    runs = [run["per_second"] for run in r["http"].get("floor_beside_complete", ()) if run.get("per_second")]
    return round(sum(runs) / len(runs), 2) if runs else None


def ratios(r: dict[str, Any]) -> dict[str, Any]:
    """Each figure's throughput and median latency as a multiple of the plain engine floor."""
    base = floor_of(r)
    out = {}
    for name, fig in {**r["http"]["figures"], "gridcase_engine": r["gridcase_engine"]}.items():
        out[name] = {
            "throughput_x_floor": round(fig["per_second"] / base["per_second"], 3) if fig["per_second"] else None,
            "p50_x_floor": round(fig["p50_ms"] / base["p50_ms"], 2) if fig["p50_ms"] else None,
        }
    return out


def targets(r: dict[str, Any]) -> dict[str, Any]:
    figs, base = r["http"]["figures"], floor_beside_complete(r) or floor_of(r)["per_second"]
    complete = figs.get("task_complete", {})
    ours = r["history"]["gridcase"]
    out = {
        "task_complete_throughput >= 0.5 x floor": _check(
            complete.get("per_second"), 0.5 * base, ">=", {"floor_per_second": base}
        ),
        "task_complete p99 < 100 ms": _check(complete.get("p99_ms"), 100, "<"),
        "case_page p95 <= 50 ms": _check(figs.get("case_page", {}).get("p95_ms"), 50, "<="),
        "step cost at 200th loop <= 1.5 x first (app.engine)": _check(ours["last_over_first"], 1.5, "<="),
    }
    out["dashboard county p95 <= 300 ms"] = _check(figs.get("dashboard_county", {}).get("p95_ms"), 300, "<=")
    out["dashboard township p95 <= 100 ms"] = _check(figs.get("dashboard_township", {}).get("p95_ms"), 100, "<=")
    for kind in ("grid_worker", "township_dispatcher", "county_dispatcher"):
        out[f"inbox {kind} p95 <= 50 ms"] = _check(figs.get(f"inbox_{kind}", {}).get("p95_ms"), 50, "<=")
    out["timer worker fires >= 500 due timers/s"] = _check(r.get("timer_sweep", {}).get("per_second"), 500, ">=")
    late = r.get("timer_lateness") or {}
    out["timer never more than 2 s late under the load (max)"] = _check(late.get("max_ms"), 2000, "<=")
    return out


def _check(value: float | None, limit: float, op: str, extra: Any = None) -> dict[str, Any]:
    met = value is not None and {"<": value < limit, "<=": value <= limit, ">=": value >= limit}[op]
    return {"value": value, "limit": round(limit, 1), "met": met, **({"ratio": extra} if extra else {})}


def baseline(before: dict[str, Any]) -> dict[str, Any]:
    """The figures of an earlier results file, kept beside the new ones (before/after)."""
    return {"date": before["date"], "label": before.get("label", ""), "figures": before["http"]["figures"],
            "floor": before["floor"], "gridcase_engine": before["gridcase_engine"],
            "timer_sweep": before.get("timer_sweep")}  # fmt: skip


def _cell(fig: dict[str, Any] | None) -> list[str]:
    if not fig:
        return ["–"] * 4
    return [str(fig.get(k)) for k in ("per_second", "p50_ms", "p95_ms", "p99_ms")]


def _cpu_split(r: dict[str, Any]) -> list[str]:
    """Where each request's CPU went, and the throughput the machine's cores could give at that cost."""
    cores = r["machine"]["cores"] or 1
    rows = []
    for name, title in HTTP_FIGURES:
        figure = r["http"]["figures"].get(name, {})
        if cpu := figure.get("cpu_ms"):
            total = sum(cpu.values())
            ceiling = round(cores * 1000 / total, 1) if total else "–"
            busiest = figure.get("busiest_process_share")
            rows.append(f"| {title} | {cpu['server']} | {cpu['postgres']} | {cpu['load']} | {round(total, 2)} | "
                        f"{ceiling} | {'–' if busiest is None else f'{busiest:.0%}'} |")  # fmt: skip
    if not rows:
        return []
    return ["Where a request's CPU goes (ms per request over its phase, from /proc; server = gunicorn and its workers, "
            "PostgreSQL = all its processes; ceiling = the cores' throughput at that cost; busiest process = the "
            "busiest gunicorn process's share of their CPU, 1/N when the N shared the work evenly):", "",
            "| figure | server | PostgreSQL | load process | total | ceiling req/s | busiest process |",
            "|---|---|---|---|---|---|---|",
            *rows, ""]  # fmt: skip


def _beside_complete(r: dict[str, Any]) -> list[str]:
    beside, complete = r["http"].get("floor_beside_complete"), r["http"]["figures"].get("task_complete", {})
    floor = floor_beside_complete(r)
    if not beside or not floor or not complete.get("per_second"):
        return []
    speeds = ", ".join(str(run["per_second"]) for run in beside)
    lines = [
        f"Task completion ÷ the floor measured before, between and after the slices of its phase ({speeds} steps/s, "
        f"in the load process, the server idle): {round(complete['per_second'] / floor, 3)} (the target's ratio)."
    ]
    slices = [(run["slice_after"], (run["per_second"] + after["per_second"]) / 2)
              for run, after in pairwise(beside) if "slice_after" in run]  # fmt: skip
    if slices:
        each = ", ".join(f"{done['per_second']}/s ({round(done['per_second'] / around, 3)})"
                         for done, around in slices if done["per_second"])  # fmt: skip
        lines.append(f"Each slice (÷ the floors either side of it): {each}.")
    return [*lines, ""]


def _lateness(late: dict[str, Any] | None) -> list[str]:
    if not late:
        return []
    return [f"Timer lateness under the HTTP load ({late['count']} timers coming due during the load, fired by the "
            f"`flask worker` process; upper bounds, polled every {late['poll_ms']} ms): p50 {late['p50_ms']} ms, "
            f"p95 {late['p95_ms']} ms, p99 {late['p99_ms']} ms, max {late['max_ms']} ms; "
            f"not fired: {late['not_fired']}.", ""]  # fmt: skip


def markdown(r: dict[str, Any]) -> str:
    base = r["floor"]
    before = r.get("before", {}).get("figures", {})
    lines = [
        f"# gridcase bench {r['date']} {r.get('label', '')}".rstrip(),
        "",
        f"County: {json.dumps(r['county']['counts'])}; {r['settings']['clients']} concurrent clients"
        f" ({'one connection each' if r['settings'].get('keep_alive') else 'a connection per request'}); gunicorn "
        f"{r['settings']['workers']} workers × {r['settings']['threads']} threads; PostgreSQL; "
        f"{r['machine']['cores']} cores. The × floor column divides by {floor_of(r)['per_second']} steps/s, "
        + ("the mean of the floor before and after the HTTP load." if r.get("floor_after") else "the floor."),
        "",
        "| figure | req/s | p50 ms | p95 ms | p99 ms | × floor (req/s) | before: req/s | before: p95 ms |",
        "|---|---|---|---|---|---|---|---|",
        "| engine floor: plain SpiffWorkflow step (in process, 1 thread) | " + " | ".join(_cell(base)) + " | 1 | | |",
        *(
            ["| the same, after the HTTP load | " + " | ".join(_cell(r["floor_after"])) + " | 1 | | |"]
            if r.get("floor_after")
            else []
        ),
        "| app.engine step (in process, 1 thread) | "
        + " | ".join(_cell(r["gridcase_engine"]))
        + f" | {r['ratios']['gridcase_engine']['throughput_x_floor']} | | |",
    ]
    for name, title in HTTP_FIGURES:
        fig = r["http"]["figures"].get(name)
        old = before.get(name) or {}
        ratio = r["ratios"].get(name, {}).get("throughput_x_floor", "–")
        lines.append(f"| {title} | " + " | ".join(_cell(fig)) + f" | {ratio} | {old.get('per_second', '')} | "
                     f"{old.get('p95_ms', '')} |")  # fmt: skip
    sweep, old_sweep = r.get("timer_sweep") or {}, r.get("before", {}).get("timer_sweep") or {}
    lines += [f"| timer sweep: timers fired by one worker ({sweep.get('count')} due; ms per timer) | "
              + " | ".join(_cell(sweep)) + f" | | {old_sweep.get('per_second', '')} | {old_sweep.get('p95_ms', '')} |",
              "",
              *_beside_complete(r),
              *_cpu_split(r),
              *_lateness(r.get("timer_lateness")),
              "History growth (one case, failed re-inspection loop; ms per human step):", "",
              "| engine | " + " | ".join(f"iter {p['iteration']}" for p in r["history"]["plain"]["points"])
              + " | last ÷ first |", "|---|" + "---|" * (len(r["history"]["plain"]["points"]) + 1)]  # fmt: skip
    for name, hist in r["history"].items():
        cells = [str(p["step_ms"]) if p["step_ms"] is not None else "stalled" for p in hist["points"]]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {hist['last_over_first']} |")
    if r.get("cpu_ms"):
        lines += ["", "CPU ms per operation (bench/cpu.py: in process, test client; least disturbed of "
                  f"{r['settings'].get('cpu_repeat')} samples):", "", "| operation | CPU ms |", "|---|---|"]  # fmt: skip
        lines += [f"| {name} | {ms} |" for name, ms in r["cpu_ms"].items()]
    lines += ["", "Targets:", ""]
    lines += [f"- {'met' if t['met'] else 'MISSED'}: {name} (value {t['value']}, limit {t['limit']})"
              for name, t in r["targets"].items()]  # fmt: skip
    if r["http"].get("errors"):
        lines += ["", f"Non-2xx answers: {json.dumps(r['http']['errors'])}"]
    return "\n".join(lines) + "\n"


def write(r: dict[str, Any], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = r["date"][:10] + (f"-{r['label']}" if r.get("label") else "")
    path = out_dir / f"{stem}.json"
    path.write_text(json.dumps(r, indent=1, ensure_ascii=False) + "\n", "utf-8")
    path.with_suffix(".md").write_text(markdown(r), "utf-8")
    return path
