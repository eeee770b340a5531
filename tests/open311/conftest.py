"""Fixtures shared by the Open311 tests."""

from typing import Any

import pytest

from app.clock import utcnow
from app.extensions import db
from app.open311.clients import add_client
from app.org.service import unit_by_code

COUNTY = "360123000000"  # the demo county: a client there may report anywhere in it


@pytest.fixture
def key(run: Any) -> str:
    """A registered client's API key."""

    def make() -> str:
        _client, value = add_client("cityapp", unit_by_code(COUNTY), now=utcnow())
        db.session.commit()
        return value

    return str(run(make))
