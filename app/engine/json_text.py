"""JSON text for what an engine step stores: the case's engine state, and the rows it writes (app/cases/rows.py).

Encoding and decoding a case's engine state was a tenth of the CPU a fired timer costs in process (Python's json:
about 100 µs to write and 70 µs to read a hotline case's 6 KB state, orjson 11 and 26 µs). orjson writes the same
text as `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` for what both encode; where they would
differ, orjson is not used: dates, times and dataclasses go to `default` as they do in Python's json, and whatever
orjson refuses that Python's json takes (integers beyond 64 bits, a lone surrogate, a key that is not a string) is
written by Python's json, as it was before. Reading falls back the same way: to Python's json where orjson refuses
the text (NaN in older text), and where the text holds a number of 19 digits or more, which orjson would read as a
float when it is an integer beyond 64 bits (silently: 2**70 + 1 came back as 2**70).
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


# Any integer orjson cannot hold (below -2**63 or above 2**64 - 1) is written with 19 digits or more in a row. So
# may a float's digits or a string's be; those only take the slower reader. Found by mapping every digit to "0" and
# everything else to a space (3-5 µs for a 3 KB state; a regular expression took 30).
_DIGITS_ONLY = bytes(ord("0") if chr(i) in "0123456789" else ord(" ") for i in range(256))
_LONG_RUN = b"0" * 19


def loads(text: str | bytes, parse_constant: Callable[[str], Any] | None = None) -> Any:
    """The value of JSON `text`; `parse_constant` as in Python's json (NaN, Infinity), which reads what orjson
    cannot."""
    if not _has_long_number(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(text, parse_constant=parse_constant)
    except RecursionError as err:  # nested beyond Python's stack (orjson refuses past 1,024 levels)
        raise ValueError("JSON nested too deeply") from err


def _has_long_number(text: str | bytes) -> bool:
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return _LONG_RUN in raw.translate(_DIGITS_ONLY)
