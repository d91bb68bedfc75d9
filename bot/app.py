"""The app factory: one AsyncApp, the same for HTTP mode, Socket Mode, the demo and the tests."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

import handlers
from bot import middleware
from bot.gateway import build_client
from bot.oauth import oauth_settings
from bot.services import Services
from config.settings import Settings


def create_app(
    settings: Settings,
    services: Services | None = None,
    *,
    process_before_response: bool = False,
) -> AsyncApp:
    """Build the Bolt app. `process_before_response=True` makes each request return only after
    its listener ran (tests use it to observe results deterministically)."""
    services = services or Services.build(settings)
    oauth = {"oauth_settings": oauth_settings(services)} if settings.oauth_enabled else {}
    token = None if settings.oauth_enabled else settings.slack_bot_token
    app = AsyncApp(
        name="roundtable",
        client=build_client(token, settings.slack_api_url),
        signing_secret=settings.slack_signing_secret,
        process_before_response=process_before_response,
        **oauth,
    )
    middleware.install(app, services)
    handlers.register(app)
    return app
