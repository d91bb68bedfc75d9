from collections.abc import AsyncIterator, Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox
from tests.contract.prism import Contract
from tests.sandbox.fake_app import FakeApp


@pytest.fixture
async def sandbox(contract: Contract | None) -> AsyncIterator[Sandbox]:
    sb = Sandbox(team_id="T0SANDBOX1", team_name="Sandbox Co")
    await sb.start(port=contract.sandbox_port if contract else 0)
    yield sb
    await sb.stop()


@pytest.fixture
def client(sandbox: Sandbox, contract: Contract | None) -> Iterator[AsyncWebClient]:
    """slack_sdk's client of the sandbox; in the contract pass it goes through Prism, and the
    test fails on any answer of the sandbox's that breaks Slack's contract."""
    yield AsyncWebClient(
        token=sandbox.bot_token, base_url=contract.api_url if contract else sandbox.api_url
    )
    if contract:
        contract.check()


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
