"""What makes a secret key unfit for production: the key signs the CSRF tokens, so one that can
be guessed lets a page elsewhere forge them.

The length alone says little (32 × ``a`` is 32 characters); a key must also not be a published
value, be made of many different characters, not repeat a shorter run, and carry enough entropy
by its character frequencies (Shannon's estimate, which ``secrets.token_hex(16)`` and longer
random keys comfortably pass).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

MIN_LENGTH = 32
MIN_DISTINCT = 10
MIN_ESTIMATED_BITS = 96
SUGGESTION = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def estimated_bits(key: str) -> float:
    """Shannon's entropy of the key's characters, times its length: an upper bound of its strength."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values()) if key else 0.0


def repeats_a_shorter_run(key: str) -> bool:
    return any(key == (key[:period] * (len(key) // period + 1))[:len(key)] for period in range(1, len(key) // 2 + 1))


def secret_key_problem(key: str, published: Iterable[str] = ()) -> str | None:
    """Why ``key`` must not sign anything in production, or None."""
    if key in set(published):
        return "it is a published value (the development default or a demo value)"
    if len(key) < MIN_LENGTH:
        return f"it is shorter than {MIN_LENGTH} characters"
    if len(set(key)) < MIN_DISTINCT:
        return f"it has fewer than {MIN_DISTINCT} different characters"
    if repeats_a_shorter_run(key):
        return "it repeats a shorter run of characters"
    if estimated_bits(key) < MIN_ESTIMATED_BITS:
        return f"it is too predictable (about {estimated_bits(key):.0f} bits, {MIN_ESTIMATED_BITS} needed)"
    return None
