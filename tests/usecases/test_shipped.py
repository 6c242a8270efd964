"""Deploying the shipped catalogue and flows (what the composition root does at start): once, then
unchanged; an administrator's catalogue edit survives a restart that ships the same file."""

from __future__ import annotations

from engine.services.catalogue import catalogue_entries, deploy_catalogue
from engine.services.catalogue_admin import PutCatalogueEntry, put_catalogue_entry
from engine.services.flows import deploy_shipped_flows, warm_spec_cache
from engine.services.views import deployed_bundle_count
from tests.conftest import SHIPPED_BUNDLES
from tests.fakes.context import BPMN, fake_context
from tests.usecases.applications import ADMIN


def test_the_shipped_bundles_deploy_once_and_then_stay_as_they_are() -> None:
    fake = fake_context(shipped=False)
    assert deployed_bundle_count(fake.ctx) == 0
    first = deploy_catalogue(fake.ctx, BPMN / "catalogue")
    assert all("changed by the shipped file" in line for line in first)
    flows = deploy_shipped_flows(fake.ctx, BPMN)
    assert "restaurant: deployed flow version 1 (by system)" in flows
    assert deployed_bundle_count(fake.ctx) == warm_spec_cache(fake.ctx) == SHIPPED_BUNDLES
    assert all("unchanged" in line for line in deploy_catalogue(fake.ctx, BPMN / "catalogue"))
    assert "restaurant: flow unchanged (version 1)" in deploy_shipped_flows(fake.ctx, BPMN)


def test_an_administrators_edit_survives_the_same_file_deployed_again() -> None:
    fake = fake_context()
    layout = {**catalogue_entries(fake.ctx, "materials")["premises_layout"], "name": "平面图（本地）"}
    put_catalogue_entry(PutCatalogueEntry("materials", "premises_layout", layout, ADMIN), fake.ctx)
    deploy_catalogue(fake.ctx, BPMN / "catalogue")
    assert catalogue_entries(fake.ctx, "materials")["premises_layout"]["name"] == "平面图（本地）"
