"""Validators for Chinese identifiers: resident ID (GB 11643), credit code (GB 32100), phone."""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")

# GB 32100 uses 31 characters: digits and capitals without I, O, Z, S, V.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(rf"^[{_USCC_CHARS}]{{18}}$")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def resident_id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_resident_id(value: str) -> bool:
    """18 characters, a real birth date, and the GB 11643 check digit."""
    value = value.upper()
    if not _ID_SHAPE.match(value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return resident_id_check_digit(value[:17]) == value[17]


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def is_credit_code(value: str) -> bool:
    """Unified social credit code: 18 characters with the GB 32100 check character."""
    value = value.upper()
    return bool(_USCC_SHAPE.match(value)) and credit_code_check_char(value[:17]) == value[17]


def is_mobile(value: str) -> bool:
    """A mainland mobile number (11 digits from 13 to 19): what an SMS reaches."""
    return bool(_MOBILE.match(value))


def is_phone(value: str) -> bool:
    """A mainland mobile number or a landline with area code."""
    return bool(_MOBILE.match(value) or _LANDLINE.match(value))


def mask_id(value: str) -> str:
    """Keep the first 4 and last 4 characters: 4101**********1234."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
