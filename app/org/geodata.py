"""A real county's map data: grid boundaries from GeoJSON and the gazetteer's place names from CSV.

Routing a report by its point, the dashboard's map and Open311's located reports read `org_unit.boundary`; routing
an address without a point reads the `place` table. `flask seed-demo` fills both for the demo county; these load a
county's own, as `flask org load-boundaries` and `flask org load-places` (app/intake/places.py). Each file is
checked whole first: with any problem nothing is stored, and every problem is listed with the feature or line it is
in.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import select

from app.extensions import db
from app.org.models import OrgUnit


@dataclass
class Loaded:
    """What a file would store (or stored), and what stopped it."""

    count: int = 0
    problems: list[str] = field(default_factory=list)


def load_boundaries(text: str, *, code_property: str = "code") -> Loaded:
    """Each feature's polygon becomes the boundary of the unit whose code its `code_property` names."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as err:
        return Loaded(problems=[f"not JSON: {err}"])
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        return Loaded(problems=["not a GeoJSON FeatureCollection (no 'features' list)"])
    units, found, loaded = units_by_code(), {}, Loaded()
    for number, feature in enumerate(features, start=1):
        unit, problems = _feature(feature, code_property, units)
        if unit is not None and unit.id in found:
            problems.append(f"a second boundary for {unit.code}")
        loaded.problems += [f"feature {number}: {problem}" for problem in problems]
        if unit is not None and not problems:
            found[unit.id] = (unit, feature["geometry"])
    if not loaded.problems:
        for unit, geometry in found.values():
            unit.boundary = geometry
        db.session.flush()
        loaded.count = len(found)
    return loaded


def _feature(feature: Any, code_property: str, units: dict[str, OrgUnit]) -> tuple[OrgUnit | None, list[str]]:
    """The unit a feature names and what is wrong with the feature."""
    if not isinstance(feature, dict):
        return None, ["not a GeoJSON Feature"]
    code = str((feature.get("properties") or {}).get(code_property, "")).strip()
    unit = units.get(code)
    problems = [] if unit else [f"no unit has the code {code}" if code else f"no '{code_property}' property"]
    if problem := _polygon_problem(feature.get("geometry")):
        problems.append(problem)
    return unit, problems


def units_by_code() -> dict[str, OrgUnit]:
    return {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}


def _polygon_problem(geometry: Any) -> str | None:
    """Why a GeoJSON geometry cannot be a unit's boundary (routing tests points against it), or None."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return "the geometry must be a Polygon or MultiPolygon"
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.GEOSException) as err:
        return f"not a readable polygon ({err})"
    if polygon.is_empty or not polygon.is_valid:
        return f"not a valid polygon ({explain_validity(polygon)})"
    return None
