"""Personal data recognised by what it is, wherever it stands: a whole field's value or a number
written inside free text (a refusal reason, a rating comment, an event's data, a log line).

What is recognised, each by its shape and, where it has one, its check:

- resident ID numbers (GB 11643): 18 characters with a real birth date and the check digit;
- mobile numbers (``1[3-9]`` and 9 digits, also written 3-4-4 with spaces or hyphens, ``+86`` or not);
- landline numbers with their area code (``0371-63512345``, ``(0371)63512345``, ``010 12345678``,
  an extension after a hyphen);
- bank card numbers: 16 to 19 digits (groups of four allowed) that pass the Luhn check;
- e-mail addresses;
- unified social credit codes (GB 32100) only where ``MaskRules.credit_codes`` says so. A credit
  code names a registered organisation or business (a sole trader's 个体工商户 too); it is printed on
  the licence that must hang in the shop and published in the national credit publicity system, so
  it is no personal data in the answers (a business licence's number *is* the credit code). Log lines
  mask them all the same: nobody reading a log needs one.

A number that only looks like one (18 digits without a valid check digit, 16 digits failing Luhn)
is left as it is: case numbers, licence numbers and amounts stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forms.identifiers import is_credit_code, is_resident_id, mask_id

# Letters or digits on either side mean the candidate is part of a longer token (a licence number).
_EIGHTEEN = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{18})(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{4}(?:[ -]?\d{4}){2}[ -]?\d{4,7})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z+])((?:\+86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2})(?![0-9A-Za-z])")
# Area codes: 010, 02x, and four digits 03xx-09xx; the local number starts with 2-9.
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])"
    r"([(（]?0(?:10|2\d|[3-9]\d{2})[)）]?[ -]?)"
    r"([2-9]\d{6,7})"
    r"((?:-\d{1,6})?)"
    r"(?![0-9A-Za-z])")
_EMAIL = re.compile(r"(?<![0-9A-Za-z._%+-])([0-9A-Za-z._%+-]+)@([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*\.[A-Za-z]{2,})")


def _stars(text: str, keep_end: int) -> str:
    """Every digit or letter but the last ``keep_end`` ones as ``*``; separators stay."""
    alnum = sum(c.isalnum() for c in text)
    hidden, out = alnum - keep_end, []
    for c in text:
        if c.isalnum() and hidden > 0:
            out.append("*")
            hidden -= 1
        else:
            out.append(c)
    return "".join(out)


def _luhn(digits: str) -> bool:
    total = 0
    for n, d in enumerate(reversed(digits)):
        value = int(d) * (2 if n % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def mask_landline(value: str) -> str:
    """Keep the area code and the last 4 digits: 0371-****2345."""
    match = _LANDLINE.fullmatch(value)
    if match is None:
        return _stars(value, 4)
    area, local, extension = match.groups()
    return f"{area}{'*' * (len(local) - 4)}{local[-4:]}{extension}"


def mask_mobile(value: str) -> str:
    """Keep the first 3 and last 4 digits of the number itself: 138****8000, +86 138 **** 8000."""
    prefix = "+86" if value.startswith("+86") else ""
    rest = value[len(prefix):]
    lead = len(rest) - len(rest.lstrip(" -"))
    body = rest[lead:]
    digits_seen, out = 0, []
    for c in body:
        if c.isdigit():
            digits_seen += 1
            out.append(c if digits_seen <= 3 or digits_seen > 7 else "*")
        else:
            out.append(c)
    return prefix + rest[:lead] + "".join(out)


def mask_email(local: str, domain: str) -> str:
    return f"{local[0]}***@{domain}"


@dataclass(frozen=True)
class MaskRules:
    """Which kinds are masked: all of them but credit codes unless ``credit_codes``."""

    credit_codes: bool = False

    def text(self, text: str) -> str:
        """``text`` with every personal number and address in it masked."""
        if not any(c.isdigit() for c in text) and "@" not in text:
            return text  # most free text holds none: no pattern needs to run
        text = _EIGHTEEN.sub(self._eighteen, text)
        text = _CARD.sub(_card, text)
        text = _MOBILE.sub(lambda m: mask_mobile(m.group(1)), text)
        text = _LANDLINE.sub(lambda m: mask_landline(m.group(0)), text)
        return _EMAIL.sub(lambda m: mask_email(m.group(1), m.group(2)), text)

    def value(self, value: Any) -> Any:
        """A JSON value with every string in it (at any depth, keys excepted) masked."""
        return _walk(value, self.text)

    def _eighteen(self, match: re.Match[str]) -> str:
        token = match.group(1)
        if is_resident_id(token) or (self.credit_codes and is_credit_code(token)):
            return mask_id(token)
        return token


def _card(match: re.Match[str]) -> str:
    token = match.group(1)
    digits = "".join(c for c in token if c.isdigit())
    if 16 <= len(digits) <= 19 and _luhn(digits):
        return _stars(token, 4)
    return token


def _walk(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _walk(v, mask) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, mask) for v in value]
    return value


PRESENTED = MaskRules()
"""For answers to a role that must not see personal data (a supervisor, an administrator)."""
LOGGED = MaskRules(credit_codes=True)
"""For log lines: credit codes too."""
