"""A psycopg cursor whose `description` describes the result's columns only when someone reads it.

psycopg builds `cursor.description` afresh on every access: a `Column` per result column, each looking its type up.
SQLAlchemy asks for it after every statement, and for a statement it has run before (every statement of a request,
in a warm process) it then uses the result metadata it kept with the compiled statement and never reads the
description. So psycopg described every column of every result for nothing: a fifth of the CPU of locking a case
with its tasks (56 columns), measured in process. Here the description is a sequence that knows its length and
builds psycopg's own `Column` objects on first use, as long as the cursor still holds the same result.
"""

from collections.abc import Iterator, Sequence
from typing import Any, overload

from psycopg import Column, Cursor
from psycopg.pq import ExecStatus
from psycopg.pq.abc import PGresult

_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class LazilyDescribedCursor(Cursor[Any]):
    @property
    def description(self) -> "Description | None":  # type: ignore[override]
        result = self.pgresult
        if result is not None and (result.nfields or result.status in _ROWS):  # as psycopg decides
            return Description(self, result)
        return None


class Description(Sequence[Column]):
    """psycopg's description of the cursor's current result, its columns built when first read."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: Cursor[Any], result: PGresult) -> None:
        self._cursor: Cursor[Any] = cursor
        self._result: PGresult = result
        self._columns: list[Column] | None = None

    def __len__(self) -> int:
        return self._result.nfields

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._built()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._built())

    def _built(self) -> list[Column]:
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                raise RuntimeError("the cursor has moved on to another result: read its description before that")
            self._columns = [Column(self._cursor, i) for i in range(self._result.nfields)]
        return self._columns
