"""Rows of engine steps written with one statement per table and column set, past the ORM's unit of work.

An engine step changes the case's row, closes and opens task rows and moves the case's timer; the timer worker
does that for a batch of fifty cases at once, where the unit of work's sorting and book-keeping of some hundred and
fifty objects was a sixth of the CPU per timer fired. Here each new value goes into its ORM object as a committed
value (so the object never becomes dirty and the session's flush has nothing of it left to do) and into a Core
statement, sent by `write`: one INSERT, UPDATE or DELETE per table and set of columns, several rows as one
executemany. What else a change touches (events, statistics, links, notifications) the session writes as before.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from app.extensions import db

_PK = "pk_"  # the primary key's parameter in UPDATE and DELETE (a column's own name is reserved for its value)


class RowWrites:
    """The rows of one or more engine steps, noted as the step decides them and sent together by `write`."""

    def __init__(self) -> None:
        self._inserts: list[object] = []
        self._updates: dict[int, tuple[object, dict[str, Any]]] = {}  # id(object) -> (object, its new values)
        self._deletes: list[object] = []

    def insert(self, obj: object) -> None:
        """A new (transient) object: its row is inserted, then the object joins the session as loaded."""
        self._inserts.append(obj)

    def update(self, obj: object, **values: Any) -> None:
        """Set attributes of a persistent object as if loaded so, and its row's columns to them."""
        for key, value in values.items():
            set_committed_value(obj, key, value)
        self._updates.setdefault(id(obj), (obj, {}))[1].update(values)

    def delete(self, obj: object) -> None:
        """Delete a persistent object's row; the object leaves the session."""
        self._deletes.append(obj)
        db.session.expunge(obj)

    def write(self) -> None:
        """Send what was noted (inserts first: the rows updated or deleted may refer to nothing new) and start over."""
        inserts, updates, deletes = self._inserts, list(self._updates.values()), self._deletes
        self._inserts, self._updates, self._deletes = [], {}, []
        connection = db.session.connection()
        for (table, _columns), rows in _grouped(_insert_row(obj) for obj in inserts).items():
            connection.execute(insert(table), rows)
        for (table, keys), rows in _grouped(_update_row(obj, values) for obj, values in updates).items():
            set_clause: dict[str, Any] = {key.removeprefix("v_"): bindparam(key) for key in keys if key != _PK}
            connection.execute(update(table).where(_pk(table) == bindparam(_PK)).values(set_clause), rows)
        for (table, _columns), rows in _grouped((_table(obj)[0], {_PK: _identity(obj)}) for obj in deletes).items():
            connection.execute(delete(table).where(_pk(table) == bindparam(_PK)), rows)
        for obj in inserts:
            make_transient_to_detached(obj)  # as if loaded: no history, so the session's flush skips it
            db.session.add(obj)


Row = tuple[Table, dict[str, Any]]


def _insert_row(obj: object) -> Row:
    table, columns = _table(obj)
    loaded = instance_state(obj).dict
    return table, {column: loaded[key] for key, column in columns.items() if key in loaded}


def _update_row(obj: object, values: dict[str, Any]) -> Row:
    table, columns = _table(obj)
    return table, {_PK: _identity(obj), **{f"v_{columns[key]}": value for key, value in values.items()}}


def _grouped(rows: Iterable[Row]) -> dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]]:
    """Rows of one table with the same keys: one executemany."""
    groups: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for table, row in rows:
        groups[(table, tuple(sorted(row)))].append(row)
    return groups


def _table(obj: object) -> tuple[Table, dict[str, str]]:
    mapper = instance_state(obj).mapper
    return cast(Table, mapper.local_table), {prop.key: prop.columns[0].key for prop in mapper.column_attrs}


def _identity(obj: object) -> Any:
    identity = instance_state(obj).identity or ()
    (value,) = identity  # the models written here have one-column primary keys
    return value


def _pk(table: Table) -> Any:
    (column,) = table.primary_key.columns
    return column
