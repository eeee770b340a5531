"""Routing by location: which grid a reported matter belongs to, or the county's triage queue.

A WGS84 point inside exactly one grid polygon routes to that grid. A point on the shared edge or vertex
of two grids is *ambiguous*: it is never guessed, it goes to triage where a dispatcher chooses. Holes
are respected (a point in a hole is outside that grid). Without a point, the address is matched
against the gazetteer (the `place` table and the org units' own names): the longest name contained in
the address wins (the deepest unit's, then the longest; wider names found too narrow it down); if it
still names several grids (or a unit with several grids) the matter is ambiguous.
Every matter the routing cannot place lands at the triage unit — the county at or above `within` —
with a reason, so none is lost.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree
from sqlalchemy import func, literal, select
from sqlalchemy.orm import undefer

from app.extensions import db
from app.intake.places import Place
from app.org.models import OrgKind, OrgUnit

GRID_KINDS = (OrgKind.GRID, OrgKind.EXCLUSIVE_GRID)
HOW = ("point", "address", "triage")
REASONS = ("outside", "ambiguous", "no_location", "unknown_address")


@dataclass(frozen=True)
class Route:
    unit: OrgUnit  # the grid found; or the triage unit (the county at/above `within`) when not found
    how: str  # "point" | "address" | "triage"
    reason: str | None  # when how == "triage": "outside" | "ambiguous" | "no_location" | "unknown_address"


def route(*, latitude: float | None, longitude: float | None, address: str | None, within: OrgUnit) -> Route:
    """Where a matter reported at this point and/or address belongs, among the grids under `within`."""
    if latitude is not None and longitude is not None:
        return _decide(_grids_at(latitude, longitude, within), "point", "outside", within)
    if address is not None and address.strip():
        return _decide(_grids_named(address.strip(), within), "address", "unknown_address", within)
    return Route(triage_unit(within), "triage", "no_location")


def _decide(grid_ids: set[int], how: str, none_reason: str, within: OrgUnit) -> Route:
    if len(grid_ids) == 1:
        grid = db.session.get(OrgUnit, next(iter(grid_ids)))
        if grid is not None:
            return Route(grid, how, None)
    return Route(triage_unit(within), "triage", "ambiguous" if len(grid_ids) > 1 else none_reason)


def triage_unit(within: OrgUnit) -> OrgUnit:
    """The county at or above `within` (its triage queue); the root when there is no county."""
    ids = within.ancestor_ids()
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    chain = [units[i] for i in ids if i in units]
    counties = [u for u in chain if u.kind is OrgKind.COUNTY]
    if counties:
        return counties[-1]
    return chain[0] if chain else within


# --- by point -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    tree: STRtree
    unit_ids: list[int]


_CACHE: dict[int, tuple[tuple[Any, ...], _Index]] = {}


def _grids_of(within: OrgUnit) -> Any:
    return select(OrgUnit).where(
        OrgUnit.kind.in_(GRID_KINDS), OrgUnit.boundary.is_not(None), OrgUnit.in_subtrees([within.path])
    )


def _index_key(within: OrgUnit) -> tuple[Any, ...]:
    """Changes whenever a grid under `within` gains, loses or changes a boundary, or moves in or out."""
    grids = _grids_of(within).subquery()
    stmt = select(func.count(), func.coalesce(func.sum(grids.c.id), 0), func.max(grids.c.geometry_changed_at))
    count, id_sum, changed = db.session.execute(stmt).one()
    stamp = changed.isoformat() if isinstance(changed, datetime) else changed
    return (within.path, count, id_sum, stamp)


def _index(within: OrgUnit) -> _Index:
    key = _index_key(within)
    cached = _CACHE.get(within.id)
    if cached is not None and cached[0] == key:
        return cached[1]
    geometries, unit_ids = [], []
    for grid in db.session.scalars(_grids_of(within).options(undefer(OrgUnit.boundary))):
        geometry = _polygon(grid.boundary)
        if geometry is not None:
            geometries.append(geometry)
            unit_ids.append(grid.id)
    shapely.prepare(geometries)
    index = _Index(STRtree(geometries), unit_ids)
    _CACHE[within.id] = (key, index)
    return index


def _polygon(boundary: dict[str, Any] | None) -> Any:
    """A valid (multi)polygon from GeoJSON, or None: a broken boundary must not stop routing."""
    try:
        geometry = shape(boundary) if boundary else None
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        return None
    if geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid:
        return None
    return geometry


def _grids_at(latitude: float, longitude: float, within: OrgUnit) -> set[int]:
    """The grids whose polygon covers the point (boundary included: on a shared edge, both)."""
    index = _index(within)
    if not index.unit_ids:
        return set()
    hits = index.tree.query(Point(longitude, latitude), predicate="covered_by")
    return {index.unit_ids[int(i)] for i in hits}


# --- by address -----------------------------------------------------------------------------------


def _grids_named(address: str, within: OrgUnit) -> set[int]:
    """The grids named by the most specific place or unit name contained in `address`.

    Most specific: the name of the deepest unit, then the longest name. Wider names found too
    (a township, a village) narrow an ambiguous answer down when they agree with part of it.
    """
    matches = _name_matches(address, within)
    if not matches:
        return set()
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_({i for _, i in matches})))}
    ranked = sorted(((len(units[i].ancestor_ids()), len(name), i) for name, i in matches if i in units), reverse=True)
    top = ranked[0][:2]
    grids: set[int] = set()
    for depth, length, unit_id in ranked:
        found = _grids_under(units[unit_id])
        if (depth, length) == top:
            grids |= found
        elif grids & found:
            grids &= found
    return grids


def _name_matches(address: str, within: OrgUnit) -> list[tuple[str, int]]:
    """(name, unit id) of every place and unit name under `within` that the address contains."""
    text = literal(address)
    places = (
        select(Place.name, Place.org_unit_id)
        .join(OrgUnit, OrgUnit.id == Place.org_unit_id)
        .where(OrgUnit.in_subtrees([within.path]), text.contains(Place.name))
    )
    units = select(OrgUnit.name, OrgUnit.id).where(OrgUnit.in_subtrees([within.path]), text.contains(OrgUnit.name))
    rows = [*db.session.execute(places), *db.session.execute(units)]
    # LIKE treats _ and % in a name as wildcards: keep only true substrings.
    return [(name, unit_id) for name, unit_id in rows if name and name in address]


def _grids_under(unit: OrgUnit) -> set[int]:
    if unit.is_grid:
        return {unit.id}
    stmt = select(OrgUnit.id).where(OrgUnit.kind.in_(GRID_KINDS), OrgUnit.in_subtrees([unit.path]))
    return set(db.session.scalars(stmt))
