"""The gazetteer (地名库): place names that route an address without a point to a unit."""

import csv
from pathlib import Path

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Base, db
from app.org.models import OrgUnit

DEMO_PLACES = Path(__file__).with_name("demo_places.csv")


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


def load_places(path: Path = DEMO_PLACES) -> int:
    """Add the places of a CSV file (name, unit_code, kind) whose unit exists; returns how many were added."""
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    existing = {(p.name, p.org_unit_id) for p in db.session.scalars(select(Place))}
    added = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            unit = units.get(row["unit_code"].strip())
            if unit is None or (row["name"].strip(), unit.id) in existing:
                continue
            db.session.add(Place(name=row["name"].strip(), kind=row["kind"].strip() or "other", org_unit=unit))
            existing.add((row["name"].strip(), unit.id))
            added += 1
    db.session.flush()
    return added
