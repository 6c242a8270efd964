"""Confirming a working-day calendar year: only a year without official holiday data can be
confirmed; a year the package has the State Council's notice for is refused with 409 and a clear
Chinese message, and nothing is recorded."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN


def test_a_year_with_official_data_cannot_be_confirmed(client: Any) -> None:
    before = client.get("/api/calendar/2026").json
    assert before["official"] is True and before["needs_confirmation"] is False
    refused = client.post("/api/calendar/2026/confirm", headers=ADMIN)
    assert refused.status_code == 409
    assert refused.json["code"] == "conflict"
    assert "官方节假日安排" in refused.json["message_zh"] and "无需确认" in refused.json["message_zh"]
    assert client.get("/api/calendar/2026").json["confirmed_by"] is None
    audit = [e["type"] for e in client.get("/api/audit/events", headers=ADMIN).json]
    assert "CalendarYearConfirmed" not in audit


def test_a_year_without_official_data_is_still_confirmed(client: Any) -> None:
    assert client.get("/api/calendar/2027").json["needs_confirmation"] is True
    confirmed = client.post("/api/calendar/2027/confirm", headers=ADMIN)
    assert confirmed.status_code == 200 and confirmed.json["needs_confirmation"] is False
