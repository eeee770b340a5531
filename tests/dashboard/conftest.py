"""The dashboard tests' fixed data set."""

from typing import Any

import pytest

from tests.dashboard import dataset


@pytest.fixture
def cases(run: Any) -> dict[str, int]:
    result: dict[str, int] = run(dataset.build)
    return result
