"""The security log's day filters outside the accepted years: a 422 naming the filter, never a 500."""

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import SecurityEvent
from app.extensions import db
from tests.conftest import login

EDGE_DATES = ["9999-12-31", "0001-01-01", "0001-01-03", "9999-12-25", "1999-12-31", "2101-01-01"]


def exports() -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(SecurityEvent).where(SecurityEvent.kind == "export")) or 0
    )


def test_the_security_log_refuses_a_day_outside_the_accepted_years(client: FlaskClient) -> None:
    login(client, "admin")
    before = exports()
    for name in ("from", "to"):
        for day in EDGE_DATES:
            for extra in ("", "&format=csv"):
                response = client.get(f"/admin/audit?{name}={day}{extra}")
                assert response.status_code == 422, (name, day, extra, response.status_code)
                assert f"<strong>{name}</strong>" in response.data.decode()
    assert exports() == before  # no export was logged for a refused request
    assert client.get("/admin/audit?from=2000-01-01&to=2100-12-31").status_code == 200
    assert client.get("/admin/audit?from=garbage").status_code == 200  # a bad day is still ignored
