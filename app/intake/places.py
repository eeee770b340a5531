"""The gazetteer (地名库): place names that route an address without a point to a unit."""

import csv
import io
from pathlib import Path

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Base, db
from app.org.geodata import Loaded, units_by_code
from app.org.models import OrgUnit
from app.spreadsheets import unreadable_line

DEMO_PLACES = Path(__file__).with_name("demo_places.csv")
PLACE_KINDS = ("road", "estate", "landmark", "other")


class Place(Base):
    """A street, estate, landmark or village name and the unit it lies in (a grid, or a wider unit).

    Org units' own names count as place names too; a place naming a unit with several grids is
    ambiguous and goes to triage.
    """

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="other")  # road, estate, landmark, other
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


def load_places(text: str) -> Loaded:
    """Rows `name,unit_code,kind` (kind: road, estate, landmark or other; empty is other); a place already listed
    for its unit is skipped."""
    units = units_by_code()
    existing = {(p.name, p.org_unit_id) for p in db.session.scalars(select(Place))}
    rows = csv.DictReader(io.StringIO(text))
    if not {"name", "unit_code"} <= set(rows.fieldnames or ()):
        return Loaded(problems=["line 1: the header must name the columns name,unit_code,kind"])
    loaded, new = Loaded(), list[Place]()
    try:
        for row in rows:
            _check_place(row, f"line {rows.line_num}", units, existing, loaded, new)
    except csv.Error as err:  # a field past the csv module's limit, say: the line it gave up on
        loaded.problems.append(unreadable_line(rows, err))
    if not loaded.problems:
        db.session.add_all(new)
        db.session.flush()
        loaded.count = len(new)
    return loaded


def _check_place(row: dict[str, str], line: str, units: dict[str, OrgUnit], existing: set[tuple[str, int]],
                 loaded: Loaded, new: list[Place]) -> None:  # fmt: skip
    """One row: its problems into `loaded`, or a new place into `new` (none for a name its unit lists already)."""
    name, code = (row.get("name") or "").strip(), (row.get("unit_code") or "").strip()
    kind = (row.get("kind") or "").strip() or "other"
    unit = units.get(code)
    if not name or len(name) > 120:
        loaded.problems.append(f"{line}: a name of 1 to 120 characters is required")
    if unit is None:
        loaded.problems.append(f"{line}: no unit has the code {code or '(empty)'}")
    if kind not in PLACE_KINDS:
        loaded.problems.append(f"{line}: the kind must be one of {', '.join(PLACE_KINDS)}")
    if unit is not None and name and (name, unit.id) not in existing:
        existing.add((name, unit.id))
        new.append(Place(name=name, kind=kind, org_unit=unit))
