"""The batched look-ups of the hot paths give what the one-at-a-time ones give."""

from typing import Any

from app.extensions import db
from app.org.service import candidate_unit, forget_placements, prime_candidate_units, unit_by_code
from tests.conftest import GRID_1, GRID_5, TOWNSHIP_1

ROLES = ("grid_worker", "township_dispatcher", "county_dispatcher", "fire_safety_inspector", "no_such_role")


def _one_by_one(codes: list[str]) -> dict[tuple[str, str], str]:
    found = {}
    for code in codes:
        for role in ROLES:
            db.session.rollback()  # a fresh transaction: no remembered units
            found[(role, code)] = candidate_unit(role, unit_by_code(code)).code
    return found


def _batched(codes: list[str]) -> dict[tuple[str, str], str]:
    db.session.rollback()
    forget_placements()  # what `_one_by_one` left in this process: the batch's own statement finds them
    return _batched_now(codes)


def test_the_units_of_a_batch_are_those_found_one_by_one(run: Any) -> None:
    codes = [GRID_1, GRID_5, TOWNSHIP_1]
    expected = run(_one_by_one, codes)
    assert run(_batched, codes) == expected
    assert expected[("grid_worker", GRID_1)] == GRID_1  # held in the grid itself
    assert expected[("township_dispatcher", GRID_1)] == TOWNSHIP_1  # the nearest ancestor holding it
    assert expected[("no_such_role", GRID_5)] == GRID_5  # held nowhere: stays at the case's unit
    assert len({expected[("county_dispatcher", c)] for c in codes}) == 1


def test_a_batch_of_timers_places_its_tasks_in_one_statement(run: Any, app: Any) -> None:
    from tests.perf.statements import statements

    def batched() -> None:
        forget_placements()
        units = [unit_by_code(GRID_1), unit_by_code(GRID_5)]
        with statements(app) as seen:
            prime_candidate_units({(role, unit) for unit in units for role in ROLES})
            for unit in units:
                for role in ROLES:
                    candidate_unit(role, unit)
        assert len(seen) == 1, seen

    run(batched)


def test_the_next_batch_places_what_this_process_remembers_without_a_query(run: Any, app: Any) -> None:
    from tests.perf.statements import statements

    def two_batches() -> dict[tuple[str, str], str]:
        forget_placements()
        first = _batched_now([GRID_1, TOWNSHIP_1])
        db.session.rollback()  # the next batch is the next transaction
        with statements(app) as seen:
            second = _batched_now([GRID_1, TOWNSHIP_1])
        assert [s for s in seen if "org_unit" in s and "membership" in s] == [], seen
        assert second == first
        return second

    placed = run(two_batches)
    assert placed[("township_dispatcher", GRID_1)] == TOWNSHIP_1


def _batched_now(codes: list[str]) -> dict[tuple[str, str], str]:
    units = {code: unit_by_code(code) for code in codes}
    prime_candidate_units({(role, unit) for unit in units.values() for role in ROLES})
    return {(role, code): candidate_unit(role, unit).code for code, unit in units.items() for role in ROLES}
