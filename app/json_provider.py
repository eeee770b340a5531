"""Response JSON, with values that many responses share encoded once per process.

An inbox page repeats each task's form (its JSON schema and UI schema, a few kilobytes) on every row, read from the
per-version cache (`Deployed.task_texts`, app/casetypes/registry.py); encoding those forms again on every page was
a sixth of the page's CPU. Such a value is wrapped in `Encoded`: the provider encodes it the first time it is
answered and from then on splices the kept text into each response. Everything else is encoded as Flask does.

An API response (Flask's compact `response`) is written by orjson: Python's json was a tenth of the instructions an
inbox page of 50 runs (bench/instructions.py: 12.45 M against 11.05 M).
Its text differs from Flask's only in leaving non-ASCII characters as they are (UTF-8, as JSON is sent) instead of
escaping them; keys are sorted as Flask sorts them, and dates, times and dataclasses go to Flask's `default` as
before. Whatever orjson refuses (integers beyond 64 bits, a lone surrogate, a key that is not a string, a type
neither knows) takes the path below, Python's json, which answers it as it did. Other callers (templates' `tojson`,
pretty-printed answers in debug) keep Python's json and its escapes.

Reading, it refuses NaN and Infinity, which Python's json accepts but JSON has not: PostgreSQL's json type would
refuse them deep inside a write, so a request carrying one is answered as invalid JSON (400) instead. It reads as
app/engine/json_text.py does (orjson, and Python's json for what orjson refuses or would read as a float).
"""

import json
import secrets
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

from app.engine import json_text

# A placeholder's prefix: a NUL (never in our own texts) and a token no client can guess, so no string a user wrote
# can ever be taken for a placeholder.
_MARK = f"\x00{secrets.token_hex(8)}:"


class Encoded:
    """A value shared between responses and never changed: encoded once, then reused as text."""

    __slots__ = ("_text", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._text: str | None = None


_COMPACT = {"separators": (",", ":")}  # what Flask's `response` asks for, outside debug
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class JSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return json.loads(s, parse_constant=_not_json, **kwargs)
        return json_text.loads(s, parse_constant=_not_json)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs == _COMPACT:
            try:
                return orjson.dumps(obj, default=self._orjson_default, option=_ORJSON_OPTIONS).decode("utf-8")
            except orjson.JSONEncodeError:
                pass  # written below, as Flask writes it (or refused as Flask refuses it)
        spliced: dict[str, str] = {}  # a placeholder (as JSON) -> the encoded value

        def default(o: Any) -> Any:
            if not isinstance(o, Encoded):
                return DefaultJSONProvider.default(o)
            if o._text is None:
                o._text = super(JSONProvider, self).dumps(o.value)
            mark = f"{_MARK}{id(o)}"
            spliced[json.dumps(mark)] = o._text
            return mark

        text = super().dumps(obj, default=default, **kwargs)
        for mark, value in spliced.items():
            text = text.replace(mark, value)
        return text

    def _orjson_default(self, o: Any) -> Any:
        if not isinstance(o, Encoded):
            return DefaultJSONProvider.default(o)
        if o._text is None:
            o._text = super().dumps(o.value)
        return orjson.Fragment(o._text)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")
