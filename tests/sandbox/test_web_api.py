"""The Web API as slack_sdk's AsyncWebClient sees it: shapes, pagination and error codes."""

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox
from tests.contract.prism import Contract


def button(action_id: str, label: str) -> dict:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label}}


TWO_BUTTONS_ONE_ID = [{"type": "actions", "elements": [button("scope", "A"), button("scope", "B")]}]
TWO_BLOCKS_ONE_ID = [
    {"type": "actions", "block_id": "choices", "elements": [button("a", "A")]},
    {"type": "actions", "block_id": "choices", "elements": [button("b", "B")]},
]


async def slack_error(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call
    return raised.value.response["error"]


async def test_auth_test_names_the_bot_and_the_team(sandbox: Sandbox, client: AsyncWebClient):
    identity = await client.auth_test()

    assert identity["user_id"] == sandbox.bot_user_id
    assert identity["bot_id"] == sandbox.bot_id
    assert identity["team_id"] == "T0SANDBOX1"
    assert identity["team"] == "Sandbox Co"


async def test_unknown_or_missing_token_is_refused(sandbox: Sandbox):
    wrong = AsyncWebClient(token="xoxb-not-a-sandbox-token", base_url=sandbox.api_url)
    anonymous = AsyncWebClient(base_url=sandbox.api_url)

    assert await slack_error(wrong.auth_test()) == "invalid_auth"
    assert await slack_error(anonymous.auth_test()) == "not_authed"


async def test_token_may_come_as_a_form_argument(sandbox: Sandbox):
    anonymous = AsyncWebClient(base_url=sandbox.api_url)

    identity = await anonymous.api_call("auth.test", params={"token": sandbox.bot_token})

    assert identity["user_id"] == sandbox.bot_user_id
    assert "token" not in sandbox.calls[-1].params


async def test_unknown_method_answers_200_with_unknown_method(sandbox: Sandbox):
    client = AsyncWebClient(
        token=sandbox.bot_token, base_url=sandbox.api_url
    )  # Prism knows no route

    with pytest.raises(SlackApiError) as raised:
        await client.api_call("roundtable.frobnicate")

    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "unknown_method"


async def test_conversations_list_pages_follow_next_cursor(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    names = [f"team-{n}" for n in range(5)]
    for name in names:
        sandbox.add_channel(name, creator=maria)

    pages = [  # slack_sdk reuses one response object while paging: copy each page's data
        dict(page.data) async for page in await client.conversations_list(limit=2)
    ]

    assert [len(page["channels"]) for page in pages] == [2, 2, 1]
    assert [c["name"] for page in pages for c in page["channels"]] == names
    assert pages[-1]["response_metadata"]["next_cursor"] == ""


async def test_a_cursor_the_sandbox_never_gave_is_refused_as_each_methods_contract_says(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("busy", creator=maria, members=[sandbox.bot_user_id])

    assert await slack_error(client.users_list(cursor="bogus")) == "invalid_cursor"
    members = client.conversations_members(channel=channel, cursor="bogus")
    assert await slack_error(members) == "invalid_cursor"
    # Slack's contract of these two names no invalid_cursor.
    assert await slack_error(client.conversations_list(cursor="bogus")) == "invalid_arguments"
    history = client.conversations_history(channel=channel, cursor="bogus")
    assert await slack_error(history) == "invalid_arguments"


async def test_the_contract_pass_fails_a_call_that_breaks_slacks_contract(
    client: AsyncWebClient, contract: Contract | None
):
    if contract is None:
        pytest.skip("Prism checks calls in the contract pass only: make contract")

    no_filename = client.api_call("files.getUploadURLExternal", params={"length": 3})
    assert await slack_error(no_filename) == "invalid_filename"

    with pytest.raises(AssertionError, match="required property 'filename'"):
        contract.check()


async def test_conversations_list_filters_types_archived_and_hidden_private_channels(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    sandbox.add_channel("open", creator=maria)
    sandbox.add_channel("secret", creator=maria, private=True)
    sandbox.add_channel("shared-secret", creator=maria, private=True, members=[sandbox.bot_user_id])
    old = sandbox.add_channel("old", creator=maria)
    sandbox.workspace.channels[old].is_archived = True

    public = await client.conversations_list(exclude_archived=True)
    private = await client.conversations_list(types="private_channel")

    assert [c["name"] for c in public["channels"]] == ["open"]
    assert [c["name"] for c in private["channels"]] == ["shared-secret"]
    assert private["channels"][0]["is_private"] is True


async def test_users_list_and_channel_members_paginate(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    others = [sandbox.add_user(f"person{n}") for n in range(4)]
    channel = sandbox.add_channel("crowd", creator=maria, members=others)

    users = [u["id"] async for page in await client.users_list(limit=3) for u in page["members"]]
    members = [
        m
        async for page in await client.conversations_members(channel=channel, limit=2)
        for m in page["members"]
    ]

    assert users == [sandbox.bot_user_id, maria, *others]
    assert members == [maria, *others]


async def test_conversations_info_and_unknown_channel(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel(
        "mktg-social", creator=maria, purpose="Social media plans", topic="Launch week"
    )

    info = await client.conversations_info(channel=channel, include_num_members=True)

    assert info["channel"]["name"] == "mktg-social"
    assert info["channel"]["purpose"] == {
        "value": "Social media plans",
        "creator": maria,
        "last_set": info["channel"]["created"],
    }
    assert info["channel"]["num_members"] == 1
    assert info["channel"]["is_member"] is False
    assert await slack_error(client.conversations_info(channel="C0NOTHERE00")) == (
        "channel_not_found"
    )


async def test_post_message_refusals(sandbox: Sandbox, client: AsyncWebClient, maria: str):
    outside = sandbox.add_channel("outside", creator=maria)
    hidden = sandbox.add_channel("hidden", creator=maria, private=True)
    archived = sandbox.add_channel("archived", creator=maria, members=[sandbox.bot_user_id])
    sandbox.workspace.channels[archived].is_archived = True
    inside = sandbox.add_channel("inside", creator=maria, members=[sandbox.bot_user_id])

    assert await slack_error(client.chat_postMessage(channel="C0NOTHERE00", text="x")) == (
        "channel_not_found"
    )
    assert await slack_error(client.chat_postMessage(channel=outside, text="x")) == (
        "not_in_channel"
    )
    assert await slack_error(client.chat_postMessage(channel=hidden, text="x")) == (
        "channel_not_found"
    )
    assert await slack_error(client.chat_postMessage(channel=archived, text="x")) == "is_archived"
    assert await slack_error(client.chat_postMessage(channel=inside, text="x" * 40_001)) == (
        "msg_too_long"
    )
    no_text = client.api_call("chat.postMessage", json={"channel": inside})
    assert await slack_error(no_text) == "no_text"
    assert sandbox.messages(inside) == []


async def test_posting_to_a_user_id_lands_in_their_dm(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    posted = await client.chat_postMessage(channel=maria, text="Your weekly digest")
    opened = await client.conversations_open(users=maria)

    assert posted["channel"].startswith("D")
    assert opened["channel"]["id"] == posted["channel"]
    assert opened["already_open"] is True
    assert [m["text"] for m in sandbox.messages(posted["channel"])] == ["Your weekly digest"]


async def test_conversations_open_creates_one_dm_per_person(
    sandbox: Sandbox, client: AsyncWebClient, maria: str, sam: str
):
    first = await client.conversations_open(users=maria)
    other = await client.conversations_open(users=sam)

    assert "already_open" not in first.data
    assert first["channel"]["id"] != other["channel"]["id"]
    assert await slack_error(client.conversations_open(users="U0NOBODY000")) == "user_not_found"


async def test_thread_replies_update_the_parent(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("launch", creator=maria, members=[sandbox.bot_user_id])
    parent = await client.chat_postMessage(channel=channel, text="Who owns the launch?")
    await client.chat_postMessage(channel=channel, text="Maria does", thread_ts=parent["ts"])

    replies = await client.conversations_replies(channel=channel, ts=parent["ts"])
    history = await client.conversations_history(channel=channel)

    assert [m["text"] for m in replies["messages"]] == ["Who owns the launch?", "Maria does"]
    assert replies["messages"][1]["thread_ts"] == parent["ts"]
    assert [m["text"] for m in history["messages"]] == ["Who owns the launch?"]
    assert history["messages"][0]["reply_count"] == 1
    assert len(sandbox.thread(channel, parent["ts"])) == 2
    assert await slack_error(client.conversations_replies(channel=channel, ts="1.000000")) == (
        "thread_not_found"
    )


async def test_history_is_newest_first_and_paginates(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("busy", creator=maria, members=[sandbox.bot_user_id])
    for n in range(5):
        await client.chat_postMessage(channel=channel, text=f"message {n}")

    first = await client.conversations_history(channel=channel, limit=3)
    rest = await client.conversations_history(
        channel=channel, limit=3, cursor=first["response_metadata"]["next_cursor"]
    )

    assert [m["text"] for m in first["messages"]] == ["message 4", "message 3", "message 2"]
    assert first["has_more"] is True
    assert [m["text"] for m in rest["messages"]] == ["message 1", "message 0"]
    assert rest["has_more"] is False


async def test_ephemeral_goes_only_to_a_member(
    sandbox: Sandbox, client: AsyncWebClient, maria: str, sam: str
):
    channel = sandbox.add_channel("design", creator=maria, members=[sandbox.bot_user_id])

    sent = await client.chat_postEphemeral(channel=channel, user=maria, text="Only you see this")
    refused = await slack_error(client.chat_postEphemeral(channel=channel, user=sam, text="x"))

    assert refused == "user_not_in_channel"
    assert [(e["ts"], e["text"]) for e in sandbox.ephemerals(maria)] == [
        (sent["message_ts"], "Only you see this")
    ]
    assert sandbox.ephemerals(sam) == []
    assert sandbox.messages(channel) == []


async def test_repeated_action_id_in_a_block_or_block_id_in_a_message_is_invalid_blocks(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("design", creator=maria, members=[sandbox.bot_user_id])
    posted = await client.chat_postMessage(channel=channel, text="Draft")

    for blocks in (TWO_BUTTONS_ONE_ID, TWO_BLOCKS_ONE_ID):
        calls = [
            client.chat_postMessage(channel=channel, text="x", blocks=blocks),
            client.chat_postEphemeral(channel=channel, user=maria, text="x", blocks=blocks),
            client.chat_update(channel=channel, ts=posted["ts"], text="x", blocks=blocks),
        ]
        assert [await slack_error(call) for call in calls] == ["invalid_blocks"] * 3

    assert [m["text"] for m in sandbox.messages(channel)] == ["Draft"]
    assert sandbox.ephemerals(maria) == []


async def test_one_action_id_may_recur_in_different_blocks(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("design", creator=maria, members=[sandbox.bot_user_id])
    blocks = [{"type": "actions", "elements": [button("claim", "Claim")]} for _ in range(2)]

    await client.chat_postMessage(channel=channel, text="Two cards", blocks=blocks)

    assert sandbox.messages(channel)[0]["blocks"] == blocks


async def test_chat_update_edits_only_the_bots_own_messages(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("edits", creator=maria, members=[sandbox.bot_user_id])
    posted = await client.chat_postMessage(channel=channel, text="Draft")
    await sandbox.human.set_purpose(maria, channel, "Editing things")
    human_message = sandbox.messages(channel)[-1]

    updated = await client.chat_update(channel=channel, ts=posted["ts"], text="Final")

    assert updated["text"] == "Final"
    assert sandbox.messages(channel)[0]["text"] == "Final"
    assert await slack_error(
        client.chat_update(channel=channel, ts=human_message["ts"], text="x")
    ) == ("cant_update_message")
    assert await slack_error(client.chat_update(channel=channel, ts="1.000000", text="x")) == (
        "message_not_found"
    )


async def test_join_warns_when_already_a_member(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("general", creator=maria)

    first = await client.conversations_join(channel=channel)
    second = await client.conversations_join(channel=channel)

    assert first["channel"]["is_member"] is True
    assert "warning" not in first.data
    assert second["warning"] == "already_in_channel"
    assert sandbox.bot_user_id in sandbox.workspace.channels[channel].members


async def test_invite_refusals(sandbox: Sandbox, client: AsyncWebClient, maria: str, sam: str):
    guest = sandbox.add_user("gail", is_restricted=True)
    channel = sandbox.add_channel("roundtable-x", creator=maria)

    assert await slack_error(client.conversations_invite(channel=channel, users=sam)) == (
        "not_in_channel"
    )
    await client.conversations_join(channel=channel)
    assert await slack_error(client.conversations_invite(channel=channel, users=maria)) == (
        "already_in_channel"
    )
    assert await slack_error(
        client.conversations_invite(channel=channel, users=sandbox.bot_user_id)
    ) == ("cant_invite_self")
    assert await slack_error(client.conversations_invite(channel=channel, users="U0NOBODY000")) == (
        "user_not_found"
    )
    assert await slack_error(client.conversations_invite(channel=channel, users=guest)) == (
        "user_is_restricted"
    )
    assert await slack_error(client.conversations_invite(channel="C0NOTHERE00", users=sam)) == (
        "channel_not_found"
    )
    sandbox.workspace.channels[channel].is_archived = True
    assert await slack_error(client.conversations_invite(channel=channel, users=sam)) == (
        "is_archived"
    )


async def test_invite_adds_newcomers_and_ignores_people_already_in(
    sandbox: Sandbox, client: AsyncWebClient, maria: str, sam: str
):
    channel = sandbox.add_channel("roundtable-y", creator=maria, members=[sandbox.bot_user_id])

    invited = await client.conversations_invite(channel=channel, users=[maria, sam])

    assert invited["channel"]["id"] == channel
    assert sandbox.workspace.channels[channel].members == [maria, sandbox.bot_user_id, sam]


async def test_invite_with_one_bad_user_invites_nobody_and_lists_errors(
    sandbox: Sandbox, client: AsyncWebClient, maria: str, sam: str
):
    channel = sandbox.add_channel("roundtable-z", creator=maria, members=[sandbox.bot_user_id])

    with pytest.raises(SlackApiError) as raised:
        await client.conversations_invite(channel=channel, users=[sam, "U0NOBODY000"])

    assert raised.value.response["errors"] == [
        {"user": "U0NOBODY000", "ok": False, "error": "user_not_found"}
    ]
    assert sam not in sandbox.workspace.channels[channel].members


async def test_users_info(sandbox: Sandbox, client: AsyncWebClient, maria: str):
    info = await client.users_info(user=maria)

    assert info["user"]["real_name"] == "Maria Lopez"
    assert info["user"]["profile"]["title"] == "Marketing Manager"
    assert info["user"]["tz"] == "America/Chicago"
    assert info["user"]["tz_offset"] in (-21600, -18000)
    assert await slack_error(client.users_info(user="U0NOBODY000")) == "user_not_found"


async def test_usergroups(sandbox: Sandbox, client: AsyncWebClient, maria: str, sam: str):
    group = sandbox.add_usergroup("marketing", name="Marketing", users=[maria, sam])

    listed = await client.usergroups_list(include_users=True)
    members = await client.usergroups_users_list(usergroup=group)

    assert [(g["handle"], g["users"]) for g in listed["usergroups"]] == [
        ("marketing", [maria, sam])
    ]
    assert members["users"] == [maria, sam]
    assert await slack_error(client.usergroups_users_list(usergroup="S0NOTHERE00")) == (
        "no_such_subteam"
    )
