"""The worker's nightly pass as an operator runs it, against the sandbox on both databases: the
sync of every installed workspace brings in the purpose and topic edits Slack sends no event
for, and the overlap scan that follows compares the texts as they are now."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from asyncio.subprocess import PIPE
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.local import local_deployment
from bot.sandbox import Sandbox
from bot.services import Services, shared_encoder
from bot.worker import run_worker
from config.settings import Settings
from storage import efforts, overlaps
from storage.db import Database
from tests.e2e.acme import Acme, seen
from tests.e2e.test_overlaps import SENTIMENT, pair_value, workspace_of

OAUTH = Settings(slack_client_id="1111.2222", slack_client_secret="oauth-client-secret")
TIKTOK = "Brand campaigns on TikTok and Instagram"
ROOT = Path(__file__).resolve().parents[2]


async def nightly_pass(services: Services, caplog: pytest.LogCaptureFixture) -> list[str]:
    """`worker --once`: every job one time; the outcome lines the worker logged."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.worker"):
        await run_worker(services, once=True)
    return [r.getMessage() for r in caplog.records if r.name == "bot.worker"]


async def edit_times(services: Services, workspace: int) -> dict[str, object]:
    """When each effort was last edited, and when each sentence vector was made."""
    async with services.db.session() as session:
        found = await overlaps.active_efforts(session, workspace)
        times = {f"effort {e.title}": e.updated_at for e in found}
        encoder = shared_encoder()
        if encoder:
            made = await overlaps.vectors(session, workspace, encoder.model)
            names = {e.id: e.title for e in found}
            times |= {f"vector {names[i]}": v.updated_at for i, v in made.items()}
    return times


async def test_a_purpose_changed_in_slack_shows_after_the_nightly_pass(
    acme: Acme, caplog: pytest.LogCaptureFixture
):
    services = acme.slack.services
    await services.workspaces.resolve("", "T0ELSEWHERE")  # SLACK_BOT_TOKEN is not theirs
    await acme.sandbox.human.set_purpose(acme.maria, acme.mktg_social, TIKTOK)
    assert "TikTok" not in seen(await acme.coe(acme.bob, "who #mktg-social"))

    logged = await nightly_pass(services, caplog)

    assert "workspace T0ELSEWHERE not synced: no bot token for it" in logged
    assert "job workspace-sync done: 1 of 2 workspaces synced" in logged
    done = [line.partition(":")[0] for line in logged if line.startswith("job ")]
    assert done == ["job workspace-sync done", "job overlap-scan done"]  # the scan sees it
    assert f"_{TIKTOK}_" in seen(await acme.coe(acme.bob, "who #mktg-social"))
    assert f"<#{acme.mktg_social}>" in seen(await acme.coe(acme.bob, "find tiktok"))


async def test_only_what_changed_in_slack_is_edited_and_encoded_again(
    acme: Acme, caplog: pytest.LogCaptureFixture
):
    services = acme.slack.services
    workspace = await workspace_of(acme)
    before = await edit_times(services, workspace)

    await nightly_pass(services, caplog)
    assert await edit_times(services, workspace) == before

    await acme.sandbox.human.set_purpose(acme.maria, acme.mktg_social, TIKTOK)
    await nightly_pass(services, caplog)
    after = await edit_times(services, workspace)
    changed = {name for name in before if after[name] != before[name]}
    expected = {"effort mktg-social"} | ({"vector mktg-social"} if shared_encoder() else set())
    assert changed == expected


async def test_a_dismissed_pair_is_raised_again_once_its_purpose_changed_materially(
    acme: Acme, caplog: pytest.LogCaptureFixture
):
    await acme.coe(acme.priya, "claim #pr-social-listening")
    await acme.coe(acme.maria, f"claim {SENTIMENT}")
    await acme.coe(acme.maria, "dupes")
    listed = acme.last_reply(acme.maria)
    pair = pair_value(listed, f"<#{acme.pr_listening}>", "Social sentiment tracking")
    await acme.sandbox.driver.click(acme.maria, "overlap_not", pair, message=listed)

    await nightly_pass(acme.slack.services, caplog)
    quiet = await acme.coe(acme.maria, "dupes all")
    assert pair_value(quiet, f"<#{acme.pr_listening}>", "Social sentiment tracking") is None

    await acme.sandbox.human.set_purpose(
        acme.priya, acme.pr_listening, "Weekly report on brand sentiment across social media"
    )
    await nightly_pass(acme.slack.services, caplog)
    again = await acme.coe(acme.maria, "dupes all")
    assert pair_value(again, f"<#{acme.pr_listening}>", "Social sentiment tracking") == pair


