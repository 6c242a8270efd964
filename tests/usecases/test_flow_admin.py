"""Flow versions: uploaded (checked), deployed for new cases, compared, tried in a dry run, and
running cases migrated to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.domain.errors import InvalidInput, NotFound
from engine.domain.flow_problems import FlowRefused
from engine.services.flow_admin import (
    DeployFlow,
    UploadFlow,
    deploy_flow,
    diff_flow_versions,
    dry_run_flow,
    flow_version_xml,
    list_flow_versions,
    upload_flow,
)
from engine.services.flow_editing import CheckExpression, check_flow_expression, list_departments
from engine.services.flow_migration import MigrateCases, migrate_cases, migration_report
from tests.fakes.context import BPMN, FakeContext
from tests.usecases.applications import ADMIN, accept, case_of

RENAMED = (BPMN / "restaurant" / "flow.bpmn").read_bytes().replace(
    'name="统一出件"'.encode(), 'name="统一出件（新）"'.encode())


def flow_file(bundle: str) -> bytes:
    return Path(BPMN / bundle / "flow.bpmn").read_bytes()


def test_an_uploaded_version_runs_new_cases_once_deployed(fake: FakeContext) -> None:
    running = accept(fake)
    uploaded = upload_flow(UploadFlow("restaurant", RENAMED, ADMIN), fake.ctx)
    assert (uploaded.version.version, uploaded.created, uploaded.current) == (2, True, False)
    assert accept(fake).flow_version_id == running.flow_version_id  # not deployed yet
    deployed = deploy_flow(DeployFlow("restaurant", 2, ADMIN), fake.ctx)
    assert (deployed.previous, deployed.changed) == (1, True)
    assert accept(fake).flow_version_id == uploaded.version.id
    assert case_of(fake, running.id).flow_version_id == running.flow_version_id
    assert not deploy_flow(DeployFlow("restaurant", 2, ADMIN), fake.ctx).changed
    assert [v.version for v in list_flow_versions(fake.ctx, "restaurant").versions] == [1, 2]
    assert "统一出件（新）" in flow_version_xml(fake.ctx, "restaurant", 2)


def test_the_same_file_uploaded_again_answers_the_stored_version(fake: FakeContext) -> None:
    again = upload_flow(UploadFlow("restaurant", flow_file("restaurant"), ADMIN), fake.ctx)
    assert (again.version.version, again.created, again.current) == (1, False, True)


def test_a_broken_or_foreign_flow_is_refused_and_nothing_is_stored(fake: FakeContext) -> None:
    for xml in (b"<not-bpmn/>", flow_file("newborn")):
        with pytest.raises(FlowRefused):
            upload_flow(UploadFlow("restaurant", xml, ADMIN), fake.ctx)
    assert [v.version for v in list_flow_versions(fake.ctx, "restaurant").versions] == [1]
    with pytest.raises(NotFound):
        deploy_flow(DeployFlow("restaurant", 9, ADMIN), fake.ctx)
    with pytest.raises(NotFound):
        upload_flow(UploadFlow("nothing", RENAMED, ADMIN), fake.ctx)


def test_two_versions_are_compared_element_by_element(fake: FakeContext) -> None:
    upload_flow(UploadFlow("restaurant", RENAMED, ADMIN), fake.ctx)
    old, new, diff = diff_flow_versions(fake.ctx, "restaurant", None, None)
    assert (old, new) == (1, 2)
    assert [(c.element_id, c.aspects) for c in diff.changed] == [("pickup", ("name",))]
    assert (diff.added, diff.removed) == ((), ())


def test_a_dry_run_walks_the_flow_without_storing_anything(fake: FakeContext) -> None:
    before = fake.db.commits
    run = dry_run_flow(fake.ctx, "restaurant", 1, {"cy.yyzz": "approve"})
    assert run.finished
    assert [s.task for s in run.steps][-1] == "pickup"
    assert fake.db.commits == before
    with pytest.raises(InvalidInput):
        dry_run_flow(fake.ctx, "restaurant", 1, {"cy.nothing": "approve"})


def test_running_cases_move_to_a_version_that_changed_nothing_they_passed(fake: FakeContext) -> None:
    running = accept(fake)
    upload_flow(UploadFlow("restaurant", RENAMED, ADMIN), fake.ctx)
    deploy_flow(DeployFlow("restaurant", 2, ADMIN), fake.ctx)
    report = migration_report(fake.ctx, "restaurant", None)
    assert [(m.number, m.can_move) for m in report.cases] == [(running.number, True)]
    result = migrate_cases(MigrateCases("restaurant", None, None, ADMIN), fake.ctx)
    assert ([m.number for m in result.moved], result.refused) == ([running.number], [])
    assert case_of(fake, running.id).flow_version_id != running.flow_version_id


def test_expressions_are_checked_and_departments_listed(fake: FakeContext) -> None:
    assert check_flow_expression(CheckExpression("timeDate", "working_days(2)"), fake.ctx).ok
    assert not check_flow_expression(CheckExpression("condition", "__import__('os')"), fake.ctx).ok
    departments = [d.code for d in list_departments(fake.ctx)]
    assert departments[0] == "window"
    assert {"scjg", "wj", "cg", "xf"} <= set(departments)
