"""Comments (会商意见) in a case's event chain: written by the window and the case's departments,
read by the supervisor, mentioning departments whose inbox marks them."""

from __future__ import annotations

import pytest

from engine.domain.errors import Forbidden, InvalidInput, NotFound
from engine.services.case_comments import AddComment, add_comment, get_comment, list_comments, list_mentions
from tests.fakes.context import FakeContext
from tests.usecases.applications import CLERK, SCJG, SUPERVISOR, WJ, accept, events


def test_a_comment_mentioning_a_department_is_marked_in_its_inbox(fake: FakeContext) -> None:
    case = accept(fake)
    scjg = fake.principal("scjg")
    added = add_comment(AddComment(case.number, "请卫健委确认健康证", SCJG, scjg, mention=["wj"]), fake.ctx)
    comments, comment = get_comment(fake.ctx, added.resource_id, scjg)
    assert (comment.text, comments.may_write) == ("请卫健委确认健康证", True)
    assert [m.case_number for m in list_mentions(fake.ctx, fake.principal("wj"))] == [case.number]
    assert list_mentions(fake.ctx, fake.principal("cg")) == []
    reply = add_comment(AddComment(case.number, "已确认", WJ, fake.principal("wj"), reply_to=comment.id), fake.ctx)
    assert get_comment(fake.ctx, reply.resource_id, scjg)[1].reply_to == comment.id
    assert len(events(fake, case, "CommentAdded")) == 2


def test_the_supervisor_reads_but_does_not_write(fake: FakeContext) -> None:
    case = accept(fake)
    add_comment(AddComment(case.number, "窗口已收齐材料", CLERK, fake.principal("clerk")), fake.ctx)
    supervisor = fake.principal("supervisor")
    comments = list_comments(fake.ctx, case.number, supervisor)
    assert ([c.text for c in comments.comments], comments.may_write) == (["窗口已收齐材料"], False)
    with pytest.raises(Forbidden):
        add_comment(AddComment(case.number, "督办", SUPERVISOR, supervisor), fake.ctx)


def test_a_department_without_an_item_does_not_see_the_case(fake: FakeContext) -> None:
    case = accept(fake, "company_start")
    with pytest.raises(NotFound):
        list_comments(fake.ctx, case.number, fake.principal("wj"))
    with pytest.raises(NotFound):
        add_comment(AddComment(case.number, "?", WJ, fake.principal("wj")), fake.ctx)


def test_an_empty_comment_or_an_unknown_mention_is_refused(fake: FakeContext) -> None:
    case = accept(fake)
    scjg = fake.principal("scjg")
    with pytest.raises(InvalidInput):
        add_comment(AddComment(case.number, "  ", SCJG, scjg), fake.ctx)
    with pytest.raises(InvalidInput):
        add_comment(AddComment(case.number, "请税务局看看", SCJG, scjg, mention=["sw"]), fake.ctx)
    assert events(fake, case, "CommentAdded") == []
