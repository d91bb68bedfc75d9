"""What people are told when Slack answers with an error code, and a command acknowledged in
time however slowly Slack answers: the real app over HTTP against the sandbox, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.local import local_deployment
from bot.sandbox import Sandbox
from storage.db import Database
from tests.e2e.acme import Acme, buttons, mention, seen
from tests.e2e.conftest import Contract


async def test_a_form_slack_no_longer_opens_says_so_with_a_button_to_try_again(acme: Acme):
    acme.sandbox.fail_next("views.open", "expired_trigger_id")
    opening = await acme.coe(acme.maria, "claim")
    assert "Opening the form" in seen(opening)
    assert acme.sandbox.modal(acme.maria) is None

    told = acme.sandbox.responses_for(acme.maria)[-1]["payload"]
    assert "I couldn't open the form. Slack stopped waiting" in seen(told)
    assert buttons(told) == ["open_initiative_form"]
    await acme.click(acme.maria, "open_initiative_form", acme.last_reply(acme.maria))
    form = acme.sandbox.modal(acme.maria)
    assert form is not None and form["title"]["text"] == "Register initiative"


async def test_a_channel_slack_cannot_find_differs_from_a_permission_slack_refuses(acme: Acme):
    quiet = acme.sandbox.add_channel("quiet-corner", creator=acme.bob)  # no event was sent
    picked = mention(quiet, "quiet-corner")

    acme.sandbox.fail_next("conversations.info", "missing_scope")
    refused = seen(await acme.coe(acme.bob, f"claim {picked}"))
    assert "Roundtable lacks a permission it needs here" in refused
    assert "I can't find" not in refused

    acme.sandbox.fail_next("conversations.info", "channel_not_found")
    missing = seen(await acme.coe(acme.bob, f"claim {picked}"))
    assert "I can't find the channel `#quiet-corner`." in missing

    assert f"You now own <#{quiet}>" in seen(await acme.coe(acme.bob, f"claim {picked}"))


async def test_a_command_waiting_on_a_rate_limit_is_acked_in_time_and_answered_after(
    sandbox: Sandbox, db: Database, contract: Contract | None
):
    maria = sandbox.add_user("maria")
    quiet = sandbox.add_channel("quiet-corner", creator=maria)  # Roundtable must ask Slack
    sandbox.fail_next("conversations.info", "ratelimited", status=429, times=3)
    api_url = contract.api_url if contract else None
    # As in production: Slack gets its answer when the listener acks, not when it is done.
    async with local_deployment(sandbox, db, api_url=api_url, process_before_response=False):
        acked = await sandbox.driver.command(
            "/coe", f"claim {mention(quiet, 'quiet-corner')}", user_id=maria
        )
        assert acked.acked_in_time, acked.elapsed
        assert "Working on it" in acked.json["text"]
        answer = await reply_to(sandbox, maria)
    assert f"You now own <#{quiet}>" in seen(answer)
    assert len(sandbox.calls_to("conversations.info")) == 4  # three 429s, then the answer


async def reply_to(sandbox: Sandbox, user: str, within: float = 10.0) -> dict[str, Any]:
    """The first reply the app sends to `user` through a response URL."""
    for _ in range(int(within / 0.05)):
        if replies := sandbox.responses_for(user):
            return replies[0]["payload"]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply to {user} within {within}s")
