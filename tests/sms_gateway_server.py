"""An SMS gateway for the tests: a real HTTP server on loopback (werkzeug) that answers the documented
request (engine/sources/sms_gateway.py), keeps the messages it accepted once per ``out_id``, and can
be told to fail, be slow, refuse, fail the next few requests, or answer something that is not JSON.

    with running_gateway() as gateway:
        SmsGateway(SmsGatewayConfig(gateway.url, gateway.key)).send(message)
        assert gateway.received[0]["out_id"] == message.key
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

KEY = "gateway-test-key"
MODES = ("ok", "error", "slow", "refuse", "flaky", "not_json")


class Gateway:
    def __init__(self, key: str = KEY) -> None:
        self.url = ""
        self.key = key
        self.mode = "ok"
        """ok; error (500); slow (takes the message, answers ok after ``slow_seconds``); refuse (400
        INVALID_PHONE); flaky (500 for the next ``fail_next(n)`` requests, then ok); not_json (200 with
        an HTML page, as a proxy in front of a gateway might answer)."""
        self.slow_seconds = 3.0
        self.received: list[dict[str, Any]] = []
        """The bodies of the messages accepted, one per out_id, in order."""
        self.requests = 0
        """Every request, whatever its answer."""
        self._failures_left = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def fail_next(self, n: int) -> None:
        """Answer the next ``n`` requests with a 500, then ok."""
        with self._lock:
            self._failures_left = n
            self.mode = "flaky"

    def stop(self) -> None:
        """Let requests still sleeping in slow mode finish now."""
        self._stopping.set()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self._answer(Request(environ))(environ, start_response)

    def _answer(self, request: Request) -> Response:
        with self._lock:
            self.requests += 1
            mode = self.mode
            if mode == "flaky":
                if self._failures_left > 0:
                    self._failures_left -= 1
                    mode = "error"
                else:
                    mode = self.mode = "ok"
        if mode not in MODES:
            raise ValueError(f"unknown gateway mode {mode!r}")
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return _json(401, {"code": "UNAUTHORIZED", "message": "bad key"})
        if mode == "error":
            return _json(500, {"code": "INTERNAL", "message": "internal error"})
        if mode == "not_json":
            return Response("<html><body>502 Bad Gateway</body></html>", 200, content_type="text/html")
        try:
            body = json.loads(request.get_data())
        except ValueError:
            return _json(400, {"code": "BAD_REQUEST", "message": "not JSON"})
        if not isinstance(body, dict) or not body.get("out_id") or not body.get("phone"):
            return _json(400, {"code": "BAD_REQUEST", "message": "phone and out_id are required"})
        if mode == "refuse":
            return _json(400, {"code": "INVALID_PHONE", "message": "invalid phone number"})
        with self._lock:
            # Checked and recorded in one step: two concurrent sends of one out_id record it once.
            duplicate = any(r["out_id"] == body["out_id"] for r in self.received)
            if not duplicate:
                self.received.append(body)
                number = len(self.received)
        if duplicate:
            return _json(200, {"code": "DUPLICATE", "message": "out_id already received"})
        if mode == "slow":
            # Taken before the slow answer: the sender may give up on a message the gateway has.
            self._stopping.wait(self.slow_seconds)
        return _json(200, {"code": "OK", "message_id": f"M{number:06d}"})


def _json(status: int, answer: dict[str, Any]) -> Response:
    return Response(json.dumps(answer), status, content_type="application/json")


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Not a line per request on stderr: the tests count requests themselves."""


@contextmanager
def running_gateway(key: str = KEY) -> Iterator[Gateway]:
    gateway = Gateway(key)
    server = make_server("127.0.0.1", 0, gateway, threaded=True, request_handler=_Quiet)
    gateway.url = f"http://127.0.0.1:{server.server_port}/sms/send"
    # A short poll: shutdown() waits for the loop to notice, once per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        gateway.stop()
        server.shutdown()
        server.server_close()
        thread.join(5)
