"""Time limits and timer values are bounded at deploy, and the calendar never fails with a 500 on one."""

from datetime import UTC, datetime, timedelta

import pytest

from app.calendars.workdays import DeadlineError, WorkCalendar
from app.engine.durations import MAX_DAYS, Duration, check_timer_value, parse_duration
from tests.engine.test_definitions import FIRE, compile_text, line_of, problems_of

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
DEADLINE = '<spiffworkflow:property name="deadline" value="2 working hours"/>'


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("99999999 days", "3660 days"),
        ("P99999999D", "3660 days"),
        ("PT99999999999H", "3660 days"),
        ("P1DT99999999999M", "3660 days"),
        ("9" * 5000 + " days", "3660 days"),  # a float of thousands of digits: infinity
        ("P" + "9" * 5000 + "D", "3660 days"),  # not int(): that would fail on Python's digit limit
        ("87841 hours", "3660 days"),
        ("99999999 working hours", "20880 working hours"),
        ("20881 working hours", "20880 working hours"),
        ("99999 working days", "2610 working days"),
        ("2611 working days", "2610 working days"),
        ("2611个工作日", "2610 working days"),
    ],
)
def test_a_time_limit_beyond_ten_years_is_refused_with_the_bound(text: str, bound: str) -> None:
    with pytest.raises(ValueError, match=f"is too long: a time limit may be at most {bound}"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("3660 days", Duration(3660, "days")),
        ("P3660D", Duration(3660, "days")),
        ("87840 hours", Duration(87840, "hours")),
        ("2610 working days", Duration(2610, "days", working=True)),
        ("20880 working hours", Duration(20880, "hours", working=True)),
        ("P1DT2H", Duration(24 * 60 + 120, "minutes")),
    ],
)
def test_a_time_limit_up_to_the_bound_parses(text: str, limit: Duration) -> None:
    assert parse_duration(text) == limit


def test_the_lint_names_the_task_line_and_bound_of_a_deadline_too_long() -> None:
    xml = FIRE.replace(DEADLINE, '<spiffworkflow:property name="deadline" value="99999 working days"/>')
    [problem] = problems_of(xml)
    line = line_of(xml, '<bpmn:userTask id="accept_and_assess"')
    assert problem == (
        f"test.bpmn:{line} [accept_and_assess]: deadline: '99999 working days' is too long: "
        "a time limit may be at most 2610 working days (about ten years)"
    )


@pytest.mark.parametrize(
    ("source", "kind", "reason"),
    [
        ("'x'", "timeDuration", "is not an ISO 8601 duration"),
        ("'-P1D'", "timeDuration", "is not an ISO 8601 duration"),
        ("' P7D'", "timeDuration", "is not an ISO 8601 duration"),  # SpiffWorkflow does not strip it
        ("1", "timeDuration", "1 is not an ISO 8601 duration"),
        ("-1", "timeDuration", "-1 is not an ISO 8601 duration"),
        ("None", "timeDuration", "None is not an ISO 8601 duration"),
        ("['P1D']", "timeDuration", "is not an ISO 8601 duration"),
        ("'P99999999D'", "timeDuration", "at most 3660 days"),
        ("'P99999999999999M'", "timeDuration", "at most 3660 days"),  # refused before counting month by month
        ("'PT9999999999999999999S'", "timeDuration", "at most 3660 days"),
        ("'P11Y'", "timeDuration", "at most 3660 days"),
        ("'P3661D'", "timeDuration", "at most 3660 days"),
        ("'PT0S'", "timeDuration", "more than zero"),
        ("'P'", "timeDuration", "more than zero"),
        ("'P1D'", "timeDate", "is not an ISO 8601 date-time"),
        ("'x'", "timeDate", "is not an ISO 8601 date-time"),
        ("20261231", "timeDate", "is not an ISO 8601 date-time"),
        ("'9999-12-31T23:59:59-08:00'", "timeDate", "is not an ISO 8601 date-time"),  # beyond year 9999 in UTC
        ("'2036-12-10T00:00:00+00:00'", "timeDate", "too far ahead: a timer may wait at most 3660 days"),
    ],
)
def test_a_timer_constant_spiffworkflow_cannot_run_is_refused(source: str, kind: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_timer_value(source, kind, now=NOW)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("'P7D'", "timeDuration"),
        ('"PT4H"', "timeDuration"),
        ("'P10Y'", "timeDuration"),
        ("'P120M'", "timeDuration"),
        ("'P3660D'", "timeDuration"),
        ("'P1.5D'", "timeDuration"),
        ("'P2W'", "timeDuration"),
        ("'2026-12-31T17:30:00+08:00'", "timeDate"),
        ("'2020-01-01T00:00:00+08:00'", "timeDate"),  # past: fires at once; refusing it would refuse it later too
        ("'2027-W01-1'", "timeDate"),
        ("'P' + '7D'", "timeDuration"),  # an expression: only known when the timer starts
        ("due_in", "timeDuration"),
        ("deadline_date", "timeDate"),
    ],
)
def test_a_timer_in_range_or_not_a_constant_passes(source: str, kind: str) -> None:
    check_timer_value(source, kind, now=NOW)


def test_the_lint_names_the_timer_line_and_reason() -> None:
    timer = """<bpmn:boundaryEvent id="late" cancelActivity="false" attachedToRef="accept_and_assess">
      <bpmn:timerEventDefinition id="late_timer">
        <bpmn:timeDuration>'P99999999D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="accept_and_assess" """
    xml = FIRE.replace('<bpmn:userTask id="accept_and_assess" ', timer)
    problems = problems_of(xml)
    line = line_of(xml, "<bpmn:timeDuration>'P99999999D'")
    expected = f"test.bpmn:{line} [late]: timeDuration: 'P99999999D' is too long: a timer may wait at most 3660 days"
    assert any(p.startswith(expected) for p in problems), problems
    compile_text(FIRE)  # the shipped diagram is untouched by the bounds


CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    "limit",
    [
        Duration(99999999, "days"),
        Duration(float("inf"), "hours"),
        Duration(99999999, "hours", working=True),
        Duration(99999, "days", working=True),
        Duration(1e12, "minutes", working=True),
    ],
)
def test_a_limit_the_calendar_cannot_place_is_a_422_domain_error_not_a_500(limit: Duration) -> None:
    with pytest.raises(DeadlineError) as caught:
        CALENDAR.due_at(NOW, limit)
    assert (caught.value.status, caught.value.code) == (422, "process_error")


def test_a_stored_deadline_near_the_end_of_time_is_refused_too() -> None:
    end = datetime(9999, 12, 20, tzinfo=UTC)
    for limit in (Duration(30, "days"), Duration(30, "days", working=True), Duration(300, "hours", working=True)):
        with pytest.raises(DeadlineError):
            CALENDAR.due_at(end, limit)


@pytest.mark.parametrize("text", ["3660 days", "2610 working days", "2609.5 working days", "20880 working hours"])
def test_every_limit_the_lint_lets_through_is_placed_with_its_warning(text: str) -> None:
    limit = parse_duration(text)
    due = CALENDAR.due_at(NOW, limit)
    warn = CALENDAR.warn_at(NOW, due, limit, 0.75)
    assert NOW < warn < due <= NOW + timedelta(days=2 * MAX_DAYS)
