"""The fast JSON codec answers what the standard library would, including where orjson cannot."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from engine.domain import jsoncodec


def test_compact_text_with_chinese_as_it_is() -> None:
    value = {"name": "陈小明", "n": [1, 2.5, None, True], "nested": {"a": "b"}}
    text = jsoncodec.dumps(value)
    assert text == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert jsoncodec.loads(text) == value


def test_non_string_keys_become_strings_as_json_does() -> None:
    assert jsoncodec.loads(jsoncodec.dumps({1: "a", "2": "b"})) == {"1": "a", "2": "b"}


def test_sorted_keys_on_request() -> None:
    assert jsoncodec.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a":2,"b":1}'


def test_integers_beyond_64_bits_fall_back_to_json() -> None:
    big = 2**70
    assert jsoncodec.loads(jsoncodec.dumps({"n": big})) == {"n": big}


def test_dates_go_to_default_as_with_json() -> None:
    moment = datetime(2026, 9, 24, 9, 30, tzinfo=UTC)
    with pytest.raises(TypeError):
        jsoncodec.dumps({"at": moment})
    assert jsoncodec.dumps({"at": moment}, default=lambda v: "when:" + v.isoformat()) == (
        '{"at":"when:2026-09-24T09:30:00+00:00"}')
    assert jsoncodec.dumps([date(2026, 10, 1)], default=str) == '["2026-10-01"]'
    with pytest.raises(TypeError):
        jsoncodec.dumps({"fee": Decimal("1.5")})


def test_loads_accepts_what_json_accepts_and_refuses_the_rest() -> None:
    assert str(jsoncodec.loads('{"x": NaN}')["x"]) == "nan"
    assert jsoncodec.loads(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(ValueError):
        jsoncodec.loads("{not json")
