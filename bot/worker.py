"""`python -m bot worker`: scheduled jobs, each run by one worker at a time under a lease."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.overlaps.service import ScanReport
from bot.services import Services
from storage import directory, leases
from storage.models import as_utc, utcnow

log = logging.getLogger(__name__)

POLL = timedelta(minutes=1)
LEASE = timedelta(minutes=30)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Services], Awaitable[str]]


async def scan_workspaces(services: Services) -> list[ScanReport]:
    """The full overlap scan of every installed workspace, one report each."""
    async with services.db.session() as session:
        workspaces = await directory.installed_workspaces(session)
    return [await services.overlaps.scan(workspace) for workspace in workspaces]


def scan_summary(reports: list[ScanReport]) -> str:
    return f"{sum(r.pairs for r in reports)} overlapping pairs in {len(reports)} workspaces"


async def scan_overlaps(services: Services) -> str:
    """The nightly full scan of every installed workspace."""
    return scan_summary(await scan_workspaces(services))


JOBS = (Job("overlap-scan", timedelta(hours=24), scan_overlaps),)


async def run_worker(services: Services, *, once: bool) -> None:
    """Run due jobs every minute; `once` runs every job one time, due or not, and returns."""
    holder = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        for job in JOBS:
            await run_job(services, job, holder, force=once)
        if once:
            return
        await asyncio.sleep(POLL.total_seconds())


async def run_job(services: Services, job: Job, holder: str, *, force: bool = False) -> bool:
    """Run `job` when it is due and no other worker holds it; True when it ran."""
    async with services.db.session() as session:
        last = await leases.last_finished(session, job.name)
        if not force and last and as_utc(last) > utcnow() - job.every:
            return False
        if not await leases.acquire(session, job.name, holder, LEASE):
            return False
    try:
        outcome = await job.run(services)
    except Exception:
        log.exception("job %s failed; it runs again at the next poll", job.name)
        async with services.db.session() as session:
            await leases.release(session, job.name, holder)
        return False
    async with services.db.session() as session:
        await leases.finish(session, job.name, holder)
    log.info("job %s done: %s", job.name, outcome)
    return True
