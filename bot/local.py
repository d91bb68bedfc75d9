"""The real app served over HTTP on localhost, talking to a sandbox workspace instead of Slack.

The demo and the end-to-end tests both run on this: the same app factory, web server and
signature checks as production, only `SLACK_API_URL` points at the sandbox.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from aiohttp import web

from bot.app import create_app
from bot.sandbox import Sandbox
from bot.server import build_web_app
from bot.services import Services
from config.settings import Settings
from storage.db import Database

# How long a deployment waits, when it stops, for the work its listeners do after their ack.
AFTER_ACK_LIMIT = 600.0


@dataclass
class LocalDeployment:
    sandbox: Sandbox
    services: Services
    url: str

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"


@asynccontextmanager
async def local_deployment(
    sandbox: Sandbox,
    db: Database,
    *,
    settings: Settings | None = None,
    api_url: str | None = None,
    process_before_response: bool = True,
) -> AsyncIterator[LocalDeployment]:
    """Serve the app on a free local port, wired to `sandbox` (started by the caller).

    `api_url` puts something between the app and the sandbox (the contract checker).
    """
    settings = replace(
        settings or Settings(),
        slack_bot_token=sandbox.bot_token,
        slack_signing_secret=sandbox.signing_secret,
        slack_api_url=api_url or sandbox.api_url,
        database_url=db.url,
    )
    services = Services.build(settings, db=db)
    app = create_app(settings, services, process_before_response=process_before_response)
    runner = web.AppRunner(build_web_app(app, services), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    deployment = LocalDeployment(sandbox=sandbox, services=services, url=f"http://127.0.0.1:{port}")
    sandbox.connect(deployment.events_url)
    try:
        yield deployment
    finally:
        await after_acks_done()
        await runner.cleanup()


async def after_acks_done(limit: float = AFTER_ACK_LIMIT) -> float:
    """Wait until the listeners Bolt runs after acknowledging (with `process_before_response`
    off: a claim's overlap check and heads-up) have finished; returns the seconds waited. Bolt
    keeps no reference to those tasks, so they are recognised by their coroutine."""
    started = time.perf_counter()
    while any(_after_ack(task) for task in asyncio.all_tasks()):
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"work after the acks still running after {limit:.0f} s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


def _after_ack(task: asyncio.Task) -> bool:
    coroutine = task.get_coro()
    return "run_ack_function_asynchronously" in getattr(coroutine, "__qualname__", "")
