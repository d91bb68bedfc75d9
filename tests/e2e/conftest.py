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

HERE = Path(__file__).parent
# It reads what every other end-to-end test called, so it runs after them all.
SCOPES_CHECK = "test_the_bot_scopes_are_those_of_the_methods_the_app_calls"
LEFT_OUT = pytest.StashKey[set[tuple[Path, str]]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.name == SCOPES_CHECK)


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_e2e(item):
            item.config.stash.setdefault(LEFT_OUT, set()).add(_test_function(item))


def e2e_tests_left_out(session: pytest.Session) -> set[tuple[Path, str]]:
    """End-to-end test functions (file, name) not in this run: deselected, or their file was not
    collected (file, "*")."""
    ran = {_test_function(item) for item in session.items if _is_e2e(item)}
    files = {path for path, _ in ran}
    missing_files = {(path, "*") for path in HERE.glob("test_*.py") if path not in files}
    return missing_files | (session.config.stash.get(LEFT_OUT, set()) - ran)


def _is_e2e(item: pytest.Item) -> bool:
    return HERE in item.path.parents


def _test_function(item: pytest.Item) -> tuple[Path, str]:
    return item.path, getattr(item, "originalname", item.name)


@pytest.fixture(scope="session")
def methods_called() -> set[str]:
    """The Web API methods the app called with its tokens in this run's end-to-end tests."""
    return set()


@pytest.fixture
async def sandbox(contract: Contract | None, methods_called: set[str]) -> AsyncIterator[Sandbox]:
    workspace = Sandbox(team_id="T0SANDBOX1", team_name="Sandbox Co")
    await workspace.start(host="127.0.0.1", port=contract.sandbox_port if contract else 0)
    try:
        yield workspace
    finally:
        await workspace.stop()
        methods_called.update(_called_with_the_apps_tokens(workspace))


def _called_with_the_apps_tokens(workspace: Sandbox) -> set[str]:
    """Leaves out what tests sent with a wrong token, and OAuth's exchange of a code."""
    tokens = {f"Bearer {workspace.bot_token}", f"Bearer {workspace.app_token}"}
    return {call.method for call in workspace.calls if call.headers.get("Authorization") in tokens}


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
