"""JSON text for what an engine step stores: the case's engine state, and the rows it writes (app/cases/rows.py).

Encoding and decoding a case's engine state was a tenth of the CPU a fired timer costs in process (Python's json:
about 100 µs to write and 70 µs to read a hotline case's 6 KB state, orjson 11 and 26 µs). orjson writes the same
text as `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` for what both encode; where they would
differ, orjson is not used: dates, times and dataclasses go to `default` as they do in Python's json, and whatever
orjson refuses that Python's json takes (integers beyond 64 bits, a lone surrogate, a key that is not a string) is
written by Python's json, as it was before. Reading falls back the same way (NaN and large integers in older text).
"""

import json
from collections.abc import Callable
from typing import Any

import orjson

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """Compact JSON text, non-ASCII characters as they are; `default` converts what JSON has no type for."""
    try:
        return orjson.dumps(value, default=default, option=_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
