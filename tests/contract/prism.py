"""The contract pass (`make contract`): Stoplight Prism between a client and the sandbox, checking
every Web API call against Slack's OpenAPI spec. Without ROUNDTABLE_PRISM, `contract` is None."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parent / "slack_web_openapi_patched.json"
PRISM = os.environ.get("ROUNDTABLE_PRISM")


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

    def check(self) -> None:
        """Fail on any violation Prism logged since the last check."""
        violations = self.new_violations()
        assert not violations, "Slack contract violations:\n" + "\n".join(violations)


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
    checked = Contract(f"http://127.0.0.1:{prism_port}/", sandbox_port, log)
    try:
        _wait_for_port(prism_port, prism, log)
        yield checked
    finally:
        prism.terminate()
        prism.wait(timeout=10)
    checked.check()  # what Prism wrote after the last test had looked


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
