"""Objects from a Core statement's rows, as if the ORM had loaded them.

For the hottest read, the locked case and its tasks (app/cases/locking.py): the ORM builds its row processors anew
for every execution of a statement, which was a third of that statement's CPU and a tenth of a task completion's.
A `Loading` names the columns a statement selects for one model (the model's column attributes that are not
deferred, plus any named), and `Loading.take` turns them into the object: the session's own one with these values
(as `populate_existing` would), else a new one joined to the session as persistent, with no history. Relationships
are the caller's to set (`set_committed_value`) or their lazy loaders'. `new_row` makes the plain object both
start from, for a row about to be inserted as well (app/cases/rows.py `RowWrites.insert`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Column, Table, inspect
from sqlalchemy.orm import Mapper, class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from app.extensions import db

T = TypeVar("T")


def new_row(model: type[T], **values: Any) -> T:
    """A new `model` object holding exactly `values` (columns, and any relationship it points along), no session's.
    The declarative constructor sets each value through the attribute's events: 47 µs for a task's eighteen,
    against 4 µs here, and the timer worker opens a task for each case it fires."""
    obj: T = class_mapper(model).class_manager.new_instance()
    instance_state(obj).dict.update(values)
    return obj


@dataclass(frozen=True)
class Loading:
    mapper: Mapper[Any]
    keys: tuple[str, ...]  # attribute keys, in the order of `columns`
    columns: tuple[Column[Any], ...]
    primary_key: tuple[int, ...]  # positions of the primary key's columns in `columns`

    @classmethod
    def of(cls, model: type, *also: str) -> "Loading":
        """`model`'s columns that load with it, and the deferred ones named in `also`."""
        mapper: Mapper[Any] = inspect(model)
        table: Table = mapper.local_table  # type: ignore[assignment]
        props = [p for p in mapper.column_attrs if not p.deferred or p.key in also]
        columns = tuple(table.c[p.columns[0].key] for p in props)
        primary = tuple(i for i, column in enumerate(columns) if column.primary_key)
        return cls(mapper, tuple(p.key for p in props), columns, primary)

    def take(self, row: Sequence[Any], start: int) -> Any:
        """The object whose values are `row[start:start + len(columns)]`; None when its primary key is (an outer
        join that found nothing)."""
        values = row[start : start + len(self.columns)]
        key = tuple(values[i] for i in self.primary_key)
        if any(part is None for part in key):
            return None
        session = db.session()
        found = session.identity_map.get(self.mapper.identity_key_from_primary_key(key))
        if found is not None:  # read before in this session: given the values read now
            for name, value in zip(self.keys, values, strict=True):
                set_committed_value(found, name, value)
            return found
        obj = new_row(self.mapper.class_)
        instance_state(obj).dict.update(zip(self.keys, values, strict=True))  # the row's values, no dict in between
        make_transient_to_detached(obj)  # loaded: no history; what was not read is expired
        session.add(obj)
        return obj
