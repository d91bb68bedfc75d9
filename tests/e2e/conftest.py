"""End-to-end fixtures: the real app over HTTP, a sandbox workspace, and (in the contract pass)
Stoplight Prism between them checking every Web API call against Slack's OpenAPI spec."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.local import LocalDeployment, local_deployment
from bot.sandbox import Sandbox
from storage.db import Database
from tests.contract.prism import Contract
from tests.contract.prism import free_port as free_port  # imported from here by e2e tests


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def sandbox(contract: Contract | None) -> AsyncIterator[Sandbox]:
    workspace = Sandbox(team_id="T0SANDBOX1", team_name="Sandbox Co")
    await workspace.start(host="127.0.0.1", port=contract.sandbox_port if contract else 0)
    try:
        yield workspace
    finally:
        await workspace.stop()


@pytest.fixture
async def slack(
    sandbox: Sandbox, db: Database, contract: Contract | None
) -> AsyncIterator[LocalDeployment]:
    """The app served over HTTP against the sandbox; fails the test on any contract violation."""
    api_url = contract.api_url if contract else None
    async with local_deployment(sandbox, db, api_url=api_url) as deployment:
        yield deployment
    if contract:
        contract.check()
