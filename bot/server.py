"""HTTP mode: Slack's requests on POST /slack/events and a health check on GET /health."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler
from slack_bolt.adapter.aiohttp import to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.manifest import EVENTS_PATH
from bot.middleware import log_rejected
from bot.services import Services

log = logging.getLogger(__name__)


def build_web_app(app: AsyncApp, services: Services) -> web.Application:
    web_app = app.web_app(path=EVENTS_PATH)
    web_app.middlewares.append(_log_unauthorized)

    async def health(_request: web.Request) -> web.Response:
        try:
            await services.db.ping()
        except Exception as error:
            log.warning("health check: database unreachable: %s", type(error).__name__)
            body = {"status": "degraded", "database": f"unreachable ({type(error).__name__})"}
            return web.json_response(body, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    web_app.router.add_get("/health", health)
    return web_app


@web.middleware
async def _log_unauthorized(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bolt answers 401 before its middleware runs, so the request log is written here."""
    response = await handler(request)
    if response.status == 401 and request.path == EVENTS_PATH:
        refused = await to_bolt_request(request)
        log_rejected(refused.body, refused.context, response.status)
    return response
