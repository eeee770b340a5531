"""Lock a case row for the rest of the transaction: the one place that knows the dialects."""

from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.cases.models import Case
from app.errors import NotFoundError
from app.extensions import db


def lock_case(case_id: int) -> Case:
    """Lock first: two people may complete sibling parallel tasks at once, and the
    engine state is one JSON document per case.

    PostgreSQL takes a row lock. SQLite ignores FOR UPDATE, but every SQLite
    transaction here starts with BEGIN IMMEDIATE (see app/database.py), which already
    serialises writers.
    """
    stmt = (
        select(Case)
        .where(Case.id == case_id)
        .options(undefer(Case.state))  # whoever locks a case is about to run the engine on it
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )
    case = db.session.scalars(stmt).first()
    if case is None:
        raise NotFoundError("no such case")
    return case
