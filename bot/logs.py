"""Logging for operators: one line per record on stdout, secrets never shown."""

from __future__ import annotations

import logging
import re
import sys

BOLT_LOGGER = "slack_bolt"
_SECRET = re.compile(r"\b(xox[abpors]|xapp)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _SECRET.search(text):
            record.msg = _SECRET.sub(r"\1-***", text)
            record.args = None
        return True


def bolt_logger() -> logging.Logger:
    """The logger to give Bolt. Bolt sets each logger it makes to this one's level (without one,
    to the root's), and at INFO it writes out the body of every request it rejects."""
    logger = logging.getLogger(BOLT_LOGGER)
    logger.setLevel(max(logger.level, logging.WARNING))
    return logger


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDKs log request and response bodies, which hold message text, at DEBUG.
    for noisy in ("slack_sdk", BOLT_LOGGER, "aiohttp.access", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
