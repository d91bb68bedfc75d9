"""`python -m bot serve` and `socket` as an operator runs them: a real process, configured by
environment variables only, pointed at the sandbox by SLACK_API_URL."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from bot.sandbox import Sandbox
from bot.server import build_web_app
from bot.services import Services
from config.settings import Settings
from tests.e2e.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


async def wait_until_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(30), aiohttp.ClientSession() as http:
        while process.returncode is None:
            try:
                async with http.get(f"{url}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"serve exited: {(await process.stderr.read()).decode()}")


async def run_bot(
    *args: str, env: dict[str, str], cwd: Path, stdout: int = asyncio.subprocess.DEVNULL
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=stdout,
        stderr=asyncio.subprocess.PIPE,
    )


def operator_env(sandbox: Sandbox, tmp_path: Path, api_url: str | None = None) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": sandbox.signing_secret,
        "SLACK_API_URL": api_url or sandbox.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rt.db'}",
    }


async def migrated(env: dict[str, str], cwd: Path) -> dict[str, str]:
    migrate = await run_bot("migrate", env=env, cwd=cwd)
    assert await migrate.wait() == 0
    return env


@pytest.fixture
async def served(sandbox: Sandbox, tmp_path: Path, contract) -> AsyncIterator[str]:
    port = free_port()
    env = operator_env(sandbox, tmp_path, contract.api_url if contract else None)
    env = await migrated({**env, "HOST": "127.0.0.1", "PORT": str(port)}, tmp_path)
    process = await run_bot("serve", env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_healthy(url, process)
        sandbox.connect(f"{url}/slack/events")
        yield url
    finally:
        process.terminate()
        await process.wait()
    if contract:
        assert not contract.new_violations()


async def test_served_process_answers_health_commands_events_and_rejects_unsigned(
    served: str, sandbox: Sandbox
):
    maria = sandbox.add_user("maria", title="Marketing Manager")
    async with aiohttp.ClientSession() as http, http.get(f"{served}/health") as response:
        assert await response.json() == {"status": "ok", "database": "ok"}

    help_reply = await sandbox.driver.command("/coe", "help", user_id=maria)
    assert help_reply.status == 200 and "/coe help" in help_reply.json["text"]

    opened = await sandbox.human.open_app_home(maria)
    assert opened.status == 200
    await sandbox.wait_for_call("views.publish")
    assert sandbox.home_view(maria) is not None

    body = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}})
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{served}/slack/events", data=body, headers={"Content-Type": "application/json"}
        ) as response,
    ):
        assert response.status == 401


async def test_health_says_when_the_database_is_unreachable():
    settings = Settings(
        slack_bot_token="xoxb-unused",
        slack_signing_secret="unused",
        database_url="postgresql+asyncpg://postgres@127.0.0.1:9/none",
    )
    services = Services.build(settings)
    app = create_app(settings, services)
    runner = web.AppRunner(build_web_app(app, services))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/health") as response,
        ):
            assert response.status == 503
            assert (await response.json())["database"].startswith("unreachable")
    finally:
        await runner.cleanup()
        await services.db.dispose()


async def refused_socket_mode(env: dict[str, str], cwd: Path) -> str:
    """The one line `socket` printed before it exited with 2."""
    socket = await run_bot("socket", env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE)
    async with asyncio.timeout(30):
        out, err = await socket.communicate()
    assert socket.returncode == 2
    assert "connected in Socket Mode" not in out.decode() and "Traceback" not in out.decode()
    [line] = err.decode().splitlines()
    return line


async def test_socket_mode_with_a_refused_app_token_says_so_in_one_line(
    sandbox: Sandbox, tmp_path: Path
):
    env = await migrated(operator_env(sandbox, tmp_path), tmp_path)
    line = await refused_socket_mode({**env, "SLACK_APP_TOKEN": "xapp-1-A0WRONG-1-f00"}, tmp_path)
    assert line.startswith(
        "error: Slack refused SLACK_APP_TOKEN (invalid_auth): it must be an app-level token"
    )


async def test_socket_mode_that_cannot_reach_slack_says_so_in_one_line(
    sandbox: Sandbox, tmp_path: Path
):
    nowhere = f"http://127.0.0.1:{free_port()}/api/"
    env = await migrated(operator_env(sandbox, tmp_path, nowhere), tmp_path)
    line = await refused_socket_mode({**env, "SLACK_APP_TOKEN": sandbox.app_token}, tmp_path)
    assert line.startswith(
        "error: cannot open a Socket Mode connection with SLACK_APP_TOKEN: Slack's API at "
        f"{nowhere} is unreachable"
    )


async def test_socket_mode_says_connected_once_connected(sandbox: Sandbox, tmp_path: Path):
    env = await migrated(operator_env(sandbox, tmp_path), tmp_path)
    env["SLACK_APP_TOKEN"] = sandbox.app_token
    socket = await run_bot("socket", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(30):
            while b"connected in Socket Mode" not in (line := await socket.stdout.readline()):
                assert line, (await socket.stderr.read()).decode()
        assert [call.ok for call in sandbox.calls_to("apps.connections.open")] == [True]
        assert sandbox.socket_connections == 1
    finally:
        socket.terminate()
        await socket.wait()
