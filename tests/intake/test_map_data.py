"""A real county's map data from files: `flask org load-boundaries` (GeoJSON) and `flask org load-places` (CSV). A
report's point and address then route by them; a file with any problem stores nothing and names each problem."""

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.intake.places import Place
from app.org.service import unit_by_code
from tests.conftest import GRID_1
from tests.intake.test_routing import GRID_2, where

# A square far from the demo county's made-up squares, for GRID_2.
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[116.0, 29.0], [116.1, 29.0], [116.1, 29.1], [116.0, 29.1], [116.0, 29.0]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[116.0, 29.0], [116.1, 29.1], [116.1, 29.0], [116.0, 29.1], [116.0, 29.0]]],
}


def feature(code: str, geometry: Any, key: str = "code") -> dict[str, Any]:
    return {"type": "Feature", "properties": {key: code}, "geometry": geometry}


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def test_boundaries_from_geojson_route_reports_by_their_point(app: Flask, run: Any, tmp_path: Path) -> None:
    assert run(where, latitude=29.05, longitude=116.05)[1] != "point"  # nowhere yet
    collection = {"type": "FeatureCollection", "features": [feature(GRID_2, SQUARE, key="GRIDCODE")]}
    path = write(tmp_path, "grids.geojson", collection)
    result = app.test_cli_runner().invoke(args=["org", "load-boundaries", path, "--code-property", "GRIDCODE"])
    assert result.exit_code == 0, result.output
    assert run(where, latitude=29.05, longitude=116.05) == (GRID_2, "point", None)


def test_a_boundaries_file_with_any_problem_stores_nothing_and_names_each(app: Flask, run: Any, tmp_path: Path) -> None:
    before = run(lambda: unit_by_code(GRID_1).boundary)
    features = [feature(GRID_1, SQUARE), feature("999999999", SQUARE), feature(GRID_2, BOWTIE),
                feature(GRID_1, {"type": "Point", "coordinates": [116, 29]}), {"type": "Feature", "properties": {}}]  # fmt: skip
    path = write(tmp_path, "grids.geojson", {"type": "FeatureCollection", "features": features})
    result = app.test_cli_runner().invoke(args=["org", "load-boundaries", path])
    assert result.exit_code == 1
    for expected in ("feature 2: no unit has the code 999999999", "feature 3: not a valid polygon (Self-intersection",
                     "feature 4: the geometry must be a Polygon or MultiPolygon", "feature 5: no 'code' property"):  # fmt: skip
        assert expected in result.output, result.output
    assert run(lambda: unit_by_code(GRID_1).boundary) == before  # feature 1 was good, but the file is one change
    not_json = app.test_cli_runner().invoke(args=["org", "load-boundaries", write(tmp_path, "x.geojson", "{")])
    assert not_json.exit_code == 1 and "not JSON" in not_json.output


def test_places_from_csv_route_an_address_and_a_bad_file_stores_nothing(app: Flask, run: Any, tmp_path: Path) -> None:
    def places() -> int:
        return int(db.session.scalar(select(func.count()).select_from(Place)) or 0)

    before = run(places)
    bad = write(tmp_path, "bad.csv", f"name,unit_code,kind\n长虹大道,{GRID_2},road\n,{GRID_2},road\n无名路,1,street\n")
    result = app.test_cli_runner().invoke(args=["org", "load-places", bad])
    assert result.exit_code == 1
    assert "line 3: a name of 1 to 120 characters is required" in result.output
    assert "line 4: no unit has the code 1" in result.output and "line 4: the kind must be one of" in result.output
    assert run(places) == before
    good = write(tmp_path, "good.csv", f"\ufeffname,unit_code,kind\n长虹大道,{GRID_2},road\n长虹大道,{GRID_2},road\n")
    assert app.test_cli_runner().invoke(args=["org", "load-places", good]).exit_code == 0
    assert run(places) == before + 1
    assert run(where, address="长虹大道88号") == (GRID_2, "address", None)
    nul = write(tmp_path, "nul.csv", "name,unit_code,kind\nx\x00y,1,road\n")
    assert app.test_cli_runner().invoke(args=["org", "load-places", nul]).exit_code == 1
    huge = write(tmp_path, "huge.csv", f'name,unit_code,kind\n"{"长" * 200_000}",{GRID_2},road\n')
    too_long = app.test_cli_runner().invoke(args=["org", "load-places", huge])
    assert too_long.exit_code == 1 and "第 2 行" in too_long.output  # the csv module's field limit, named
