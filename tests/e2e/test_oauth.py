"""Many workspaces through OAuth: installations in Roundtable's database authorise requests;
uninstalling removes the tokens and keeps the history."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.local import LocalDeployment, local_deployment
from bot.sandbox import Sandbox
from config.settings import Settings
from storage.db import Database

OAUTH = Settings(slack_client_id="1111.2222", slack_client_secret="oauth-client-secret")


@pytest.fixture
async def oauth_slack(sandbox: Sandbox, db: Database, contract) -> AsyncIterator[LocalDeployment]:
    api_url = contract.api_url if contract else None
    async with local_deployment(sandbox, db, settings=OAUTH, api_url=api_url) as deployment:
        yield deployment
    if contract:
        assert not contract.new_violations()


async def install(
    deployment: LocalDeployment, user_id: str = "U0INSTALLER", user_token: str | None = None
) -> None:
    """The sandbox workspace's installation, by `user_id` (with their own token, if any)."""
    sandbox = deployment.sandbox
    await deployment.services.installations.async_save(
        Installation(
            app_id="A0SANDBOX01",
            team_id=sandbox.team_id,
            bot_token=sandbox.bot_token,
            bot_id=sandbox.bot_id,
            bot_user_id=sandbox.bot_user_id,
            bot_scopes=["commands", "chat:write"],
            user_id=user_id,
            user_token=user_token,
        )
    )


async def test_install_page_sends_people_to_slack(oauth_slack: LocalDeployment):
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{oauth_slack.url}/slack/install", allow_redirects=False) as response,
    ):
        body = await response.text()
        location = response.headers.get("Location", "")
    target = location or body
    assert "oauth/v2/authorize" in target
    assert "client_id=1111.2222" in target


async def test_an_installed_workspace_is_served_from_the_stored_installation(
    oauth_slack: LocalDeployment,
):
    await install(oauth_slack)
    maria = oauth_slack.sandbox.add_user("maria")
    general = oauth_slack.sandbox.add_channel("general", creator=maria, members=[maria])
    response = await oauth_slack.sandbox.driver.command(
        "/coe", f"claim <#{general}|general>", user_id=maria
    )
    assert response.status == 200
    assert "You now own" in response.json["text"]


async def test_uninstall_removes_tokens_and_keeps_history(oauth_slack: LocalDeployment):
    await install(oauth_slack)
    sandbox, services = oauth_slack.sandbox, oauth_slack.services
    maria = sandbox.add_user("maria")
    general = sandbox.add_channel("general", creator=maria, members=[maria])
    await sandbox.driver.command("/coe", f"claim <#{general}|general>", user_id=maria)

    response = await sandbox.driver.send_event({"type": "app_uninstalled"})
    assert response.status == 200

    store = services.installations
    assert await store.async_find_installation(enterprise_id=None, team_id=sandbox.team_id) is None
    workspace = await services.workspaces.resolve(None, sandbox.team_id)
    owned = await services.registry.claims.efforts_owned_by(workspace, maria)
    assert [effort.title for effort in owned] == ["general"]


async def test_a_revoked_user_token_is_forgotten_and_the_app_keeps_answering(
    oauth_slack: LocalDeployment,
):
    await install(oauth_slack)
    sandbox, store = oauth_slack.sandbox, oauth_slack.services.installations
    maria = sandbox.add_user("maria")
    await install(oauth_slack, user_id=maria, user_token="xoxp-maria-user-token")

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [maria], "bot": []}}
    assert (await sandbox.driver.send_event(revoked)).status == 200

    gone = await store.async_find_installation(
        enterprise_id=None, team_id=sandbox.team_id, user_id=maria
    )
    assert gone is None
    response = await sandbox.driver.command("/coe", "help", user_id=maria)
    assert response.status == 200 and "/coe help" in response.json["text"]


async def test_a_revoked_bot_token_removes_the_tokens_and_keeps_history(
    oauth_slack: LocalDeployment,
):
    await install(oauth_slack)
    sandbox, services = oauth_slack.sandbox, oauth_slack.services
    maria = sandbox.add_user("maria")
    general = sandbox.add_channel("general", creator=maria, members=[maria])
    await sandbox.driver.command("/coe", f"claim <#{general}|general>", user_id=maria)

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [sandbox.bot_user_id]}}
    assert (await sandbox.driver.send_event(revoked)).status == 200

    store = services.installations
    assert await store.async_find_installation(enterprise_id=None, team_id=sandbox.team_id) is None
    assert await store.async_find_bot(enterprise_id=None, team_id=sandbox.team_id) is None
    workspace = await services.workspaces.resolve(None, sandbox.team_id)
    owned = await services.registry.claims.efforts_owned_by(workspace, maria)
    assert [effort.title for effort in owned] == ["general"]
