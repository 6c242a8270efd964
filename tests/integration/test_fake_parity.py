"""The fakes answer as the database does: one scenario of use cases run on the engine the
composition root builds (SQLite, PostgreSQL) and on a fake context, then the read side compared
(search and inbox in every order, department figures, mentions, warnings, the audit, savings).
What the use-case tests on ``tests/fakes`` show is only worth what this parity holds."""

from __future__ import annotations

from typing import Any

import pytest

from engine.bootstrap import OneThingEngine
from engine.domain.decisions import HandOver, Reject
from engine.domain.model import SYSTEM, Delivery
from engine.services.accounts import CreateUser, create_user, get_user
from engine.services.audit import verify_audit_chains
from engine.services.case_comments import AddComment, add_comment, list_mentions
from engine.services.case_search import CASE_SORTS, SearchCases, search_cases
from engine.services.cases import PickUp, pick_up, start_case
from engine.services.clocks import refresh_clocks
from engine.services.context import ServiceContext
from engine.services.inbox import TASK_SORTS, Claim, ListInbox, list_inbox
from engine.services.saved_filters import SaveFilter, list_saved_filters, save_filter
from engine.services.savings_reports import ReportQuery, savings_report
from engine.services.sessions import principal_of
from engine.services.supervision import department_performance, list_warnings
from engine.services.tasks import ClaimTask, CompleteTask, claim_task, complete_task
from tests.approvals import approved
from tests.conftest import PASSWORD, PERSONAS, FakeClock
from tests.fakes.context import fake_context
from tests.usecases.applications import CLERK, SCJG, application
from tests.usecases.decisions import REVIEWERS


class Side:
    """One context (the engine's, or a fake's) with the personas' users."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        for login, name, department, roles in PERSONAS.values():
            create_user(CreateUser(login, name, department, roles, PASSWORD, SYSTEM), ctx)

    def viewer(self, persona: str) -> Any:
        return principal_of(get_user(self.ctx, PERSONAS[persona][0]))


def play(side: Side, clock: FakeClock) -> None:
    """Cases of three bundles, a minute apart; one handed over, one rejected, one with a claim and a
    comment; then three weeks for the clocks."""
    numbers = []
    for bundle in ("restaurant", "company_start", "restaurant", "restaurant"):
        clock.advance(minutes=1)
        numbers.append(start_case(application(side, bundle), side.ctx).resource_id)
    first, _, rejected, claimed = numbers
    viewer = side.ctx
    while approvals := sorted((t for t in list_inbox(ListInbox(side.viewer("supervisor"), case_ref=first),
                                                     viewer).items if t.kind == "approval"),
                              key=lambda t: t.item_code or ""):
        task = approvals[0]
        complete_task(CompleteTask(task.id, approved(task.item_code), REVIEWERS[task.department]), viewer)
    number = next(t.case_number for t in list_inbox(ListInbox(side.viewer("clerk"), case_ref=first), viewer).items)
    pick_up(PickUp(number, HandOver(Delivery.WINDOW, "陈小明", 5), CLERK), viewer)
    scjg = side.viewer("scjg")
    [licence] = [t for t in list_inbox(ListInbox(scjg, case_ref=rejected), viewer).items]
    complete_task(CompleteTask(licence.id, Reject("场所不符"), SCJG), viewer)
    [task] = [t for t in list_inbox(ListInbox(scjg, case_ref=claimed), viewer).items]
    claim_task(ClaimTask(task.id, SCJG), viewer)
    add_comment(AddComment(claimed, "请卫健委看看", SCJG, scjg, mention=["wj"]), viewer)
    save_filter(SaveFilter(scjg, "inbox", "红牌", {"colour": "red"}), viewer)
    clock.advance(days=21)
    refresh_clocks(viewer)


def answers(side: Side) -> dict[str, Any]:
    ctx, supervisor, scjg = side.ctx, side.viewer("supervisor"), side.viewer("scjg")
    found: dict[str, Any] = {}
    for sort in CASE_SORTS:
        for descending in (False, True):
            page = search_cases(SearchCases(supervisor, sort=sort, descending=descending, per_page=3), ctx)
            found[f"cases {sort} {descending}"] = ([c.number for c in page.items], page.total)
    for criteria in ({"q": "CY-"}, {"status": "closed"}, {"bundle_code": "company_start"}, {"department": "wj"}):
        found[f"cases {criteria}"] = [c.number for c in search_cases(SearchCases(supervisor, **criteria), ctx).items]
    clerk = side.viewer("clerk")  # the window searches by the applicant's name and numbers
    for q in ("陈小明", "小明面馆", "13800138000", "11010519491231002X"):
        found[f"cases {q}"] = [c.number for c in search_cases(SearchCases(clerk, q=q), ctx).items]
    for sort in TASK_SORTS:
        for descending in (False, True):
            page = list_inbox(ListInbox(supervisor, sort=sort, descending=descending, per_page=4), ctx)
            found[f"inbox {sort} {descending}"] = ([t.case_number for t in page.items], page.total)
    for claim in Claim:
        page = list_inbox(ListInbox(scjg, claim=claim), ctx)
        found[f"inbox scjg {claim}"] = sorted((t.case_number, t.item_code or "", t.state) for t in page.items)
    found["inbox red"] = list_inbox(ListInbox(supervisor, colour="red"), ctx).total
    found["performance"] = department_performance(ctx, supervisor)
    found["mentions"] = [(m.case_number, m.count) for m in list_mentions(ctx, side.viewer("wj"))]
    warnings = list_warnings(ctx, supervisor, None, None, False, 1, 50)
    found["warnings"] = (warnings.total, sorted((w.case_number, w.department, w.colour) for w in warnings.items))
    report = verify_audit_chains(ctx)
    found["audit"] = (report.ok, report.chains, report.events, report.disagreeing)
    found["savings"] = savings_report(ctx, ReportQuery()).summary
    found["filters"] = [(f.name, f.query) for f in list_saved_filters(ctx, scjg, "inbox")]
    return found


@pytest.mark.slow
def test_the_fakes_answer_as_the_database_does(engine: OneThingEngine, clock: FakeClock) -> None:
    real = Side(engine.ctx)
    fake_clock = FakeClock(clock.now)
    fake = Side(fake_context(fake_clock).ctx)
    play(real, clock)
    play(fake, fake_clock)
    expected, got = answers(real), answers(fake)
    assert expected["audit"][0] and expected["warnings"][0] > 0 and expected["savings"].count == 1
    for key in expected:
        assert got[key] == expected[key], key
