"""Applicants sign in by their mobile number and a one-time code (短信验证码登录): the code goes out
as an SMS through the notification outbox (in development, the server log), is kept only as a salted
hash, lasts ``CODE_MINUTES``, and allows ``MAX_TRIES`` wrong tries. Codes are limited per number (one
a minute, ``CODES_PER_HOUR`` an hour) and per address, against someone flooding a number with texts
or guessing. The first sign-in makes the applicant's account: role ``applicant``, department
``public``, the mobile number as its login, no password."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from engine.domain.access import APPLICANTS, Role
from engine.domain.errors import InvalidInput, TooManyAttempts, Unauthenticated
from engine.domain.identity import VerifiedIdentity
from engine.domain.model import Actor
from engine.domain.notifications import Channel, LoginCode, NotificationKind, OutboxMessage
from engine.domain.records import UserRecord
from engine.services.audit import record_audit
from engine.services.context import ServiceContext
from engine.services.notifications import deliver_outbox
from engine.services.sessions import IssuedToken, issue_token
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.identifiers import is_mobile, is_resident_id

CODE_MINUTES = 5
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
CODES_PER_HOUR = 5
CODES_PER_ADDRESS_HOUR = 20
ADDRESS_SCOPE = "code_ip"  # login_failure_counts.scope holds 8 characters


def _phone(phone: str) -> str:
    phone = phone.strip()
    if not is_mobile(phone):
        raise InvalidInput("phone must be a mainland mobile number", "请输入 11 位手机号码",
                           {"phone": ["应为 11 位手机号码"]})
    return phone


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class CodeSent:
    phone: str
    expires_in_minutes: int
    resend_after_seconds: int


def send_login_code(ctx: ServiceContext, phone: str, address: str) -> CodeSent:
    """A new code for ``phone``, written to the outbox with its SMS and sent at once."""
    phone = _phone(phone)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    salt = secrets.token_hex(8)

    def work(uow: UnitOfWork) -> str:
        now = ctx.clock()
        latest = uow.login_codes.latest(phone)
        if latest is not None and now - latest.created_at < RESEND_AFTER:
            wait = int((latest.created_at + RESEND_AFTER - now).total_seconds()) + 1
            raise TooManyAttempts("a code was sent less than a minute ago", f"验证码已发送，请 {wait} 秒后再试", wait)
        if uow.login_codes.sent_since(phone, now - timedelta(hours=1)) >= CODES_PER_HOUR:
            raise TooManyAttempts("too many codes for this number this hour",
                                  "该号码获取验证码过于频繁，请一小时后再试", 3600)
        sent, start = uow.login_failures.count(ADDRESS_SCOPE, address, now, timedelta(hours=1))
        if sent > CODES_PER_ADDRESS_HOUR:
            wait = int((start + timedelta(hours=1) - now).total_seconds()) + 1
            raise TooManyAttempts("too many codes from this address", "获取验证码过于频繁，请稍后再试", wait)
        code_id = uow.login_codes.add(LoginCode(phone, salt, _hash(salt, code), now,
                                                now + timedelta(minutes=CODE_MINUTES)))
        key = f"login:{phone}:{code_id}:{Channel.SMS}"
        uow.outbox.add([OutboxMessage(key, NotificationKind.LOGIN_CODE, Channel.SMS, phone,
                                      {"code": code, "minutes": CODE_MINUTES}, now)])
        return key

    key = in_transaction(ctx, work)
    deliver_outbox(ctx, key=key)  # at once: the applicant is waiting for it (the ticker retries if this fails)
    return CodeSent(phone, CODE_MINUTES, int(RESEND_AFTER.total_seconds()))


def sign_in_with_code(ctx: ServiceContext, phone: str, code: str, address: str) -> IssuedToken:
    """The applicant's token, when ``code`` is the latest code sent to ``phone``, unused, not expired,
    and tried fewer than ``MAX_TRIES`` times; every try counts, right or wrong."""
    phone = _phone(phone)
    code = code.strip()

    def check(uow: UnitOfWork) -> bool:
        now = ctx.clock()
        found = uow.login_codes.latest(phone)
        if found is None or found.used_at is not None or found.expires_at <= now or found.attempts >= MAX_TRIES:
            return False
        found.attempts += 1
        right = hmac.compare_digest(found.code_hash, _hash(found.salt, code))
        if right:
            found.used_at = now
        uow.login_codes.save(found)
        return right

    if not in_transaction(ctx, check):
        raise Unauthenticated("the code is wrong or expired", "验证码错误或已过期，请重新获取")

    return _signed_in(ctx, phone, address, "")


def sign_in_with_identity(ctx: ServiceContext, identity: VerifiedIdentity, address: str) -> IssuedToken:
    """The applicant's token once the unified identity service vouched for them (OpenID Connect):
    the same account as an SMS sign-in with the mobile number the service verified."""
    raw = identity.phone.replace(" ", "").replace("-", "")
    try:
        phone = _phone(raw.removeprefix("+86"))  # an OpenID phone_number is E.164: +8613…
    except InvalidInput as err:
        raise Unauthenticated(f"the identity service's mobile number {identity.phone!r} is not one",
                              "统一身份认证提供的手机号码无效，请使用短信验证码登录") from err
    verified = identity.id_number if is_resident_id(identity.id_number) else ""
    return _signed_in(ctx, phone, address, identity.name, identity.subject, verified)


def _signed_in(ctx: ServiceContext, phone: str, address: str, name: str, subject: str = "",
               id_number: str = "") -> IssuedToken:
    """The applicant account of ``phone`` (made on the first sign-in), and a token for it."""

    def account(uow: UnitOfWork) -> UserRecord:
        now = ctx.clock()
        user = uow.users.by_login(phone)
        if user is None:
            shown = name.strip()[:50] or f"申请人（尾号{phone[-4:]}）"
            user = UserRecord(0, phone, shown, APPLICANTS, [Role.APPLICANT.value],
                              ctx.passwords.hash(secrets.token_urlsafe(24)), True, False, now, now)
            user.id = uow.users.add(user)
            record_audit(uow, "ApplicantRegistered", Actor(phone, APPLICANTS, Role.APPLICANT.value, address),
                         f"user:{phone}", {"identity_subject": subject} if subject else {}, now)
        elif Role.APPLICANT.value not in user.roles:
            raise Unauthenticated("this number belongs to a staff account", "该号码不能用于申请人登录")
        if id_number:  # 实名认证 by the identity service: the online form is pre-filled by it
            uow.identities.put(phone, id_number, subject, now)
        return user

    user = in_transaction(ctx, account)
    if not user.active:
        raise Unauthenticated("the account is deactivated", "该账号已停用")
    return issue_token(ctx, user, address)
