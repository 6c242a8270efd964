"""A provincial data-sharing platform for the tests: a real HTTP server on loopback (werkzeug) that
answers the documented request (engine/sources/http_registry.py) from fixture records, and that can
be told, per registry kind, to be slow, fail, answer malformed bodies, or fail once then recover."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

TOKEN = "platform-test-token"


class Platform:
    def __init__(self, records: dict[str, list[dict[str, Any]]]) -> None:
        self.records = records
        """kind -> records as the platform answers them ({"ref", "name", "attributes", "subjects"})."""
        self.modes: dict[str, str] = {}
        """kind -> ok (default), slow, error, malformed, not_json, flaky (503 once), missing (404)."""
        self.hits: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self.url = ""

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        kind = request.path.rsplit("/", 1)[-1]
        self.hits[kind] += 1
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("{}", 401, content_type="application/json")(environ, start_response)
        body = json.loads(request.get_data())
        self.bodies.append(body)
        mode = self.modes.get(kind, "ok")
        if mode == "slow":
            time.sleep(3)
        if mode == "error":
            return Response('{"error": "internal"}', 500, content_type="application/json")(environ, start_response)
        if mode == "flaky" and self.hits[kind] == 1:
            return Response("busy", 503)(environ, start_response)
        if mode == "malformed":
            return Response('{"rows": 3}', 200, content_type="application/json")(environ, start_response)
        if mode == "not_json":
            return Response("<html>gateway</html>", 200, content_type="text/html")(environ, start_response)
        if mode == "missing":
            return Response("{}", 404, content_type="application/json")(environ, start_response)
        found = [r for r in self.records.get(kind, []) if body["subject"] in r["subjects"]]
        return Response(json.dumps({"records": found}, ensure_ascii=False), 200,
                        content_type="application/json")(environ, start_response)


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Not a line per request on stderr: the tests and the bench count requests themselves."""


@contextmanager
def running_platform(records: dict[str, list[dict[str, Any]]]) -> Iterator[Platform]:
    platform = Platform(records)
    server = make_server("127.0.0.1", 0, platform, threaded=True, request_handler=_Quiet)
    platform.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        thread.join(5)
