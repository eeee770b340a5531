"""The stored JSON text is what Python's json wrote before, whichever library writes it (app/engine/json_text.py)."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from app.engine import json_text


def _python(value: Any, default: Any = None) -> str:
    return json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "value",
    [
        {"地址": "城关镇 3 号", "n": 3, "x": 0.1, "big": 2**63 - 1, "none": None, "ok": True, "l": [1, "二", {}]},
        {"quote": 'a "b" \\ c', "control": "\n\t\x01", "emoji": "🙂", "nested": {"a": [[], [{}]]}},
        [1.5, -0.0, 1e300, 123456789012345678],
        (1, 2),
    ],
)
def test_what_both_encode_is_the_same_text(value: Any) -> None:
    assert json_text.dumps(value) == _python(value)
    assert json_text.loads(json_text.dumps(value)) == json.loads(_python(value))


def test_what_orjson_refuses_is_written_by_python_json() -> None:
    for value in ({"big": 2**70}, {"surrogate": "\ud800"}, {1: "int key"}):
        assert json_text.dumps(value) == _python(value)


def test_dates_go_to_default_as_in_python_json() -> None:
    at = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)

    def default(value: Any) -> Any:
        return {"typename": type(value).__name__, "value": value.isoformat()}

    assert json_text.dumps({"at": at}, default) == _python({"at": at}, default)
    with pytest.raises(TypeError):
        json_text.dumps({"at": at})  # no default: refused, as Python's json refuses it
    with pytest.raises(TypeError):
        json_text.dumps({"other": object()})


@pytest.mark.parametrize("number", [2**70 + 1, 2**64, -(2**63) - 1, 10**30 + 7])
def test_an_integer_beyond_64_bits_reads_back_whole(number: int) -> None:
    # orjson reads one as a float, without a word: 2**70 + 1 would come back as 2**70
    for text in (f'{{"n": {number}}}', f'{{"n": {number}}}'.encode()):
        value = json_text.loads(text)["n"]
        assert value == number and isinstance(value, int)


def test_long_digit_runs_elsewhere_read_the_same() -> None:
    text = '{"card": "6222021234567890123456", "x": 0.12345678901234567891, "n": 18446744073709551615}'
    assert json_text.loads(text) == json.loads(text)


def test_older_text_orjson_cannot_read_is_read_by_python_json() -> None:
    assert json_text.loads('{"n": 1180591620717411303424, "x": NaN}')["n"] == 2**70
    assert json_text.loads(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(json.JSONDecodeError):
        json_text.loads("{not json")


def test_text_nested_beyond_the_stack_is_a_value_error() -> None:
    for depth in (1_100, 100_000):  # orjson refuses past 1,024 levels; Python's json raised RecursionError
        with pytest.raises(ValueError, match="nested too deeply"):
            json_text.loads("[" * depth + "]" * depth)
