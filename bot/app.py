"""The app factory: one AsyncApp, the same for HTTP mode, Socket Mode, the demo and the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt.async_app import AsyncApp

import handlers
from bot import middleware
from bot.gateway import build_client
from bot.logs import BOLT_LOGGER, bolt_logger
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
    with _bot_token_hidden_from_bolt():
        app = AsyncApp(
            # Bolt sets the logger named after the app to its own level at every request: named
            # "roundtable", it would silence roundtable.requests.
            name=BOLT_LOGGER,
            logger=bolt_logger(),
            client=build_client(token, settings.slack_api_url),
            signing_secret=settings.slack_signing_secret,
            process_before_response=process_before_response,
            **oauth,
        )
    middleware.install(app, services)
    handlers.register(app)
    return app


@contextmanager
def _bot_token_hidden_from_bolt() -> Iterator[None]:
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client, then warns at
    every start that it will be unused. The token comes from the settings (which also read .env),
    on the client; Bolt offers no switch to skip the environment."""
    token = os.environ.pop("SLACK_BOT_TOKEN", None)
    try:
        yield
    finally:
        if token is not None:
            os.environ["SLACK_BOT_TOKEN"] = token
