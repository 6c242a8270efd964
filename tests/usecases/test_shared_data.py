"""Shared data on the fake unit of work: importing a registry, asking it for an intake with every
lookup audited, the volume flagged, and the demo set."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.domain.errors import InvalidInput, NotFound
from engine.domain.shared_data import LookupFilter
from engine.services.catalogue import get_prefilled_form
from engine.services.demo_registries import demo_registries, load_demo_registries
from engine.services.registry_import import ImportRegistry, import_registry
from engine.services.shared_data import Inquiry
from engine.services.shared_data_audit import list_lookups, lookup_volume, registry_counts, registry_imports
from tests.conftest import FakeClock
from tests.fakes.context import FakeContext
from tests.usecases.applications import ADMIN, CLERK

PERSON = "410702199001010023"
CSV = f"id_number,name,gender\n{PERSON},李芳,女\n410702199001010028,王伟,男\n".encode()


def test_an_import_writes_the_valid_rows_and_keeps_its_report(fake: FakeContext) -> None:
    report = import_registry(ImportRegistry("person", "p.csv", CSV, ADMIN), fake.ctx)
    assert (report.rows_accepted, report.rows_rejected, report.created) == (1, 1, 1)
    assert [c.records for c in registry_counts(fake.ctx) if c.kind == "person"] == [1]
    assert [i["rows_rejected"] for i in registry_imports(fake.ctx, "person")] == [1]
    again = import_registry(ImportRegistry("person", "p.csv", CSV, ADMIN), fake.ctx)
    assert (again.created, again.updated) == (0, 1)
    with pytest.raises(NotFound):
        import_registry(ImportRegistry("weather", "w.csv", CSV, ADMIN), fake.ctx)
    with pytest.raises(InvalidInput):
        import_registry(ImportRegistry("person", "p.csv", b"name\n", ADMIN), fake.ctx)


def test_a_form_for_an_applicant_asks_the_registries_and_audits_each_lookup(fake: FakeContext,
                                                                            clock: FakeClock) -> None:
    import_registry(ImportRegistry("person", "p.csv", CSV, ADMIN), fake.ctx)
    found = get_prefilled_form(fake.ctx, "retirement", PERSON, inquirer=CLERK, draft="intake-1")
    assert (found.prefilled["name"].value, found.prefilled["name"].origin) == ("李芳", "registry")
    lookups, numbers = list_lookups(fake.ctx, LookupFilter(draft="intake-1"))
    assert numbers == {}  # made before any case
    assert {(e.kind, e.outcome, e.user) for e in lookups} == {("person", "found", "wang.window"),
                                                                ("social_insurance", "none", "wang.window")}
    volumes, unusual = lookup_volume(fake.ctx, clock() - timedelta(days=1), clock() + timedelta(days=1), 1)
    assert [(v.user, v.lookups) for v in volumes] == [("wang.window", 2)] and unusual == {"wang.window"}
    get_prefilled_form(fake.ctx, "retirement", PERSON)  # no one asking: nothing looked up
    assert len(list_lookups(fake.ctx, LookupFilter())[0]) == 2
    assert list_lookups(fake.ctx, LookupFilter(), "CY-20990101-00001") == ([], {})  # no such case
    with pytest.raises(InvalidInput):
        Inquiry(CLERK, "  ")


def test_the_demo_set_is_valid_and_loads_only_into_empty_registries(fake: FakeContext, clock: FakeClock) -> None:
    import_registry(ImportRegistry("person", "p.csv", CSV, ADMIN), fake.ctx)
    demo = demo_registries(clock().date())
    loaded = load_demo_registries(fake.ctx, clock().date())
    assert "person" not in loaded  # an administrator's import is never overwritten
    assert loaded == {kind: len(rows) for kind, rows in demo.rows.items() if kind != "person"}
    assert all(count > 10 for count in loaded.values())
    assert load_demo_registries(fake.ctx, clock().date()) == {}
