"""The engine bench's HTTP client (see ``HttpDriver``)."""

from __future__ import annotations

import socket
from typing import Any

import orjson


class HttpDriver:
    """HTTP/1.1 with keep-alive, as lean as a load generator should be: the clients share the
    server's two cores, and ``http.client`` (which parses headers through the email package) spent
    twice the CPU: 3.1 against 1.5 ms per case. One connection carries all of a client's requests;
    with ``per_person`` each signed-in person (the clerk, each department's reviewer) has a
    connection of their own, as each desk has its own browser, so that a case's requests reach the
    server's workers as a real case's do: mostly a worker that has not got the case's workflow in
    its cache (``--connection-per-person``). Each request is written whole; an answer is read by
    its Content-Length (the server's answers all carry one)."""

    def __init__(self, port: int, per_person: bool = False) -> None:
        self.port, self.per_person = port, per_person
        self.connections: dict[str, _Connection] = {}

    def _connection(self, headers: dict[str, str]) -> _Connection:
        who = headers.get("Authorization", "") if self.per_person else ""
        connection = self.connections.get(who)
        if connection is None:
            connection = self.connections[who] = _Connection(self.port)
        return connection

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        return self._call("POST", path, orjson.dumps(body), {**headers, "Content-Type": "application/json"})

    def get(self, path: str, headers: dict[str, str]) -> dict[str, Any]:
        return self._call("GET", path, None, headers)

    def _call(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
        return self._connection(headers).call(method, path, data, headers)


class _Connection:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def call(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
        if data is not None:
            lines.append(f"Content-Length: {len(data)}")
        self.sock.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + (data or b""))
        status, length = self._read_head()
        payload = orjson.loads(self._read(length))
        assert status in (200, 201), payload
        return payload  # type: ignore[no-any-return]

    def _read_head(self) -> tuple[int, int]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *fields = head.decode("latin-1").split("\r\n")
        length = next(int(f.split(":", 1)[1]) for f in fields if f.lower().startswith("content-length:"))
        return int(status_line.split(" ", 2)[1]), length

    def _read(self, length: int) -> bytes:
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def _fill(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk
