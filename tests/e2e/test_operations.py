"""What the operator and people see when requests are refused or Slack is rate limiting, over real
HTTP against the sandbox, and what the app logs as it starts: reading every logger."""

from __future__ import annotations

import logging
import os
import time
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import create_app
from bot.gateway import SlackGateway, build_client
from bot.local import LocalDeployment
from bot.pacing import Pacer
from bot.sandbox import Sandbox
from bot.services import Services
from config.settings import Settings
from storage.db import Database


async def test_a_badly_signed_command_logs_one_line_of_ids_and_never_its_body(
    slack: LocalDeployment, caplog: pytest.LogCaptureFixture
):
    body = urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": slack.sandbox.team_id,
            "user_id": "U0MARIA001",
            "command": "/coe",
            "text": "secret-plan-omega",
            "response_url": "https://hooks.slack.com/commands/T0/1/secret-hook",
        }
    )
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": SignatureVerifier("not-the-secret").generate_signature(
            timestamp=timestamp, body=body
        ),
    }
    with caplog.at_level(logging.INFO):
        async with (
            aiohttp.ClientSession() as http,
            http.post(slack.events_url, data=body, headers=headers) as response,
        ):
            assert response.status == 401

    logged = [f"{r.name} {r.getMessage()}" for r in caplog.records]
    for secret in ("secret-plan-omega", "secret-hook", "legacy-verification-token", "text="):
        assert not [line for line in logged if secret in line]
    assert logged == [
        f"roundtable.requests kind=command team={slack.sandbox.team_id} user=U0MARIA001 "
        "command=/coe sub=unknown status=401"
    ]


async def test_help_still_answers_while_slack_rate_limits_bolts_own_auth_test(
    slack: LocalDeployment,
):
    sandbox = slack.sandbox
    maria = sandbox.add_user("maria")
    sandbox.set_rate_limit("auth.test", per_minute=60, burst=1)
    await AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url).auth_test()

    reply = await sandbox.driver.command("/coe", "help", user_id=maria)

    assert "/coe help" in reply.json["text"]
    assert [call.status for call in sandbox.calls_to("auth.test")] == [200, 429, 200]


async def test_the_gateway_alone_waits_out_a_429_on_its_calls(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
):
    sandbox.set_rate_limit("auth.test", per_minute=60, burst=1)
    client = build_client(sandbox.bot_token, sandbox.api_url)
    gateway = SlackGateway(client, Pacer(), sandbox.team_id)
    await gateway.whoami()

    with caplog.at_level(logging.INFO, logger="bot.gateway"):
        assert await gateway.whoami() == ("", sandbox.team_id)

    assert [call.status for call in sandbox.calls_to("auth.test")] == [200, 429, 200]
    assert [r.getMessage() for r in caplog.records] == ["slack auth.test rate limited: pausing 1s"]


def test_the_app_starts_without_warnings_when_the_token_is_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path
):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    settings = Settings(slack_bot_token="xoxb-from-the-environment", slack_signing_secret="s")
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'rt.db'}")
    with caplog.at_level(logging.INFO):
        create_app(settings, Services.build(settings, db=db))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert os.environ["SLACK_BOT_TOKEN"] == "xoxb-from-the-environment"
