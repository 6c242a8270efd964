"""Logging in and out, and knowing who calls: bearer tokens that expire and can be revoked.

A token reads ``<id>.<secret>``; the database keeps the id and a SHA-256 of the secret, so a copy
of the database does not let anyone log in. Failed logins are limited as ``login_limits`` says
(HTTP 429 past the limit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from engine.domain.access import Principal, Role
from engine.domain.errors import NotFound, Unauthenticated
from engine.domain.model import Actor
from engine.domain.records import TokenRecord, UserRecord
from engine.services.audit import record_audit
from engine.services.context import ServiceContext
from engine.services.login_limits import Attempt, count_attempt, forget_old_failures, take_back_attempt
from engine.services.passwords import verify_password
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

_WRONG = ("the login name or the password is wrong", "登录名或密码错误")


@dataclass(frozen=True)
class LogIn:
    login: str
    password: str
    address: str


@dataclass(frozen=True)
class IssuedToken:
    token: str
    """Shown once: the client keeps it, the server keeps only its hash."""
    record: TokenRecord
    principal: Principal


def principal_of(user: UserRecord) -> Principal:
    return Principal(user.id, user.login, user.name, user.department,
                     frozenset(Role(r) for r in user.roles if r in Role.__members__.values()), user.service_point)


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def log_in(cmd: LogIn, ctx: ServiceContext) -> IssuedToken:
    login = cmd.login.strip().lower()[:64]
    attempt = Attempt(login, cmd.address[:64])
    # Counted as a failure before the password is checked (committed, or refused with 429); taken
    # back below if the password is right. See login_limits for why.
    in_transaction(ctx, lambda uow: count_attempt(uow, attempt, ctx.clock()))
    with ctx.uow(False) as uow:
        user = uow.users.by_login(login)
    # Verify against a dummy hash for an unknown login, so that timing does not reveal which exist.
    ok = verify_password(ctx.passwords, user.password_hash if user else ctx.dummy_password_hash, cmd.password)
    ok = ok and user is not None and user.active
    secret = secrets.token_urlsafe(32)

    def work(uow: UnitOfWork) -> IssuedToken | None:
        now = ctx.clock()
        actor = Actor(login or "-", user.department if user else "-", "", cmd.address)
        if not ok or user is None:
            forget_old_failures(uow, now)
            record_audit(uow, "LoginFailed", actor, f"user:{login}",
                         {"reason": "inactive" if user is not None and not user.active else "wrong credentials"}, now)
            return None
        take_back_attempt(uow, attempt)
        return _issue(uow, ctx, user, secret, actor, now)

    issued = in_transaction(ctx, work)
    if issued is None:
        raise Unauthenticated(*_WRONG)
    return issued


def _issue(uow: UnitOfWork, ctx: ServiceContext, user: UserRecord, secret: str, actor: Actor,
           now: datetime) -> IssuedToken:
    record = TokenRecord(id=secrets.token_hex(8), user_id=user.id, secret_hash=_secret_hash(secret),
                         created_at=now, expires_at=now + ctx.token_ttl, address=actor.address)
    uow.tokens.add(record)
    record_audit(uow, "LoggedIn", actor, f"user:{user.login}", {"token": record.id}, now)
    return IssuedToken(f"{record.id}.{secret}", record, principal_of(user))


def issue_token(ctx: ServiceContext, user: UserRecord, address: str) -> IssuedToken:
    """A token for ``user``, who proved who they are some other way (an applicant's one-time code)."""
    secret = secrets.token_urlsafe(32)
    actor = Actor(user.login, user.department, "", address)
    return in_transaction(ctx, lambda uow: _issue(uow, ctx, user, secret, actor, ctx.clock()))


def authenticate(ctx: ServiceContext, token: str) -> tuple[Principal, TokenRecord]:
    """The user a bearer token stands for; Unauthenticated if it is unknown, expired or revoked,
    or its user is deactivated."""
    token_id, _, secret = token.partition(".")
    if not token_id or not secret or len(token) > 200:
        raise Unauthenticated("the token is malformed", "登录凭证格式错误，请重新登录")
    now = ctx.clock()
    cached = ctx.tokens.get(token)
    if cached is not None and cached[1].expires_at > now:
        return cached
    with ctx.uow(False) as uow:
        found = uow.tokens.with_user(token_id)
    record, user = found if found is not None else (None, None)
    if record is None or user is None or not hmac.compare_digest(record.secret_hash, _secret_hash(secret)):
        raise Unauthenticated("the token is not valid", "登录凭证无效，请重新登录")
    if record.revoked_at is not None:
        raise Unauthenticated("the token was revoked (logged out)", "登录凭证已注销，请重新登录")
    if record.expires_at <= now:
        raise Unauthenticated("the token has expired", "登录已过期，请重新登录")
    if not user.active:
        raise Unauthenticated("the account is deactivated", "该账号已停用")
    principal = principal_of(user)
    ctx.tokens.put(token, principal, record)
    return principal, record


def revoke_token(ctx: ServiceContext, principal: Principal, token_id: str, address: str | None) -> None:
    """Revoke one of one's own tokens."""
    def work(uow: UnitOfWork) -> None:
        record = uow.tokens.get(token_id)
        if record is None or record.user_id != principal.user_id:
            raise NotFound(f"you have no token {token_id!r}", f"您没有编号为 {token_id} 的登录凭证")
        now = ctx.clock()
        uow.tokens.revoke(token_id, now)
        uow.after_commit(ctx.tokens.clear)
        record_audit(uow, "TokenRevoked", Actor(principal.login, principal.department, "", address),
                     f"user:{principal.login}", {"token": token_id}, now)

    in_transaction(ctx, work)


def my_tokens(ctx: ServiceContext, principal: Principal) -> list[TokenRecord]:
    with ctx.uow(False) as uow:
        return uow.tokens.of_user(principal.user_id)
