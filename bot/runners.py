"""Long-running modes: the HTTP server, Socket Mode, and the schema migration."""

from __future__ import annotations

import asyncio
import logging
import sys

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import create_app
from bot.gateway import SlackFailure, SlackGateway
from bot.logs import configure_logging
from bot.messages import effort_plain
from bot.overlaps.evaluate import too_few_answers, tune, tuning_report
from bot.server import build_web_app
from bot.services import Services
from bot.startup import start_background_sync, sync_workspace
from bot.worker import run_worker, scan_summary, scan_workspaces
from config.policy import PolicyError
from config.settings import Settings
from storage.db import Database, DatabaseUnreachable, SchemaMismatch

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> int:
    services = await _ready_services(settings)
    if services is None:
        return 2
    app = create_app(settings, services)
    runner = web.AppRunner(build_web_app(app, services), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    log.info("Roundtable listening on http://%s:%d/slack/events", settings.host, settings.port)
    backfill = start_background_sync(services, settings.slack_bot_token)
    try:
        await asyncio.Event().wait()
    finally:
        if backfill:
            backfill.cancel()
        await runner.cleanup()
        await services.db.dispose()
    return 0


async def socket_mode(settings: Settings) -> int:
    services = await _ready_services(settings)
    if services is None:
        return 2
    try:
        return await _run_socket_mode(services, settings)
    finally:
        await services.db.dispose()


async def _run_socket_mode(services: Services, settings: Settings) -> int:
    app = create_app(settings, services)
    # Asked for here: the handler, asking itself, logs a traceback and retries for ever.
    url = await _socket_mode_url(services.gateway(app.client, None), settings)
    if url is None:
        return 2
    handler = AsyncSocketModeHandler(app, settings.slack_app_token)
    handler.client.wss_uri = url
    await handler.connect_async()
    log.info("Roundtable connected in Socket Mode")
    backfill = start_background_sync(services, settings.slack_bot_token)
    try:
        await asyncio.Event().wait()
    finally:
        if backfill:
            backfill.cancel()
        await handler.close_async()
    return 0


async def _socket_mode_url(gateway: SlackGateway, settings: Settings) -> str | None:
    """The WebSocket URL for SLACK_APP_TOKEN, or None after saying why Slack gave none."""
    try:
        return await gateway.socket_mode_url(settings.slack_app_token)
    except SlackFailure as failure:
        problem = (
            f"Slack refused SLACK_APP_TOKEN ({failure.code}): it must be an app-level token "
            "(xapp-...) with the connections:write scope, from api.slack.com/apps > Basic "
            "Information > App-Level Tokens, with Socket Mode turned on."
        )
    except (aiohttp.ClientError, OSError) as error:
        problem = (
            "cannot open a Socket Mode connection with SLACK_APP_TOKEN: Slack's API at "
            f"{settings.slack_api_url} is unreachable ({type(error).__name__})."
        )
    print(f"error: {problem}", file=sys.stderr)
    return None


async def sync(settings: Settings) -> int:
    services = await _ready_services(settings)
    if services is None:
        return 2
    try:
        report = await sync_workspace(services, settings.slack_bot_token)
    except SlackFailure as failure:
        print(f"error: {failure}: {failure.advice}", file=sys.stderr)
        return 1
    finally:
        await services.db.dispose()
    print(f"ok: {report.people} people and {report.channels} channels synced")
    return 0


async def worker(settings: Settings, *, once: bool) -> int:
    services = await _ready_services(settings)
    if services is None:
        return 2
    log.info("Roundtable worker started%s", " for one pass" if once else "")
    try:
        await run_worker(services, once=once)
    finally:
        await services.db.dispose()
    return 0


async def overlaps(settings: Settings, action: str) -> int:
    services = await _ready_services(settings)
    if services is None:
        return 2
    try:
        if action == "scan":
            reports = await scan_workspaces(services)
            print(f"ok: {scan_summary(reports)} ({services.overlaps.mode} mode)")
            clusters = [cluster for report in reports for cluster in report.clusters]
            for line in await _named_clusters(services, clusters):
                print(line)
            return 0
        return _print_tuning(await services.overlaps.answered(), services.policy)
    finally:
        await services.db.dispose()


async def _named_clusters(services: Services, clusters: list[list[int]]) -> list[str]:
    """Each group of three or more overlapping efforts, by the names people know them by."""
    found = await services.registry.claims.efforts_by_id([i for group in clusters for i in group])
    return [
        f"Cluster {number}: one effort in {len(group)} places: "
        + ", ".join(effort_plain(found[i]) for i in group if i in found)
        for number, group in enumerate(clusters, 1)
    ]


def _print_tuning(answered: list[tuple[float, bool]], policy) -> int:
    shortfall = too_few_answers(answered)
    if shortfall:
        print(shortfall)
        return 1
    print(tuning_report(tune(answered), policy.overlap.threshold))
    return 0


async def migrate(settings: Settings) -> int:
    configure_logging(settings.log_level)
    db = Database(settings.database_url)
    try:
        status = await db.migrate()
    except (DatabaseUnreachable, SchemaMismatch) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()
    print(f"ok: {status.describe()}")
    return 0


async def _ready_services(settings: Settings) -> Services | None:
    """Services for a running app, or None after saying why the app cannot start."""
    configure_logging(settings.log_level)
    try:
        services = Services.build(settings)
    except PolicyError as error:
        print(f"error: {error}", file=sys.stderr)
        return None
    try:
        await services.db.require_current_schema()
    except (DatabaseUnreachable, SchemaMismatch) as error:
        print(f"error: {error}", file=sys.stderr)
        await services.db.dispose()
        return None
    return services
