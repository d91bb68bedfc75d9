from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox
from tests.sandbox.fake_app import FakeApp


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(team_id="T0SANDBOX1", team_name="Sandbox Co")
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


@pytest.fixture
async def app(sandbox: Sandbox) -> AsyncIterator[FakeApp]:
    fake = FakeApp(sandbox.signing_secret)
    await fake.start()
    sandbox.connect(fake.url)
    yield fake
    await fake.stop()


@pytest.fixture
def maria(sandbox: Sandbox) -> str:
    return sandbox.add_user(
        "maria", real_name="Maria Lopez", title="Marketing Manager", tz="America/Chicago"
    )


@pytest.fixture
def sam(sandbox: Sandbox) -> str:
    return sandbox.add_user("sam", real_name="Sam Okafor", title="Sales Lead")
