"""Every Events API delivery is done once: a retry of completed work does nothing, a retry of
work that failed midway is done again."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from storage import events
from storage.db import Database

log = logging.getLogger(__name__)

# Slack retries at once, after 1 minute and after 5 minutes. An attempt still marked "started"
# after this long belongs to a process that died, so a retry may take the work over.
STALE_ATTEMPT = timedelta(seconds=90)


class EventInbox:
    def __init__(self, db: Database, stale_after: timedelta = STALE_ATTEMPT) -> None:
        self._db = db
        self._stale_after = stale_after

    async def process(
        self, workspace: int, body: dict[str, Any], work: Callable[[], Awaitable[None]]
    ) -> bool:
        """Run `work` for this delivery to `workspace` unless it was done already; True when it
        ran."""
        event_id = body.get("event_id")
        if not event_id:
            await work()
            return True
        event_type = body.get("event", {}).get("type", "")
        async with self._db.session() as session:
            fresh = await events.begin_delivery(
                session, workspace, event_id, event_type, self._stale_after
            )
        if not fresh:
            log.info("event %s (%s) already handled: skipped", event_id, event_type)
            return False
        try:
            await work()
        except Exception as error:
            async with self._db.session() as session:
                await events.finish_delivery(session, event_id, error=_describe(error))
            raise
        async with self._db.session() as session:
            await events.finish_delivery(session, event_id)
        return True


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
