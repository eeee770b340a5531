"""Numbers in requests beyond what an integer column holds (app/whole_numbers.py): read as malformed, never a 500.

Each of these reached a query before as PostgreSQL's "bigint out of range" or SQLite's OverflowError."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import login

BIG = "100000000000000000000"  # 10**20


@pytest.mark.parametrize("path", [f"/cases?page={BIG}", f"/registers/residents?page={BIG}", f"/inbox?offset={BIG}"])
def test_a_page_number_out_of_range_reads_as_the_first_page(client: FlaskClient, path: str) -> None:
    login(client, "grid_worker_1")
    assert client.get(path).status_code == 200
    assert client.get(path.replace(BIG, f"-{BIG}")).status_code == 200


@pytest.mark.parametrize("path", [f"/tasks?next={BIG}", f"/registers/residents?page={BIG}", f"/calendar?year={BIG}"])
def test_api_numbers_out_of_range_read_as_their_default(api: Any, path: str) -> None:
    answer = api("admin").get(path)
    assert answer.status_code == 200, answer.json


def test_a_version_out_of_range(api: Any, client: FlaskClient) -> None:
    key = "fire_hazard_rectification"
    moved = api("designer").post(f"/designer/case-types/{key}/migrations", {"source": 1, "target": 10**20})
    assert moved.status_code == 422 and "target" in moved.json["error"]["fields"]
    login(client, "designer")
    assert client.get(f"/designer/{key}/diff?to={BIG}").status_code == 200  # the newest, as without `to`
    assert client.get(f"/designer/{key}/migrate?source=1&target={BIG}").status_code == 422
