"""Personal data never reaches a log: ID numbers, credit codes and phone numbers in any log line
(an access log line carries the query string, e.g. ``/form?applicant=…``) are masked."""

from __future__ import annotations

import logging
import re

from forms.identifiers import mask_id, mask_phone

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def mask_personal_data(text: str) -> str:
    return _PHONE.sub(lambda m: mask_phone(m.group(1)), _ID.sub(lambda m: mask_id(m.group(1)), text))


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(*loggers: logging.Logger) -> None:
    for logger in loggers:
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())
