"""Queries on processed Events API deliveries (deduplication by `event_id`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedEvent, utcnow


async def begin_delivery(
    session: AsyncSession, workspace: int, event_id: str, event_type: str, stale_after: timedelta
) -> bool:
    """Record a delivery; True when this delivery should do the work.

    The first delivery wins the unique constraint. A later delivery of the same event takes the
    work over only when the earlier attempt failed, or started so long ago that its process must
    have died; work that completed is never done twice.
    """
    session.add(ProcessedEvent(workspace_id=workspace, event_id=event_id, event_type=event_type))
    try:
        await session.commit()
        return True
    except IntegrityError:
        await session.rollback()
    return await _take_over(session, event_id, utcnow() - stale_after)


async def _take_over(session: AsyncSession, event_id: str, started_before: datetime) -> bool:
    statement = (
        update(ProcessedEvent)
        .where(ProcessedEvent.event_id == event_id)
        .where(
            or_(
                ProcessedEvent.status == "failed",
                (ProcessedEvent.status == "started")
                & (ProcessedEvent.received_at < started_before),
            )
        )
        .values(status="started", attempts=ProcessedEvent.attempts + 1, received_at=utcnow())
    )
    result = await session.exec(statement)
    await session.commit()
    return result.rowcount == 1


async def finish_delivery(session: AsyncSession, event_id: str, error: str | None = None) -> None:
    statement = (
        update(ProcessedEvent)
        .where(ProcessedEvent.event_id == event_id)
        .values(
            status="failed" if error else "done",
            finished_at=utcnow(),
            error=error[:500] if error else None,
        )
    )
    await session.exec(statement)
    await session.commit()


async def get_delivery(session: AsyncSession, event_id: str) -> ProcessedEvent | None:
    statement = select(ProcessedEvent).where(ProcessedEvent.event_id == event_id)
    return (await session.exec(statement)).first()
