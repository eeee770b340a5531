"""Response JSON, with values that many responses share encoded once per process.

An inbox page repeats each task's form (its JSON schema and UI schema, a few kilobytes) on every row, read from the
per-version cache (`Deployed.task_texts`, app/casetypes/registry.py); encoding those forms again on every page was
a sixth of the page's CPU. Such a value is wrapped in `Encoded`: the provider encodes it the first time it is
answered and from then on splices the kept text into each response. Everything else is encoded as Flask does.

Reading, it refuses NaN and Infinity, which Python's json accepts but JSON has not: PostgreSQL's json type would
refuse them deep inside a write, so a request carrying one is answered as invalid JSON (400) instead.
"""

import json
import secrets
from typing import Any

from flask.json.provider import DefaultJSONProvider

# A placeholder's prefix: a NUL (never in our own texts) and a token no client can guess, so no string a user wrote
# can ever be taken for a placeholder.
_MARK = f"\x00{secrets.token_hex(8)}:"


class Encoded:
    """A value shared between responses and never changed: encoded once, then reused as text."""

    __slots__ = ("_text", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._text: str | None = None


class JSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json.loads(s, parse_constant=_not_json, **kwargs)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
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


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")
