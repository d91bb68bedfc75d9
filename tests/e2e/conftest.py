"""End-to-end fixtures: the real app over HTTP, a sandbox workspace, and (in the contract pass)
Stoplight Prism between them checking every Web API call against Slack's OpenAPI spec."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.local import LocalDeployment, local_deployment
from bot.sandbox import Sandbox
from storage.db import Database

SPEC = Path(__file__).resolve().parent.parent / "contract" / "slack_web_openapi_patched.json"
PRISM = os.environ.get("ROUNDTABLE_PRISM")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Contract:
    """Prism proxying to a sandbox that each test starts on the same fixed port."""

    api_url: str
    sandbox_port: int
    log: Path
    _read: int = 0

    def new_violations(self) -> list[str]:
        lines = self.log.read_text(errors="replace").splitlines()
        fresh, self._read = lines[self._read :], len(lines)
        return [line for line in fresh if "Violation" in line]


@pytest.fixture(scope="session")
def contract(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Contract | None]:
    if not PRISM:
        yield None
        return
    sandbox_port, prism_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    upstream = f"http://127.0.0.1:{sandbox_port}/api"
    command = [PRISM, "proxy", "-h", "127.0.0.1", "-p", str(prism_port), str(SPEC), upstream]
    with log.open("w") as out:
        prism = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(prism_port, prism, log)
        yield Contract(f"http://127.0.0.1:{prism_port}/", sandbox_port, log)
    finally:
        prism.terminate()
        prism.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Prism exited early:\n{log.read_text()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Prism did not listen on {port} within {timeout}s")


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
        violations = contract.new_violations()
        assert not violations, "Slack contract violations:\n" + "\n".join(violations)
