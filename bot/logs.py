"""Logging for operators: one line per record on stdout, secrets never shown."""

from __future__ import annotations

import logging
import re
import sys

_SECRET = re.compile(r"\b(xox[abpors]|xapp)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _SECRET.search(text):
            record.msg = _SECRET.sub(r"\1-***", text)
            record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDKs log request and response bodies, which hold message text, at DEBUG.
    for noisy in ("slack_sdk", "slack_bolt", "aiohttp.access", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
