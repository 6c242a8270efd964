"""Users (create, change, deactivate, revoke logins) and sessions (log in, authenticate, log out)."""

from __future__ import annotations

import pytest

from engine.domain.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, Unauthenticated
from engine.domain.model import SYSTEM
from engine.services.accounts import (
    DEMO_PASSWORD,
    CreateUser,
    UpdateUser,
    create_user,
    get_user,
    list_users,
    revoke_user_tokens,
    seed_demo_users,
    update_user,
)
from engine.services.audit import list_audit_events
from engine.services.login_limits import MAX_FAILURES_PER_PAIR
from engine.services.sessions import LogIn, authenticate, log_in, my_tokens, revoke_token
from tests.conftest import PASSWORD
from tests.fakes.context import FakeContext
from tests.usecases.applications import ADMIN


def test_a_created_user_can_log_in_and_is_audited(fake: FakeContext) -> None:
    user = create_user(CreateUser("he.sw", "何税务", "sw", ["reviewer"], "tax-pass-2026", ADMIN), fake.ctx)
    assert (get_user(fake.ctx, "he.sw").id, user.roles) == (user.id, ["reviewer"])
    issued = log_in(LogIn("He.SW ", "tax-pass-2026", "10.0.0.1"), fake.ctx)
    principal, record = authenticate(fake.ctx, issued.token)
    assert (principal.login, principal.department, record.id) == ("he.sw", "sw", issued.record.id)
    audit = [e.type for e in list_audit_events(fake.ctx, 0, 100)]
    assert audit[-2:] == ["UserCreated", "LoggedIn"]


def test_a_taken_login_is_a_conflict_and_bad_data_is_refused(fake: FakeContext) -> None:
    with pytest.raises(Conflict):
        create_user(CreateUser("li.scjg", "李二", "scjg", ["reviewer"], "another-pass-1", ADMIN), fake.ctx)
    with pytest.raises(InvalidInput) as refused:
        create_user(CreateUser("X", "", "nowhere", ["pope"], "short", ADMIN), fake.ctx)
    assert set(refused.value.field_errors) == {"login", "password", "name", "department", "roles"}


def test_changing_roles_logs_the_user_out(fake: FakeContext) -> None:
    issued = log_in(LogIn("li.scjg", PASSWORD, "10.0.0.1"), fake.ctx)
    changed = update_user(UpdateUser("li.scjg", {"roles": ["head"]}, ADMIN), fake.ctx)
    assert changed.roles == ["head"]
    with pytest.raises(Unauthenticated):
        authenticate(fake.ctx, issued.token)


def test_a_deactivated_user_cannot_log_in(fake: FakeContext) -> None:
    update_user(UpdateUser("li.scjg", {"active": False}, ADMIN), fake.ctx)
    with pytest.raises(Unauthenticated):
        log_in(LogIn("li.scjg", PASSWORD, "10.0.0.1"), fake.ctx)


def test_administrators_cannot_drop_their_own_admin_role(fake: FakeContext) -> None:
    with pytest.raises(Conflict):
        update_user(UpdateUser("sun.office", {"active": False}, ADMIN), fake.ctx)
    with pytest.raises(NotFound):
        update_user(UpdateUser("nobody", {"name": "谁"}, ADMIN), fake.ctx)


def test_users_are_listed_by_department(fake: FakeContext) -> None:
    assert [u.login for u in list_users(fake.ctx, "cg")] == ["chen.cg", "zhang.cg"]
    assert len(list_users(fake.ctx)) == 9


def test_revoking_a_users_tokens_ends_every_login(fake: FakeContext) -> None:
    tokens = [log_in(LogIn("li.scjg", PASSWORD, f"10.0.0.{n}"), fake.ctx).token for n in (1, 2)]
    assert revoke_user_tokens("li.scjg", ADMIN, fake.ctx) == 2
    for token in tokens:
        with pytest.raises(Unauthenticated):
            authenticate(fake.ctx, token)


def test_a_person_logs_out_one_token_of_their_own(fake: FakeContext) -> None:
    first = log_in(LogIn("li.scjg", PASSWORD, "10.0.0.1"), fake.ctx)
    second = log_in(LogIn("li.scjg", PASSWORD, "10.0.0.2"), fake.ctx)
    principal = first.principal
    assert {t.id for t in my_tokens(fake.ctx, principal)} == {first.record.id, second.record.id}
    revoke_token(fake.ctx, principal, first.record.id, "10.0.0.1")
    with pytest.raises(Unauthenticated):
        authenticate(fake.ctx, first.token)
    assert authenticate(fake.ctx, second.token)[0].login == "li.scjg"
    other = log_in(LogIn("zhang.cg", PASSWORD, "10.0.0.3"), fake.ctx)
    with pytest.raises(NotFound):
        revoke_token(fake.ctx, principal, other.record.id, None)


def test_a_wrong_password_is_refused_and_guessing_is_locked_out(fake: FakeContext) -> None:
    for _ in range(MAX_FAILURES_PER_PAIR):
        with pytest.raises(Unauthenticated):
            log_in(LogIn("li.scjg", "wrong-guess-1", "10.9.9.9"), fake.ctx)
    with pytest.raises(TooManyAttempts):
        log_in(LogIn("li.scjg", PASSWORD, "10.9.9.9"), fake.ctx)
    assert log_in(LogIn("li.scjg", PASSWORD, "10.0.0.1"), fake.ctx).principal.login == "li.scjg"
    fake.clock.advance(minutes=16)
    assert log_in(LogIn("li.scjg", PASSWORD, "10.9.9.9"), fake.ctx).principal.login == "li.scjg"


def test_demo_users_are_seeded_once(fake: FakeContext) -> None:
    demo = seed_demo_users(fake.ctx)
    assert {"admin", "clerk", "scjg.reviewer", "wj.head"} <= {d.login for d in demo}
    assert len(seed_demo_users(fake.ctx)) == len(demo)
    assert len(list_users(fake.ctx)) == 9 + len(demo)
    assert log_in(LogIn("clerk", DEMO_PASSWORD, "10.0.0.1"), fake.ctx).principal.department == "window"
    assert SYSTEM.user == "system"
