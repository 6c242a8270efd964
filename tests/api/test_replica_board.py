"""The supervision board says where its figures come from: without ONETHING_REPLICA_URL, the primary
(the replica itself is tests/integration/test_read_replica.py's)."""

from __future__ import annotations

from typing import Any


def test_without_a_replica_the_board_says_none_is_configured(client: Any) -> None:
    answer = client.get("/api/supervision/departments")
    assert answer.status_code == 200, answer.json
    assert answer.json["replica"] == {"configured": False}
