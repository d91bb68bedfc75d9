"""Acme: a workspace of three silos, an admin and a newcomer, with the app installed and synced.
The world the end-to-end tests of the registry and of overlaps play in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.local import LocalDeployment, local_deployment
from bot.sandbox import Sandbox, render_blocks
from bot.startup import sync_workspace
from config.settings import Settings
from storage.db import Database
from tests.contract.prism import Contract

POLICY = """
admins = ["{ada}"]

[[silos]]
name = "Marketing"
aliases = ["mktg", "brand"]
members = ["{maria}"]
representatives = ["{maria}"]

[[silos]]
name = "PR"
aliases = ["comms", "press"]
members = ["{priya}"]
representatives = ["{priya}"]

[[silos]]
name = "Customer Support"
aliases = ["support", "cs", "care"]
usergroup = "{support}"
"""


@dataclass
class Acme:
    """A workspace of three silos, an admin and a newcomer, with the app installed and synced."""

    slack: LocalDeployment
    maria: str  # Marketing, listed in the policy
    priya: str  # PR, listed in the policy
    sam: str  # Customer Support, through the @support user group
    ada: str  # a policy admin, in no silo
    bob: str  # in no silo yet
    mktg_social: str
    pr_listening: str
    launch: str

    @property
    def sandbox(self) -> Sandbox:
        return self.slack.sandbox

    async def coe(self, user: str, text: str, channel: str | None = None) -> dict[str, Any]:
        """Type `/coe text`; the reply the person sees (only to them)."""
        response = await self.sandbox.driver.command("/coe", text, user_id=user, channel_id=channel)
        assert response.status == 200 and response.acked_in_time
        assert isinstance(response.json, dict), response.body_text
        return response.json

    def dms(self, user: str) -> list[dict[str, Any]]:
        """What Roundtable told this person in their direct messages, oldest first."""
        return self.sandbox.messages(self.sandbox.dm_channel_id(user))

    async def click(self, user: str, action_id: str, message: dict[str, Any]) -> None:
        response = await self.sandbox.driver.click(user, action_id, message=message)
        assert response.status == 200 and response.acked_in_time

    def last_reply(self, user: str) -> dict[str, Any]:
        """The latest reply shown only to this person (a command's answer, maybe edited since)."""
        return self.sandbox.ephemerals(user)[-1]


def seen(reply: dict[str, Any]) -> str:
    """A message as a person sees it: its notification text, then its blocks as lines."""
    return reply.get("text", "") + "\n" + "\n".join(render_blocks(reply.get("blocks", [])))


def buttons(reply: dict[str, Any]) -> list[str]:
    return [
        element["action_id"]
        for block in reply.get("blocks", [])
        for element in block.get("elements", [])
        if element.get("type") == "button"
    ]


def mention(channel_id: str, name: str) -> str:
    """A channel picked from Slack's menu, as Slack sends it in a command's text."""
    return f"<#{channel_id}|{name}>"


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def build_acme(sandbox: Sandbox) -> dict[str, str]:
    add = sandbox.add_user
    people = {
        "maria": add("maria", real_name="Maria Lopez", title="Marketing Manager"),
        "priya": add("priya", real_name="Priya Shah", title="Head of Comms"),
        "sam": add("sam", real_name="Sam Okafor", title="Team Lead"),
        "ada": add("ada", real_name="Ada Brooks", title="Chief of Staff"),
        "bob": add("bob", real_name="Bob Stone", title="Engineer"),
    }
    support = sandbox.add_usergroup("support", name="Customer Support", users=[people["sam"]])
    channel = sandbox.add_channel
    return {
        **people,
        "support": support,
        "mktg_social": channel(
            "mktg-social", creator=people["maria"], purpose="Brand campaigns on Twitter"
        ),
        "pr_listening": channel(
            "pr-social-listening", creator=people["priya"], purpose="Track sentiment on social"
        ),
        "launch": channel("launch", creator=people["ada"]),
    }


@asynccontextmanager
async def deployed(
    sandbox: Sandbox, db: Database, policy_dir: Path, api_url: str | None = None
) -> AsyncIterator[Acme]:
    """`sandbox` peopled as Acme, the app serving it under the Acme policy, and synced."""
    cast = build_acme(sandbox)
    policy = policy_dir / f"policy-{sandbox.team_id}.toml"
    policy.write_text(POLICY.format(**cast))
    settings = Settings(policy_path=policy)
    async with local_deployment(sandbox, db, settings=settings, api_url=api_url) as deployment:
        await sync_workspace(deployment.services, sandbox.bot_token)
        del cast["support"]
        yield Acme(slack=deployment, **cast)


@pytest.fixture
async def acme(
    sandbox: Sandbox, db: Database, contract: Contract | None, tmp_path: Path
) -> AsyncIterator[Acme]:
    """Fails the test on any Slack contract violation, as the `slack` fixture does."""
    async with deployed(sandbox, db, tmp_path, contract.api_url if contract else None) as acme:
        yield acme
    if contract:
        contract.check()
