"""The engine's notion of 'now', set by the caller for each step.

SpiffWorkflow's timer events read the wall clock directly. We replace their
`has_fired` with versions that read this context variable, so a step run "at" a
given instant (a test's clock, or the timer worker's sweep time) decides timers by
that instant and nothing else.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

_NOW: ContextVar[datetime | None] = ContextVar("engine_now", default=None)


def engine_now() -> datetime:
    return _NOW.get() or datetime.now(UTC)


@contextmanager
def running_at(now: datetime) -> Iterator[None]:
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


def _fire_if_due(my_task: Any, event_value: str) -> bool:
    if TimerEventDefinition.get_datetime(event_value) <= engine_now():
        my_task._set_internal_data(event_fired=True)
    return bool(my_task._get_internal_data("event_fired", False))


def _duration_has_fired(self: DurationTimerEventDefinition, my_task: Any) -> bool:
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        duration = TimerEventDefinition.parse_iso_duration(expression)
        start = engine_now()
        event_value = (start + TimerEventDefinition.get_timedelta_from_start(duration, start)).isoformat()
        my_task._set_internal_data(event_value=event_value)
    return _fire_if_due(my_task, event_value)


def _date_has_fired(self: TimeDateEventDefinition, my_task: Any) -> bool:
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        my_task._set_internal_data(event_value=event_value)
    return _fire_if_due(my_task, TimerEventDefinition.parse_time_or_duration(event_value).isoformat())


DurationTimerEventDefinition.has_fired = _duration_has_fired
TimeDateEventDefinition.has_fired = _date_has_fired


def timer_due_at(task: Any) -> datetime | None:
    """When a waiting timer task fires, once the engine has evaluated it."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, (DurationTimerEventDefinition, TimeDateEventDefinition)):
        return None
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    due: datetime = TimerEventDefinition.parse_time_or_duration(value)
    return due if due.tzinfo else due.replace(tzinfo=UTC)
