"""Leases that let exactly one worker run a scheduled job, however many instances run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import SchedulerLease, utcnow
from storage.upsert import insert


async def acquire(session: AsyncSession, name: str, holder: str, ttl: timedelta) -> bool:
    """Take the lease if it is free or expired (or already ours); True when we hold it."""
    now = utcnow()
    await session.exec(
        insert(session, SchedulerLease)
        .values(name=name, holder="", expires_at=now - timedelta(seconds=1))
        .on_conflict_do_nothing(index_elements=["name"])
    )
    result = await session.exec(
        update(SchedulerLease)
        .where(SchedulerLease.name == name)
        .where((SchedulerLease.expires_at < now) | (SchedulerLease.holder == holder))
        .values(holder=holder, expires_at=now + ttl)
    )
    await session.commit()
    return result.rowcount == 1


async def finish(session: AsyncSession, name: str, holder: str) -> None:
    """The job is done: record when, and free the lease."""
    now = utcnow()
    await session.exec(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(holder="", expires_at=now, last_finished_at=now)
    )
    await session.commit()


async def release(session: AsyncSession, name: str, holder: str) -> None:
    """Free the lease without counting the job as done (it failed)."""
    await session.exec(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(holder="", expires_at=utcnow())
    )
    await session.commit()


async def last_finished(session: AsyncSession, name: str) -> datetime | None:
    found = await session.exec(
        select(SchedulerLease.last_finished_at).where(SchedulerLease.name == name)
    )
    return found.first()
