"""Password hashing with Argon2id (argon2-cffi), and the rule a new password must meet."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10


def make_hasher(strength: str = "strong") -> PasswordHasher:
    """``strong``: argon2-cffi's defaults (RFC 9106 low-memory profile). ``fast``: for tests only."""
    if strength == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def password_problem(password: str) -> str | None:
    """Why a password may not be used, in Chinese, or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符"
    if len(password) > 200:
        return "密码不能超过 200 个字符"
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return "密码须同时包含字母和数字"
    return None


def verify_password(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return bool(hasher.verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False
