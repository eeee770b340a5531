"""The SpiffWorkflow boundary: the only package that imports SpiffWorkflow.

It takes and returns plain data (dataclasses, JSON strings) and never touches Flask,
the database session or models.
"""

from app.engine.definitions import FormRef, ProcessDefinition, UserTaskSpec, compile_definition
from app.engine.errors import EngineError, InvalidDiagram, Problem
from app.engine.runner import EngineResult, ReadyTask, complete, fire_timers, start

__all__ = [
    "EngineError",
    "EngineResult",
    "FormRef",
    "InvalidDiagram",
    "Problem",
    "ProcessDefinition",
    "ReadyTask",
    "UserTaskSpec",
    "compile_definition",
    "complete",
    "fire_timers",
    "start",
]