async def test_a_refused_bot_token_is_the_outcome_of_the_sync_and_the_scan_still_runs(
    acme: Acme, caplog: pytest.LogCaptureFixture
):
    acme.sandbox.fail_next("auth.test", "invalid_auth")
    logged = await nightly_pass(acme.slack.services, caplog)
    refused = "no workspace synced: Slack refused SLACK_BOT_TOKEN (invalid_auth)"
    assert f"job workspace-sync done: {refused}" in logged
    assert any(line.startswith("job overlap-scan done") for line in logged)


async def installed(services: Services, team_id: str, bot_token: str | None) -> None:
    """A workspace the app knows, with its OAuth installation when it has a bot token."""
    await services.workspaces.resolve("", team_id)
    if bot_token:
        await services.installations.async_save(
            Installation(
                app_id="A0SANDBOX01",
                team_id=team_id,
                bot_token=bot_token,
                bot_id="B0ROUNDTABLE",
                bot_user_id="U0ROUNDTABLE",
                bot_scopes=["channels:read", "users:read"],
                user_id="U0INSTALLER",
            )
        )


async def test_in_oauth_mode_each_workspace_syncs_with_its_own_token_and_failures_are_named(
    sandbox: Sandbox, db: Database, contract, caplog: pytest.LogCaptureFixture
):
    maria = sandbox.add_user("maria")
    social = sandbox.add_channel("mktg-social", creator=maria, purpose=TIKTOK)
    api_url = contract.api_url if contract else None
    async with local_deployment(sandbox, db, settings=OAUTH, api_url=api_url) as deployment:
        services = deployment.services
        await installed(services, "T0REVOKED", "xoxb-revoked-long-ago")
        await installed(services, "T0NOTOKEN", None)
        await installed(services, sandbox.team_id, sandbox.bot_token)

        logged = await nightly_pass(services, caplog)

        assert "workspace T0NOTOKEN not synced: no bot token for it" in logged
        outcome = "job workspace-sync done: 1 of 3 workspaces synced; failed: T0REVOKED"
        assert f"{outcome} (invalid_auth)" in logged
        reply = await sandbox.driver.command("/coe", "who #mktg-social", user_id=maria)
        found = seen(reply.json)
        assert f"<#{social}>" in found and f"_{TIKTOK}_" in found


async def test_worker_once_in_oauth_mode_syncs_the_stored_installation(
    sandbox: Sandbox, tmp_path: Path, contract
):
    maria = sandbox.add_user("maria")
    sandbox.add_channel("mktg-social", creator=maria, purpose=TIKTOK)
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'rt.db'}")
    await database.migrate()
    services = Services.build(OAUTH, db=database)
    await installed(services, sandbox.team_id, sandbox.bot_token)
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "SLACK_CLIENT_ID": OAUTH.slack_client_id,
        "SLACK_CLIENT_SECRET": OAUTH.slack_client_secret,
        "SLACK_API_URL": contract.api_url if contract else sandbox.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rt.db'}",
    }

    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "worker",
        "--once",
        env=env,
        cwd=tmp_path,
        stdout=PIPE,
        stderr=PIPE,
    )
    out, errors = await worker.communicate()

    assert worker.returncode == 0, errors.decode()
    assert "job workspace-sync done: 1 of 1 workspaces synced" in out.decode()
    async with database.session() as session:
        workspace = await services.workspaces.resolve("", sandbox.team_id)
        stored = await efforts.channels_named(session, workspace, "mktg-social")
    await database.dispose()
    assert [effort.description for effort in stored] == [TIKTOK]


async def test_a_workspace_slack_says_the_app_left_is_taken_as_uninstalled(
    sandbox: Sandbox, db: Database, contract, caplog: pytest.LogCaptureFixture
):
    """An uninstall missed while nobody listened: the nightly sync hears `account_inactive`,
    drops the stored tokens and stops syncing the workspace, whose history stays."""
    api_url = contract.api_url if contract else None
    async with local_deployment(sandbox, db, settings=OAUTH, api_url=api_url) as deployment:
        services = deployment.services
        await installed(services, sandbox.team_id, sandbox.bot_token)
        sandbox.fail_next("users.list", "account_inactive")

        logged = await nightly_pass(services, caplog)
        outcome = f"0 of 1 workspaces synced; failed: {sandbox.team_id} (account_inactive)"
        assert f"job workspace-sync done: {outcome}" in logged
        stored = await services.installations.async_find_installation(
            enterprise_id=None, team_id=sandbox.team_id
        )
        assert stored is None
        assert "job workspace-sync done: 0 of 0 workspaces synced" in await nightly_pass(
            services, caplog
        )
