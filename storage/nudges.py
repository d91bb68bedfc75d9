"""Queries on nudges: messages sent unasked, each at most once per dedup key."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Nudge, utcnow


async def reserve(
    session: AsyncSession, workspace: int, kind: str, target: str, effort_id: int | None, key: str
) -> Nudge | None:
    """The nudge to send, or None when one with this key was sent (or is being sent) already."""
    nudge = Nudge(
        workspace_id=workspace, kind=kind, target=target, effort_id=effort_id, dedup_key=key
    )
    session.add(nudge)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return None
    return nudge


async def mark_sent(session: AsyncSession, nudge_id: int) -> None:
    nudge = await session.get(Nudge, nudge_id)
    nudge.sent_at = utcnow()
    await session.commit()


async def forget(session: AsyncSession, nudge_id: int) -> None:
    """Sending failed: free the key so a retry may send it."""
    nudge = await session.get(Nudge, nudge_id)
    await session.delete(nudge)
    await session.commit()
