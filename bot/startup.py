"""Work done when a workspace is first seen: fill the directory, the channel map and the
overlap index; and the bot tokens the nightly re-sync reads each workspace with."""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from bot.gateway import SlackFailure, SlackGateway, build_client
from bot.registry import SyncReport
from bot.services import Services
from storage.models import Workspace

log = logging.getLogger(__name__)


async def sync_workspace(services: Services, token: str, *, only_if_empty: bool = False):
    """Backfill the token's workspace (see `backfill`), then fill its overlap index, so that
    the first claim need not wait for it. Returns the SyncReport, or None when no backfill
    was done."""
    workspace, report = await backfill(services, token, only_if_empty=only_if_empty)
    await services.overlaps.prepare(workspace)
    return report


async def backfill(
    services: Services, token: str, *, only_if_empty: bool = False
) -> tuple[int, SyncReport | None]:
    """Fill the directory and the channel map of the token's workspace from Slack; with
    `only_if_empty`, only when nobody is known yet. Returns the workspace and the SyncReport
    (None when nothing was done)."""
    workspace, gateway = await _workspace_of(services, token)
    await services.workspaces.installed(workspace)
    if only_if_empty and not await services.registry.people.is_empty(workspace):
        return workspace, None
    report = await services.registry.sync(workspace, gateway)
    log.info(
        "synced workspace %d: %d people, %d channels", workspace, report.people, report.channels
    )
    return workspace, report


def start_background_sync(services: Services, token: str | None) -> asyncio.Task | None:
    """At start, a workspace whose directory is empty gets its backfill, without delaying
    the app's readiness. Without a token (OAuth mode) each install starts its own."""
    if not token:
        return None

    async def run() -> None:
        retry = "run `python -m bot sync` to retry"
        try:
            await sync_workspace(services, token, only_if_empty=True)
        except SlackFailure as failure:
            log.error("start-up sync failed: Slack answered %s; %s", failure.code, retry)
        except (aiohttp.ClientError, OSError) as error:
            unreachable = f"{services.settings.slack_api_url} is unreachable"
            log.error("start-up sync failed: %s (%s); %s", unreachable, type(error).__name__, retry)
        except Exception:
            log.exception("start-up sync failed; %s", retry)

    task = asyncio.create_task(run(), name="startup-sync")
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


# The event loop holds only weak references to tasks: a sync nobody awaits is kept here.
_running: set[asyncio.Task] = set()


async def bot_gateways(services: Services, workspaces: list[Workspace]) -> dict[int, SlackGateway]:
    """A gateway for each of `workspaces` whose bot token is known: in OAuth mode the one its
    installation stored, else SLACK_BOT_TOKEN for the workspace it belongs to (one auth.test)."""
    if services.installations:
        return await _installed_gateways(services, workspaces)
    if not services.settings.slack_bot_token:
        return {}
    workspace, gateway = await _workspace_of(services, services.settings.slack_bot_token)
    return {workspace: gateway} if workspace in {w.id for w in workspaces} else {}


async def _installed_gateways(
    services: Services, workspaces: list[Workspace]
) -> dict[int, SlackGateway]:
    gateways = {}
    for workspace in workspaces:
        token = await services.workspaces.bot_token(workspace)
        if token:
            client = build_client(token, services.settings.slack_api_url)
            gateways[workspace.id] = services.gateway(client, slack_name(workspace))
    return gateways


def slack_name(workspace: Workspace) -> str:
    """The ID Slack knows the workspace by: its team, or its org for an org-wide install."""
    return workspace.team_id or workspace.enterprise_id


async def _workspace_of(services: Services, token: str) -> tuple[int, SlackGateway]:
    client = build_client(token, services.settings.slack_api_url)
    enterprise_id, team_id = await services.gateway(client, None).whoami()
    workspace = await services.workspaces.resolve(enterprise_id, team_id)
    return workspace, services.gateway(client, team_id)
