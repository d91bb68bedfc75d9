"""`python -m bot worker`: scheduled jobs, each run by one worker at a time under a lease."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.gateway import SlackFailure, SlackGateway
from bot.overlaps.service import ScanReport
from bot.services import Services
from bot.startup import bot_gateways, slack_name
from storage import directory, leases
from storage.models import Workspace, as_utc, utcnow

log = logging.getLogger(__name__)

POLL = timedelta(minutes=1)
LEASE = timedelta(minutes=30)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Services], Awaitable[str]]


# Slack's word that the app is gone from a workspace: taken as the uninstall event it may have
# sent while nobody listened (its tokens go, its history stays for a reinstall).
APP_GONE = {"account_inactive", "token_revoked"}


async def sync_workspaces(services: Services) -> str:
    """Read people, user groups and channels of every installed workspace again. Purpose and
    topic edits arrive only this way (Slack tells of them in channel messages alone, which would
    take channels:history), and so does whatever an outage made the app miss."""
    workspaces = await _installed(services)
    try:
        gateways = await bot_gateways(services, workspaces)
    except SlackFailure as failure:
        return f"no workspace synced: Slack refused SLACK_BOT_TOKEN ({failure.code})"
    failed = []
    for workspace in workspaces:
        if workspace.id not in gateways:
            log.info("workspace %s not synced: no bot token for it", slack_name(workspace))
        elif problem := await _sync_problem(services, workspace, gateways[workspace.id]):
            failed.append(f"{slack_name(workspace)} ({problem})")
    outcome = f"{len(gateways) - len(failed)} of {len(workspaces)} workspaces synced"
    return outcome + (f"; failed: {', '.join(failed)}" if failed else "")


async def _sync_problem(
    services: Services, workspace: Workspace, gateway: SlackGateway
) -> str | None:
    """None when the workspace synced, else what went wrong, in a word."""
    try:
        await services.registry.sync(workspace.id, gateway)
    except SlackFailure as failure:
        if failure.code in APP_GONE:
            await services.workspaces.uninstalled(
                workspace.enterprise_id or None, workspace.team_id or None
            )
        return failure.code
    except Exception as error:  # one workspace's trouble must not keep the others unsynced
        log.exception("sync of workspace %s failed", slack_name(workspace))
        return type(error).__name__
    return None


async def scan_workspaces(services: Services) -> list[ScanReport]:
    """The full overlap scan of every installed workspace, one report each."""
    return [await services.overlaps.scan(workspace.id) for workspace in await _installed(services)]


async def _installed(services: Services) -> list[Workspace]:
    async with services.db.session() as session:
        return await directory.installed_workspaces(session)


def scan_summary(reports: list[ScanReport]) -> str:
    return f"{sum(r.pairs for r in reports)} overlapping pairs in {len(reports)} workspaces"


async def scan_overlaps(services: Services) -> str:
    """The nightly full scan of every installed workspace."""
    return scan_summary(await scan_workspaces(services))


# The sync first: the scan then compares the texts as they are in Slack now.
JOBS = (
    Job("workspace-sync", timedelta(hours=24), sync_workspaces),
    Job("overlap-scan", timedelta(hours=24), scan_overlaps),
)


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
