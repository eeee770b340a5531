"""Rows of engine steps written past the ORM's unit of work: on PostgreSQL in one statement.

An engine step changes the case's row, closes and opens task rows, moves the case's timer and appends to the
case's trail; the timer worker does that for a batch of fifty cases at once. Each new value goes into its ORM
object as a committed value (so the object never becomes dirty and the session's flush has nothing of it left to
do) and into a group of rows: one per table, operation and set of columns. `write` sends the groups with the
events queued so far (app/cases/events.py). On PostgreSQL that is one statement, whatever the number of rows and
tables: each group's rows arrive as one JSON parameter (`json_populate_recordset` with the table's own row type),
every group but the last is a data-modifying `WITH` and the last is the statement itself. Elsewhere, and whenever
two groups would touch the same row (a `WITH`'s parts cannot see each other's changes), each group is one INSERT,
UPDATE or DELETE, several rows as one executemany.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from typing import Any, Literal, cast

from sqlalchemy import JSON, Connection, Dialect, Table, bindparam, delete, insert, update
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from app.cases.events import take_queued
from app.cases.models import CaseEvent
from app.engine import json_text
from app.extensions import db

Op = Literal["insert", "update", "delete"]


@dataclass(frozen=True)
class Group:
    """Rows of one table for one operation, each with the same columns (keyed by column name)."""

    op: Op
    table: Table
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


class RowWrites:
    """The rows of one or more engine steps, noted as the step decides them and sent together by `write`."""

    def __init__(self) -> None:
        self._inserts: list[object] = []
        self._updates: dict[int, tuple[object, dict[str, Any]]] = {}  # id(object) -> (object, its new values)
        self._deletes: list[object] = []

    def insert(self, obj: object) -> None:
        """A new (transient) object, such as `app.cases.loaded.new_row` makes: its row is inserted, then the object
        joins the session as loaded."""
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
        """Send what was noted and the queued events (inserts first: the rows updated or deleted may refer to
        nothing new), then start over."""
        inserts, updates, deletes = self._inserts, list(self._updates.values()), self._deletes
        self._inserts, self._updates, self._deletes = [], {}, []
        session = db.session()
        groups = [
            *_grouped("insert", (_insert_row(obj) for obj in inserts)),
            *_grouped("update", (_update_row(obj, values) for obj, values in updates)),
            *_grouped("delete", (_pk_row(obj) for obj in deletes)),
            *_grouped("insert", ((cast(Table, CaseEvent.__table__), row) for row in take_queued(session))),
        ]
        if groups:
            connection = session.connection()
            if connection.dialect.name == "postgresql" and _rows_distinct(groups):
                _write_as_one(connection, groups)
            else:
                for group in groups:
                    _write_group(connection, group)
        for obj in inserts:
            make_transient_to_detached(obj)  # as if loaded: no history, so the session's flush skips it
            session.add(obj)


Row = tuple[Table, dict[str, Any]]


def _insert_row(obj: object) -> Row:
    table, columns = _table(obj)
    loaded = instance_state(obj).dict
    row = {column: loaded[key] for key, column in columns.items() if key in loaded}
    return table, {**{column: default() for column, default in _defaults(table).items() if column not in row}, **row}


def _update_row(obj: object, values: dict[str, Any]) -> Row:
    table, columns = _table(obj)
    return table, {**_pk_row(obj)[1], **{columns[key]: value for key, value in values.items()}}


def _pk_row(obj: object) -> Row:
    table = _table(obj)[0]
    identity = instance_state(obj).identity or ()
    (value,) = identity  # the models written here have one-column primary keys
    return table, {_pk(table).name: value}


def _grouped(op: Op, rows: Iterable[Row]) -> list[Group]:
    """Rows of one table with the same columns: one group."""
    groups: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for table, row in rows:
        groups[(table, tuple(sorted(row)))].append(row)
    return [Group(op, table, columns, rows) for (table, columns), rows in groups.items()]


def _table(obj: object) -> tuple[Table, dict[str, str]]:
    return _mapped(instance_state(obj).mapper)


@cache
def _mapped(mapper: Mapper[Any]) -> tuple[Table, dict[str, str]]:
    """A model's table, and its attributes' column names."""
    return cast(Table, mapper.local_table), {prop.key: prop.columns[0].key for prop in mapper.column_attrs}


@cache
def _defaults(table: Table) -> dict[str, Callable[[], Any]]:
    """The columns' Python-side defaults, for an insert that leaves them out (as SQLAlchemy's own would fill
    them in; the server's defaults and generated keys are the database's)."""
    found: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        default = column.default
        if isinstance(default, ScalarElementColumnDefault):
            found[column.name] = partial(_same, default.arg)
        elif isinstance(default, CallableColumnDefault):
            found[column.name] = partial(cast(Any, default.arg), None)  # SQLAlchemy's wrapper of a no-argument callable
    return found


def _pk(table: Table) -> Any:
    (column,) = table.primary_key.columns
    return column


def _rows_distinct(groups: list[Group]) -> bool:
    """Whether no row is touched by two groups (an insert's key counts too): a `WITH`'s parts all see the
    table as it was before the statement, so they must not meet."""
    seen: set[tuple[str, Any]] = set()
    for group in groups:
        pk = _pk(group.table).name
        if pk not in group.columns:
            continue  # generated keys (the events') are new rows
        for row in group.rows:
            key = (group.table.name, row[pk])
            if key in seen:
                return False
            seen.add(key)
    return True


def _write_group(connection: Connection, group: Group) -> None:
    table, pk = group.table, _pk(group.table)
    if group.op == "insert":
        connection.execute(insert(table), group.rows)
        return
    # A column's own name is reserved for its value in an UPDATE: the parameters get prefixes.
    params = [{("pk_" if key == pk.name else f"v_{key}"): value for key, value in row.items()} for row in group.rows]
    if group.op == "update":
        values: dict[str, Any] = {key: bindparam(f"v_{key}") for key in group.columns if key != pk.name}
        connection.execute(update(table).where(pk == bindparam("pk_")).values(values), params)
    else:
        connection.execute(delete(table).where(pk == bindparam("pk_")), params)


def _write_as_one(connection: Connection, groups: list[Group]) -> None:
    dialect = connection.dialect
    sql = _statement(tuple((g.op, g.table, g.columns) for g in groups), dialect)
    params = {}
    for i, group in enumerate(groups):
        convert = _json_ready(group.table, dialect)
        rows = [{key: convert[key](value) for key, value in row.items()} for row in group.rows]
        params[f"g{i}"] = json_text.dumps(rows)
    connection.exec_driver_sql(sql, params)


@cache  # a step's shape repeats: each statement is built once and prepared by psycopg after a few runs
def _statement(shapes: tuple[tuple[Op, Table, tuple[str, ...]], ...], dialect: Dialect) -> str:
    parts = [_part(i, op, table, columns, dialect) for i, (op, table, columns) in enumerate(shapes)]
    *first, last = parts  # the last group is the statement itself: no result rows to describe and read
    return f"WITH {', '.join(f'w{i} AS ({part})' for i, part in enumerate(first))} {last}" if first else last


def _part(i: int, op: Op, table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    """One group's statement; its rows are the JSON parameter `g<i>`, read as rows of the table's type. Only our
    own tables' and columns' names (quoted) go into the text, every value is in the parameter."""
    quote = dialect.identifier_preparer.quote
    name, pk = dialect.identifier_preparer.format_table(table), quote(_pk(table).name)
    rows = f"json_populate_recordset(NULL::{name}, %(g{i})s::json) AS r"
    if op == "insert":
        listed, read = ", ".join(quote(c) for c in columns), ", ".join(f"r.{quote(c)}" for c in columns)
        return f"INSERT INTO {name} ({listed}) SELECT {read} FROM {rows}"  # noqa: S608 - see above
    if op == "update":
        sets = ", ".join(f"{quote(c)} = r.{quote(c)}" for c in columns if quote(c) != pk)
        return f"UPDATE {name} SET {sets} FROM {rows} WHERE {name}.{pk} = r.{pk}"  # noqa: S608 - see above
    return f"DELETE FROM {name} USING {rows} WHERE {name}.{pk} = r.{pk}"  # noqa: S608 - see above


@cache
def _json_ready(table: Table, dialect: Dialect) -> dict[str, Callable[[Any], Any]]:
    """Per column: a value as the column's own bind processing makes it, then as JSON that PostgreSQL reads back
    into the column's type (dates and times in ISO 8601; a JSON column's value as it is)."""
    return {column.name: _converter(column.type, dialect) for column in table.columns}


def _converter(type_: Any, dialect: Dialect) -> Callable[[Any], Any]:
    if isinstance(type_, JSON):
        return _same
    process = type_.bind_processor(dialect) or _same

    def convert(value: Any) -> Any:
        if value is None:
            return None
        value = process(value)
        return value.isoformat() if isinstance(value, date) else value

    return convert


def _same(value: Any) -> Any:
    return value
