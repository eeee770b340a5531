"""Each attachment test stores its files in a folder of its own, so it can see exactly what was written."""

from pathlib import Path
from typing import Any

import pytest
from flask import Flask


@pytest.fixture
def store(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "GRIDCASE_ATTACHMENT_DIR", str(folder))
    return folder


def stored(folder: Path) -> list[str]:
    """Every file under the attachment folder, relative names."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def fetch(client: Any, url: str, **kwargs: Any) -> Any:
    """GET a file and close the response (a served file stays open until then), its body kept."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response
