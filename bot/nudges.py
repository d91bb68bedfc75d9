"""Messages Roundtable sends unasked. Each has a dedup key, so it is never sent twice."""

from __future__ import annotations

from bot import messages
from bot.gateway import SlackGateway
from bot.overlaps.service import OverlapView
from storage import nudges
from storage.db import Database
from storage.models import Effort


class Nudges:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def similar_work(
        self,
        gateway: SlackGateway,
        workspace: int,
        effort: Effort,
        person: str,
        views: list[OverlapView],
    ) -> bool:
        """Tell the person who created `effort` which efforts look like the same work."""
        pairs = ",".join(sorted(str(view.overlap.id) for view in views))
        key = f"similar-work:{effort.id}:{person}:{pairs}"
        async with self._db.session() as session:
            nudge = await nudges.reserve(session, workspace, "similar-work", person, effort.id, key)
        if nudge is None:
            return False
        try:
            await gateway.post_message(person, messages.similar_efforts(effort, views))
        except Exception:
            async with self._db.session() as session:
                await nudges.forget(session, nudge.id)
            raise
        async with self._db.session() as session:
            await nudges.mark_sent(session, nudge.id)
        return True
