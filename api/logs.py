"""Personal data never reaches a log: ID numbers, credit codes, phone numbers, bank cards and e-mail
addresses in any log line (an access log line carries the query string, e.g. ``/form?applicant=…``)
are masked, by the rules the answers use (``forms.masking``)."""

from __future__ import annotations

import logging

from forms.masking import LOGGED


def mask_personal_data(text: str) -> str:
    return LOGGED.text(text)


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
