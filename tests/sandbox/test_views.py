"""Modals and the App Home: trigger ids, publishing, updating and submitting views."""

from typing import Any

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox
from tests.sandbox.fake_app import FakeApp, Received

CLAIM_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "claim",
    "title": {"type": "plain_text", "text": "Claim a topic"},
    "submit": {"type": "plain_text", "text": "Claim"},
    "blocks": [
        {
            "type": "input",
            "block_id": "topic",
            "label": {"type": "plain_text", "text": "Topic"},
            "element": {"type": "plain_text_input", "action_id": "topic_text"},
        }
    ],
}
HOME: dict[str, Any] = {
    "type": "home",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your topics"}}],
}


async def fresh_trigger(sandbox: Sandbox, app: FakeApp, user_id: str) -> str:
    await sandbox.driver.command("/coe", "claim", user_id=user_id)
    return app.payloads("command")[-1]["trigger_id"]


async def open_claim_modal(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, user_id: str
) -> dict[str, Any]:
    opened = await client.views_open(
        trigger_id=await fresh_trigger(sandbox, app, user_id), view=CLAIM_MODAL
    )
    return opened["view"]


async def open_error(client: AsyncWebClient, trigger_id: str) -> str:
    with pytest.raises(SlackApiError) as raised:
        await client.views_open(trigger_id=trigger_id, view=CLAIM_MODAL)
    return raised.value.response["error"]


async def test_views_open_with_a_fresh_trigger_shows_the_modal(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    view = await open_claim_modal(sandbox, app, client, maria)

    assert view["id"].startswith("V")
    assert sandbox.modal(maria) == view
    assert 'Roundtable opened modal "Claim a topic" for maria' in sandbox.transcript()


async def test_a_trigger_works_once(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    trigger_id = await fresh_trigger(sandbox, app, maria)
    await client.views_open(trigger_id=trigger_id, view=CLAIM_MODAL)

    assert await open_error(client, trigger_id) == "exchanged_trigger_id"


async def test_a_trigger_expires_after_three_seconds(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    trigger_id = await fresh_trigger(sandbox, app, maria)

    sandbox.clock.advance(3.5)

    assert await open_error(client, trigger_id) == "expired_trigger_id"
    assert sandbox.modal(maria) is None


async def test_an_unknown_trigger_is_invalid(client: AsyncWebClient):
    assert await open_error(client, "12345.98765.abcdef") == "invalid_trigger_id"


async def test_publish_home_replaces_the_users_home_view(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    first = await client.views_publish(user_id=maria, view=HOME)
    second = await client.views_publish(
        user_id=maria, view={**HOME, "blocks": [{"type": "divider"}]}
    )

    assert second["view"]["id"] == first["view"]["id"]
    assert sandbox.home_view(maria)["blocks"] == [{"type": "divider"}]
    with pytest.raises(SlackApiError) as raised:
        await client.views_publish(user_id=maria, view=HOME, hash=first["view"]["hash"])
    assert raised.value.response["error"] == "hash_conflict"


async def test_views_update_by_external_id(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    trigger_id = await fresh_trigger(sandbox, app, maria)
    await client.views_open(trigger_id=trigger_id, view={**CLAIM_MODAL, "external_id": "claim-1"})

    updated = await client.views_update(
        external_id="claim-1", view={**CLAIM_MODAL, "blocks": [{"type": "divider"}]}
    )

    assert sandbox.modal(maria)["blocks"] == [{"type": "divider"}]
    assert updated["view"]["id"] == sandbox.modal(maria)["id"]


async def test_views_push_stacks_a_modal_on_the_open_one(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    opened = await open_claim_modal(sandbox, app, client, maria)
    details = {**CLAIM_MODAL, "title": {"type": "plain_text", "text": "Claim details"}}

    pushed = await client.views_push(
        trigger_id=await fresh_trigger(sandbox, app, maria), view=details
    )

    assert (pushed["view"]["root_view_id"], pushed["view"]["previous_view_id"]) == (
        opened["id"],
        opened["id"],
    )
    assert sandbox.modal(maria)["title"]["text"] == "Claim details"


async def test_views_with_a_repeated_action_id_or_block_id_are_refused(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    claim = {"type": "button", "action_id": "claim", "text": {"type": "plain_text", "text": "C"}}
    twice_in_a_block = [{"type": "actions", "elements": [claim, claim]}]
    same_block_id = [
        {"type": "divider", "block_id": "line"},
        {"type": "divider", "block_id": "line"},
    ]
    shown = await open_claim_modal(sandbox, app, client, maria)

    for blocks in (twice_in_a_block, same_block_id):
        calls = [
            client.views_open(
                trigger_id=await fresh_trigger(sandbox, app, maria),
                view={**CLAIM_MODAL, "blocks": blocks},
            ),
            client.views_update(view_id=shown["id"], view={**CLAIM_MODAL, "blocks": blocks}),
            client.views_publish(user_id=maria, view={**HOME, "blocks": blocks}),
        ]
        for call in calls:
            with pytest.raises(SlackApiError) as raised:
                await call
            # Slack reports a bad view as invalid_arguments, not chat's invalid_blocks.
            assert raised.value.response["error"] == "invalid_arguments"

    assert sandbox.modal(maria) == shown
    assert sandbox.home_view(maria) is None


async def test_submission_with_errors_keeps_the_modal_open(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    view = await open_claim_modal(sandbox, app, client, maria)

    async def reject(_: Received) -> web.Response:
        return web.json_response({"response_action": "errors", "errors": {"topic": "Too short"}})

    app.reply = reject
    ack = await sandbox.driver.submit_view(maria, view, {"topic": {"topic_text": "x"}})

    [submission] = app.payloads("view_submission")
    assert submission["view"]["state"]["values"] == {
        "topic": {"topic_text": {"type": "plain_text_input", "value": "x"}}
    }
    assert submission["view"]["callback_id"] == "claim"
    assert ack.json["response_action"] == "errors"
    assert sandbox.modal(maria)["id"] == view["id"]
    assert sandbox.log[-1].kind == "form_errors"
    assert "topic: Too short" in sandbox.transcript()


async def test_submission_acknowledged_empty_closes_the_modal(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    view = await open_claim_modal(sandbox, app, client, maria)

    ack = await sandbox.driver.submit_view(maria, view, {"topic": {"topic_text": "Launch"}})

    assert ack.status == 200
    assert sandbox.modal(maria) is None
    assert 'maria submitted "Claim a topic"' in sandbox.transcript()
