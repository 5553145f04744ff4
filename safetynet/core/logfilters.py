"""Logging filters for settings.LOGGING."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """An ordinary refusal — 403 for an action the role may not take, 404 for an object outside the
    user's area — is one line in the log, not a traceback: tracebacks are kept for server errors, so
    that an operator reading the log sees the faults, not every refused click or probe."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
