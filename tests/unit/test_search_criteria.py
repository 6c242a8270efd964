"""What a search or an inbox request becomes before any SQL: whose cases a department filter may
name, what "mine" and "unclaimed" mean, and which saved-filter conditions each page keeps."""

from __future__ import annotations

import pytest

from engine.domain.access import Principal, Role
from engine.domain.errors import Forbidden
from engine.domain.saved_filters import filter_problems
from engine.services.case_search import SearchCases, _criteria
from engine.services.inbox import Claim, ListInbox
from engine.services.inbox import _criteria as inbox_criteria


def person(department: str, *roles: Role) -> Principal:
    return Principal(1, f"someone.{department}", "某人", department, frozenset(roles))


CLERK = person("window", Role.CLERK)
SUPERVISOR = person("office", Role.SUPERVISOR)
REVIEWER = person("scjg", Role.REVIEWER)


def test_the_window_and_supervisors_name_any_department_a_department_only_itself() -> None:
    assert _criteria(SearchCases(CLERK, department="rs"), None).department == "rs"
    assert _criteria(SearchCases(SUPERVISOR, department="yb"), None).department == "yb"
    assert _criteria(SearchCases(CLERK), None).department is None
    assert _criteria(SearchCases(REVIEWER), None).department == "scjg"  # limited without asking
    assert _criteria(SearchCases(REVIEWER, department="scjg"), None).department == "scjg"
    with pytest.raises(Forbidden) as refused:
        _criteria(SearchCases(REVIEWER, department="rs"), None)
    assert refused.value.message_zh == "您只能查询本部门的办件"


def test_mine_is_the_viewers_claims_and_unclaimed_the_ready_tasks() -> None:
    mine = inbox_criteria(ListInbox(REVIEWER, claim=Claim.MINE, assignee="someone.else"))
    assert (mine.assignee, mine.states) == ("someone.scjg", ("ready", "claimed"))
    unclaimed = inbox_criteria(ListInbox(REVIEWER, claim=Claim.UNCLAIMED))
    assert (unclaimed.assignee, unclaimed.states) == (None, ("ready",))
    assert inbox_criteria(ListInbox(REVIEWER, states=("claimed",), claim=Claim.UNCLAIMED)).states == ()
    assert inbox_criteria(ListInbox(REVIEWER)).departments == frozenset({"scjg"})
    assert inbox_criteria(ListInbox(SUPERVISOR)).departments is None


def test_a_saved_filter_keeps_only_its_pages_conditions() -> None:
    assert filter_problems("审批中", {"status": "in_review", "sort": "number"}, "cases") == {}
    assert filter_problems("我的", {"claim": "mine", "paused": "true"}, "inbox") == {}
    assert filter_problems("x", {"claim": "mine"}, "cases") == {"query": ["办件查询没有这些查询条件：claim"]}
    assert filter_problems("", {}, "inbox") == {"name": ["请填写名称"]}
    assert filter_problems("名" * 41, {}, "inbox") == {"name": ["名称不能超过 40 个字符"]}
    assert filter_problems("x", {"q": "陈" * 101}, "cases") == {"query": ["每个查询条件不能超过 100 个字符"]}
