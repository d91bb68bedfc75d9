"""Global Bolt middleware: hand the services to listeners, and log one line per request."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot import coe
from bot.services import Services

log = logging.getLogger("roundtable.requests")


def install(app: AsyncApp, services: Services) -> None:
    async def provide_services(context: AsyncBoltContext, next: Callable[[], Awaitable]) -> Any:
        """Every listener gets the services, its workspace's row ID and a paced gateway."""
        context["services"] = services
        context["workspace"] = await services.workspaces.resolve(
            context.enterprise_id, context.team_id
        )
        context["gateway"] = services.gateway(context.client, context.team_id)
        return await next()

    app.use(provide_services)
    app.use(log_request)


async def log_request(
    body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]
) -> Any:
    log.info("%s", describe(body, context))
    return await next()


def log_rejected(body: dict[str, Any], context: AsyncBoltContext, status: int) -> None:
    """The request line for a request Bolt refused before any middleware ran (a bad signature
    or an old timestamp)."""
    # Nothing in an unverified body may break the line in two, so whitespace is collapsed.
    log.info("%s status=%d", " ".join(describe(body, context).split()), status)


def describe(body: dict[str, Any], context: AsyncBoltContext) -> str:
    """Who and what a request is about, by ID only: never text people typed."""
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    parts = [f"kind={kind}", f"team={context.team_id or '-'}", f"user={context.user_id or '-'}"]
    if kind == "event_callback":
        parts += [f"event={body.get('event', {}).get('type')}", f"event_id={body.get('event_id')}"]
    elif "command" in body:
        subcommand = coe.parse(body.get("text") or "").name
        known = subcommand if coe.find(subcommand) else "unknown"
        parts += [f"command={body['command']}", f"sub={known}"]
    elif kind == "block_actions":
        parts.append(
            "actions=" + ",".join(a.get("action_id", "?") for a in body.get("actions", []))
        )
    elif kind in {"view_submission", "view_closed"}:
        parts.append(f"callback={body.get('view', {}).get('callback_id')}")
    return " ".join(parts)
