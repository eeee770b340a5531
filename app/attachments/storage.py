"""Attachment bytes on disk: <dir>/<2 hex>/<32 hex> and a '.thumb.jpg' beside images.

Files are written only after everything was validated and the rows flushed, and removed
again if the commit does not happen: no file without its row.
"""

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

THUMB_SUFFIX = ".thumb.jpg"


def new_key() -> str:
    return secrets.token_hex(16)


def path_of(directory: str, key: str, *, thumbnail: bool = False) -> Path:
    if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):  # never a path from elsewhere
        raise ValueError("bad storage key")
    return Path(directory) / key[:2] / (key + (THUMB_SUFFIX if thumbnail else ""))


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    partial.write_bytes(content)
    os.replace(partial, path)  # readers never see half a file


@contextmanager
def files_written(directory: str, files: Iterable[tuple[str, bytes, bytes | None]]) -> Iterator[None]:
    """Write (key, content, thumbnail) files, run the block (the commit); on any error remove them again."""
    written: list[Path] = []
    try:
        for key, content, thumbnail in files:
            written.append(path := path_of(directory, key))
            _write(path, content)
            if thumbnail is not None:
                written.append(thumb := path_of(directory, key, thumbnail=True))
                _write(thumb, thumbnail)
        yield
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
