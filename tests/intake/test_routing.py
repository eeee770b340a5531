"""Routing by location: grid polygons (inside, shared edge, outside, hole) and the gazetteer."""

from typing import Any

from app.extensions import db
from app.intake.places import Place
from app.intake.routing import route
from app.org.service import unit_by_code
from tests.conftest import GRID_1, TOWNSHIP_1

COUNTY = "360123000000"
GRID_2 = "360123001001002"  # 桃源社区第2网格: east of GRID_1, sharing its edge at x = 115.91
GRID_5 = "360123101201001"  # 石桥村第1网格: north of GRID_1
# The demo squares are computed as 115.90 + i * 0.01: use the same arithmetic for exact edges.
EDGE_X = 115.90 + 1 * 0.01


def where(**kwargs: Any) -> tuple[str, str, str | None]:
    within = unit_by_code(kwargs.pop("within", COUNTY))
    kwargs.setdefault("address", None)
    kwargs.setdefault("latitude", None)
    kwargs.setdefault("longitude", None)
    found = route(within=within, **kwargs)
    return found.unit.code, found.how, found.reason


def test_a_point_inside_a_grid_routes_to_it(run: Any) -> None:
    assert run(where, latitude=28.705, longitude=115.905) == (GRID_1, "point", None)
    assert run(where, latitude=28.705, longitude=115.915) == (GRID_2, "point", None)
    assert run(where, latitude=28.715, longitude=115.905) == (GRID_5, "point", None)


def test_a_point_on_a_shared_edge_or_vertex_is_ambiguous_and_goes_to_triage(run: Any) -> None:
    assert run(where, latitude=28.705, longitude=EDGE_X) == (COUNTY, "triage", "ambiguous")
    assert run(where, latitude=28.70 + 0.01, longitude=EDGE_X) == (COUNTY, "triage", "ambiguous")
    # The outer edge of a single grid belongs to that grid alone.
    assert run(where, latitude=28.705, longitude=115.90) == (GRID_1, "point", None)


def test_a_point_outside_every_grid_goes_to_the_county_triage(run: Any) -> None:
    assert run(where, latitude=30.0, longitude=120.0) == (COUNTY, "triage", "outside")
    # Routing within a township sees only its grids; triage is still the county above it.
    assert run(where, latitude=28.715, longitude=115.905, within=TOWNSHIP_1) == (COUNTY, "triage", "outside")


def test_a_point_in_a_hole_is_outside_that_grid_and_the_cache_follows_the_change(run: Any) -> None:
    assert run(where, latitude=28.705, longitude=115.905) == (GRID_1, "point", None)

    def punch_hole() -> None:
        grid = unit_by_code(GRID_1)
        outer = [[115.90, 28.70], [115.91, 28.70], [115.91, 28.71], [115.90, 28.71], [115.90, 28.70]]
        hole = [[115.904, 28.704], [115.906, 28.704], [115.906, 28.706], [115.904, 28.706], [115.904, 28.704]]
        grid.boundary = {"type": "Polygon", "coordinates": [outer, hole]}
        db.session.commit()

    run(punch_hole)
    assert run(where, latitude=28.705, longitude=115.905) == (COUNTY, "triage", "outside")
    assert run(where, latitude=28.702, longitude=115.902) == (GRID_1, "point", None)


def test_a_broken_boundary_is_skipped_not_fatal(run: Any) -> None:
    def break_boundary() -> None:
        unit_by_code(GRID_2).boundary = {"type": "Polygon", "coordinates": "nonsense"}
        db.session.commit()

    run(break_boundary)
    assert run(where, latitude=28.705, longitude=115.915) == (COUNTY, "triage", "outside")
    assert run(where, latitude=28.705, longitude=115.905) == (GRID_1, "point", None)


def test_an_address_routes_by_the_longest_place_name(run: Any) -> None:
    assert run(where, address="桃源路12号") == (GRID_1, "address", None)
    assert run(where, address="东城街道桃花巷3栋") == (GRID_2, "address", None)
    assert run(where, address="西河镇石桥村第1网格老街口") == (GRID_5, "address", None)
    # A point wins over the address.
    assert run(where, address="桃源路12号", latitude=28.705, longitude=115.915) == (GRID_2, "point", None)


def test_an_ambiguous_or_unknown_address_goes_to_triage(run: Any) -> None:
    # 人民路 runs through two grids; 桃源社区 has two grids.
    assert run(where, address="人民路88号") == (COUNTY, "triage", "ambiguous")
    assert run(where, address="桃源社区某处") == (COUNTY, "triage", "ambiguous")
    assert run(where, address="火星基地1号") == (COUNTY, "triage", "unknown_address")
    # Outside `within`, a name is not known.
    assert run(where, address="枫林大道5号", within=TOWNSHIP_1) == (COUNTY, "triage", "unknown_address")


def test_a_place_added_to_the_gazetteer_routes_at_once(run: Any) -> None:
    def add() -> None:
        db.session.add(Place(name="幸福里_1", kind="estate", org_unit=unit_by_code(GRID_5)))
        db.session.commit()

    run(add)
    assert run(where, address="幸福里_1小区") == (GRID_5, "address", None)
    assert run(where, address="幸福里X1小区") == (COUNTY, "triage", "unknown_address")


def test_the_demo_gazetteer_loads_once(run: Any) -> None:
    from app.intake.places import DEMO_PLACES, load_places

    assert run(lambda: load_places(DEMO_PLACES.read_text(encoding="utf-8")).count) == 0  # the seed loaded it


def test_no_location_goes_to_triage(run: Any) -> None:
    assert run(where) == (COUNTY, "triage", "no_location")
    assert run(where, address="   ", latitude=28.7) == (COUNTY, "triage", "no_location")


def test_a_wider_name_in_the_address_narrows_an_ambiguous_place(run: Any) -> None:
    assert run(where, address="桃源社区人民路88号") == (GRID_1, "address", None)
    assert run(where, address="柳湾社区人民路1号") == ("360123001002001", "address", None)
    # A wider name that agrees with none of them leaves the ambiguity for a dispatcher.
    assert run(where, address="西河镇人民路1号") == (COUNTY, "triage", "ambiguous")
