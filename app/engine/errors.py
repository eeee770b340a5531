"""Errors raised by the engine, carrying where in the diagram the problem is."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram: the file, line, element and why."""

    reason: str
    line: int | None = None
    element: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p)
        element = f" [{self.element}]" if self.element else ""
        return f"{where}{element}: {self.reason}" if where else f"{self.reason}{element}"


class InvalidDiagram(Exception):
    """A diagram that cannot be deployed; lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class EngineError(Exception):
    """A running case hit an error in its diagram (a failing condition or script)."""
