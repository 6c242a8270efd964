"""Request and response bodies through orjson (``engine.domain.jsoncodec``), with Flask's own
handling of what JSON has no type for (dates as HTTP dates, decimals as strings...)."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from engine.domain import jsoncodec

_COMPACT = {"separators": (",", ":")}


class FastJSONProvider(DefaultJSONProvider):
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs and kwargs != _COMPACT:  # pretty printing (debug mode) and other options: Flask's own
            return super().dumps(obj, **kwargs)
        return jsoncodec.dumps(obj, default=self.default, sort_keys=self.sort_keys)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return super().loads(s, **kwargs)
        return jsoncodec.loads(s)
