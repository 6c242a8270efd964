"""Saved filters (常用查询): each person keeps their own."""

from __future__ import annotations

import pytest

from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.saved_filters import MAX_PER_PAGE
from engine.services.saved_filters import SaveFilter, delete_saved_filter, list_saved_filters, save_filter
from tests.fakes.context import FakeContext


def test_a_saved_filter_is_listed_for_its_owner_only(fake: FakeContext) -> None:
    mine, theirs = fake.principal("scjg"), fake.principal("cg")
    saved = save_filter(SaveFilter(mine, "inbox", " 红牌 ", {"colour": "red"}), fake.ctx)
    assert (saved.name, saved.query) == ("红牌", {"colour": "red"})
    assert [f.id for f in list_saved_filters(fake.ctx, mine, "inbox")] == [saved.id]
    assert list_saved_filters(fake.ctx, mine, "cases") == []
    assert list_saved_filters(fake.ctx, theirs, "inbox") == []


def test_a_name_taken_on_the_page_is_a_conflict(fake: FakeContext) -> None:
    mine = fake.principal("scjg")
    save_filter(SaveFilter(mine, "inbox", "红牌", {"colour": "red"}), fake.ctx)
    with pytest.raises(Conflict):
        save_filter(SaveFilter(mine, "inbox", "红牌", {"colour": "yellow"}), fake.ctx)
    assert save_filter(SaveFilter(mine, "cases", "红牌", {"status": "closed"}), fake.ctx).page == "cases"


def test_a_full_page_is_a_conflict(fake: FakeContext) -> None:
    mine = fake.principal("scjg")
    for n in range(MAX_PER_PAGE):
        save_filter(SaveFilter(mine, "cases", f"f{n}", {"q": str(n)}), fake.ctx)
    with pytest.raises(Conflict):
        save_filter(SaveFilter(mine, "cases", "one more", {"q": "x"}), fake.ctx)


def test_a_filter_that_does_not_fit_is_refused(fake: FakeContext) -> None:
    with pytest.raises(InvalidInput) as refused:
        save_filter(SaveFilter(fake.principal("scjg"), "inbox", "", {"status": "closed"}), fake.ctx)
    assert set(refused.value.field_errors) == {"name", "query"}


def test_only_the_owner_deletes_a_filter(fake: FakeContext) -> None:
    mine, theirs = fake.principal("scjg"), fake.principal("cg")
    saved = save_filter(SaveFilter(mine, "inbox", "红牌", {"colour": "red"}), fake.ctx)
    with pytest.raises(NotFound):
        delete_saved_filter(fake.ctx, theirs, saved.id)
    delete_saved_filter(fake.ctx, mine, saved.id)
    assert list_saved_filters(fake.ctx, mine, "inbox") == []
    with pytest.raises(NotFound):
        delete_saved_filter(fake.ctx, mine, saved.id)
