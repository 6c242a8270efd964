"""The guides are public (一次告知): anyone reads the bundles and each one's complete guide without
logging in, and nothing of a flow's internals."""

from __future__ import annotations

from typing import Any

from tests.conftest import SHIPPED_BUNDLES


def test_anyone_reads_the_bundles_and_their_guides(client: Any) -> None:
    bundles = client.get("/api/public/bundles")
    assert bundles.status_code == 200 and len(bundles.json) == SHIPPED_BUNDLES
    restaurant = next(b for b in bundles.json if b["code"] == "restaurant")
    assert restaurant["name"] == "开办餐饮店一件事" and "消防救援机构" in restaurant["departments"]
    assert set(restaurant) == {"code", "name", "items", "departments", "promised_days"}
    guide = client.get("/api/public/bundles/restaurant/guide")
    assert guide.status_code == 200
    assert {i["code"] for i in guide.json["items"]} == {"cy.yyzz", "cy.spjy", "cy.zp", "cy.xf", "cy.jkz"}
    assert guide.json["form"]["labels"]["seats"] and guide.json["materials_unified"] == len(guide.json["materials"])
    assert client.get("/api/public/bundles/nope/guide").status_code == 404
    assert client.get("/guide/restaurant").status_code == 200 and client.get("/guide").status_code == 200
