"""The catalogue (fields, materials, licences) and bundle definitions, changed by an administrator
only when every bundle still builds."""

from __future__ import annotations

import copy

import pytest

from engine.domain.errors import InvalidInput, NotFound
from engine.services.catalogue import catalogue_entries, get_bundle_catalogue
from engine.services.catalogue_admin import (
    PutBundleDefinition,
    PutCatalogueEntry,
    put_bundle_definition,
    put_catalogue_entry,
)
from engine.services.views import list_bundles
from tests.fakes.context import FakeContext
from tests.usecases.applications import ADMIN


def restaurant_definition(fake: FakeContext) -> dict[str, object]:
    return copy.deepcopy(next(v.record.definition for v in list_bundles(fake.ctx) if v.record.code == "restaurant"))


def test_a_changed_material_name_reaches_the_bundles_checklist(fake: FakeContext) -> None:
    materials = catalogue_entries(fake.ctx, "materials")
    layout = {**materials["premises_layout"], "name": "经营场所平面图（新）"}
    put_catalogue_entry(PutCatalogueEntry("materials", "premises_layout", layout, ADMIN), fake.ctx)
    assert catalogue_entries(fake.ctx, "materials")["premises_layout"]["name"] == "经营场所平面图（新）"
    names = {e.key: e.name for e in get_bundle_catalogue(fake.ctx, "restaurant").checklist().entries}
    assert names["premises_layout"] == "经营场所平面图（新）"


def test_an_entry_that_would_break_a_bundle_is_refused(fake: FakeContext) -> None:
    with pytest.raises(InvalidInput):
        put_catalogue_entry(PutCatalogueEntry("materials", "Bad Key", {}, ADMIN), fake.ctx)
    licences = catalogue_entries(fake.ctx, "licences")
    with pytest.raises(InvalidInput) as refused:
        put_catalogue_entry(PutCatalogueEntry("licences", "business_licence",
                                              {**licences["business_licence"], "holder": "robot"}, ADMIN), fake.ctx)
    assert "holder" in refused.value.field_errors
    assert catalogue_entries(fake.ctx, "licences") == licences


def test_a_bundle_definition_is_changed_within_its_flow(fake: FakeContext) -> None:
    definition = restaurant_definition(fake)
    definition["name"] = "开餐馆（新名）"
    put_bundle_definition(PutBundleDefinition("restaurant", definition, ADMIN), fake.ctx)
    assert get_bundle_catalogue(fake.ctx, "restaurant").bundle.name == "开餐馆（新名）"


def test_a_bundle_definition_must_keep_its_code_and_its_flows_items(fake: FakeContext) -> None:
    definition = restaurant_definition(fake)
    items = definition["items"]
    assert isinstance(items, list)
    definition["items"] = items[:-1]
    with pytest.raises(InvalidInput):
        put_bundle_definition(PutBundleDefinition("restaurant", definition, ADMIN), fake.ctx)
    with pytest.raises(InvalidInput):
        put_bundle_definition(PutBundleDefinition("restaurant", {**restaurant_definition(fake), "code": "x"}, ADMIN),
                              fake.ctx)
    with pytest.raises(NotFound):
        put_bundle_definition(PutBundleDefinition("nothing", restaurant_definition(fake), ADMIN), fake.ctx)
