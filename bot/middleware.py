"""Global Bolt middleware: hand the services to listeners, and log one line per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.services import Services

log = logging.getLogger("roundtable.requests")


def install(app: AsyncApp, services: Services) -> None:
    async def provide_services(context: AsyncBoltContext, next: Callable[[], Awaitable]) -> Any:
        context["services"] = services
        return await next()

    app.use(provide_services)
    app.use(log_request)


async def log_request(
    body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
) -> Any:
    started = time.perf_counter()
    response = await next()
    elapsed_ms = (time.perf_counter() - started) * 1000
    status = getattr(response, "status", "-")
    log.info("%s status=%s ms=%.1f", describe(body, context), status, elapsed_ms)
    return response


def describe(body: dict[str, Any], context: AsyncBoltContext) -> str:
    """Who and what a request is about, by ID only: never text people typed."""
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    parts = [f"kind={kind}", f"team={context.team_id or '-'}", f"user={context.user_id or '-'}"]
    if kind == "event_callback":
        parts += [f"event={body.get('event', {}).get('type')}", f"event_id={body.get('event_id')}"]
    elif "command" in body:
        subcommand = (body.get("text") or "").strip().split(" ", 1)[0][:20]
        parts += [f"command={body['command']}", f"sub={subcommand or '-'}"]
    elif kind == "block_actions":
        parts.append(
            "actions=" + ",".join(a.get("action_id", "?") for a in body.get("actions", []))
        )
    elif kind in {"view_submission", "view_closed"}:
        parts.append(f"callback={body.get('view', {}).get('callback_id')}")
    return " ".join(parts)
