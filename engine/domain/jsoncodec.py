"""JSON text for the hot paths (workflow state, JSON columns, API bodies), through orjson.

The standard library's ``json`` costs several times more per byte; what orjson cannot encode
(an integer beyond 64 bits, a type it does not know) is left to ``json`` so that nothing that
encoded before fails now. Non-string keys become strings, as ``json`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(value: Any, default: Callable[[Any], Any] | None = None, sort_keys: bool = False) -> str:
    """Compact JSON text of ``value``, non-ASCII characters as they are. As with ``json``, dates
    and times go to ``default`` (orjson would write them as strings itself)."""
    option = _OPTIONS | orjson.OPT_SORT_KEYS if sort_keys else _OPTIONS
    try:
        return orjson.dumps(value, default=default, option=option).decode()
    except TypeError:  # orjson.JSONEncodeError: too big an integer, an unknown type...
        return json.dumps(value, default=default, sort_keys=sort_keys, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """The value of JSON text; raises ``ValueError`` when it is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # what orjson refuses (NaN, huge numbers) but json reads
