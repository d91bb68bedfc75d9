"""Installing into many workspaces: Slack's OAuth flow, with installations and install states
stored in Roundtable's own database."""

from __future__ import annotations

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.manifest import bot_scopes
from bot.services import Services
from bot.startup import start_background_sync

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_LIFETIME_SECONDS = 600


def oauth_settings(services: Services) -> AsyncOAuthSettings:
    settings = services.settings

    async def installed(args: AsyncSuccessArgs) -> BoltResponse:
        """A new workspace gets its directory and channel map filled at once."""
        start_background_sync(services, args.installation.bot_token)
        return await args.default.success(args)

    async def failed(args: AsyncFailureArgs) -> BoltResponse:
        return await args.default.failure(args)

    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=bot_scopes(),
        installation_store=services.installations,
        state_store=AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_LIFETIME_SECONDS, engine=services.db.engine
        ),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=AsyncCallbackOptions(success=installed, failure=failed),
    )
