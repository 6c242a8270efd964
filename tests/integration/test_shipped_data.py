"""A restart deploys the shipped data again; it must never undo what administrators changed through
the API. Only what a release changed in the shipped files is applied (a three-way merge)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from engine.bootstrap import ROOT, Settings, build_engine
from engine.domain.model import Actor
from engine.services.catalogue import merge_shipped
from engine.services.catalogue_admin import (
    PutBundleDefinition,
    PutCatalogueEntry,
    put_bundle_definition,
    put_catalogue_entry,
)

ADMIN = Actor("sun.office", "office", "admin")


def test_merging_a_release_keeps_what_administrators_changed() -> None:
    old = {"a": 1, "b": 2, "c": 3, "d": 4}
    new = {"a": 1, "b": 20, "e": 5, "d": 4}  # b changed, c removed, e added
    stored = {"a": 10, "b": 2, "c": 3, "d": 40, "x": 9}  # an admin changed a and d, added x
    assert merge_shipped(stored, old, new) == {"a": 10, "b": 20, "d": 40, "e": 5, "x": 9}
    assert merge_shipped({"a": 10, "c": 30}, old, new)["c"] == 30  # an edited entry is not removed
    assert merge_shipped({"x": 9}, None, new) == {**new, "x": 9}


def test_a_restart_keeps_administrators_edits_and_applies_a_release(db_url: str, tmp_path: Path) -> None:
    bpmn = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn", bpmn)
    settings = Settings(database_url=db_url, bpmn_dir=bpmn, password_strength="fast")
    engine = build_engine(settings)
    try:
        ctx = engine.ctx
        put_catalogue_entry(PutCatalogueEntry("materials", "premises_layout", {"name": "经营场所平面图（管理员修订）"},
                                              ADMIN), ctx)
        definition = json.loads((bpmn / "restaurant" / "bundle.json").read_text(encoding="utf-8"))
        definition["items"][0]["promised_days"] = 2
        put_bundle_definition(PutBundleDefinition("restaurant", definition, ADMIN), ctx)
    finally:
        engine.db.dispose()

    engine = build_engine(settings)  # a restart with the same shipped files
    try:
        with engine.ctx.uow(False) as uow:
            assert uow.catalogue.entries("material")["premises_layout"]["name"] == "经营场所平面图（管理员修订）"
            row = uow.flows.bundle("restaurant")
            assert row is not None and row.definition["items"][0]["promised_days"] == 2
    finally:
        engine.db.dispose()

    # A release changes another material and the restaurant's bundle.json.
    materials = json.loads((bpmn / "catalogue" / "materials.json").read_text(encoding="utf-8"))
    materials["sign_design"]["name"] = "招牌设计效果图（新版）"
    (bpmn / "catalogue" / "materials.json").write_text(json.dumps(materials, ensure_ascii=False), encoding="utf-8")
    shipped = json.loads((bpmn / "restaurant" / "bundle.json").read_text(encoding="utf-8"))
    shipped["items"][2]["promised_days"] = 4
    (bpmn / "restaurant" / "bundle.json").write_text(json.dumps(shipped, ensure_ascii=False), encoding="utf-8")
    engine = build_engine(settings)
    try:
        with engine.ctx.uow(False) as uow:
            entries = uow.catalogue.entries("material")
            assert entries["sign_design"]["name"] == "招牌设计效果图（新版）"
            assert entries["premises_layout"]["name"] == "经营场所平面图（管理员修订）"
            row = uow.flows.bundle("restaurant")
            assert row is not None and row.definition["items"][2]["promised_days"] == 4  # the release wins here
    finally:
        engine.db.dispose()
