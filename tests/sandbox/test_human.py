"""People changing the workspace: the state changes and the events Slack would send."""

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox
from tests.sandbox.fake_app import FakeApp


def events(app: FakeApp) -> list[dict]:
    return [r.payload["event"] for r in app.received if r.payload.get("type") == "event_callback"]


async def test_creating_a_public_channel_sends_channel_created(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    channel_id = await sandbox.human.create_channel(maria, "mktg-social", purpose="Social plans")

    [event] = events(app)
    assert event["type"] == "channel_created"
    assert event["channel"]["id"] == channel_id
    assert event["channel"]["name"] == "mktg-social"
    assert event["channel"]["creator"] == maria
    assert event["channel"]["purpose"]["value"] == "Social plans"
    assert sandbox.workspace.channels[channel_id].members == [maria]
    assert "maria created channel #mktg-social" in sandbox.transcript()


async def test_creating_a_private_channel_sends_nothing(sandbox: Sandbox, app: FakeApp, maria: str):
    await sandbox.human.create_channel(maria, "secret-plans", private=True)

    assert events(app) == []


@pytest.mark.parametrize("name", ["Has Caps", "has space", "x" * 81, ""])
async def test_channel_names_follow_slacks_rules(sandbox: Sandbox, maria: str, name: str):
    with pytest.raises(ValueError):
        await sandbox.human.create_channel(maria, name)


async def test_rename_archive_unarchive_and_delete_a_public_channel(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    channel = sandbox.add_channel("launch", creator=maria)

    await sandbox.human.rename_channel(maria, channel, "launch-2025")
    await sandbox.human.archive_channel(maria, channel)
    await sandbox.human.unarchive_channel(maria, channel)
    await sandbox.human.delete_channel(maria, channel)

    assert events(app)[0]["channel"] == {
        "id": channel,
        "name": "launch-2025",
        "created": events(app)[0]["channel"]["created"],
    }
    assert [(e["type"], e["channel"]) for e in events(app)[1:]] == [
        ("channel_archive", channel),
        ("channel_unarchive", channel),
        ("channel_deleted", channel),
    ]
    assert events(app)[1]["user"] == maria
    assert channel not in sandbox.workspace.channels


async def test_private_channels_use_group_events_only_when_the_bot_is_in(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    with_bot = sandbox.add_channel(
        "exec", creator=maria, private=True, members=[sandbox.bot_user_id]
    )
    without_bot = sandbox.add_channel("hr", creator=maria, private=True)

    await sandbox.human.rename_channel(maria, with_bot, "exec-team")
    await sandbox.human.archive_channel(maria, with_bot)
    await sandbox.human.rename_channel(maria, without_bot, "people")

    assert [e["type"] for e in events(app)] == ["group_rename", "group_archive"]


async def test_member_joined_is_sent_only_for_channels_the_bot_is_in(
    sandbox: Sandbox, app: FakeApp, maria: str, sam: str
):
    watched = sandbox.add_channel("watched", creator=maria, members=[sandbox.bot_user_id])
    unwatched = sandbox.add_channel("unwatched", creator=maria)

    await sandbox.human.join_channel(sam, unwatched)
    await sandbox.human.join_channel(sam, watched)

    [event] = events(app)
    assert event["type"] == "member_joined_channel"
    assert (event["user"], event["channel"], event["channel_type"]) == (sam, watched, "C")
    assert sam in sandbox.workspace.channels[unwatched].members


async def test_inviting_the_bot_tells_the_app_it_joined(sandbox: Sandbox, app: FakeApp, maria: str):
    channel = sandbox.add_channel("design", creator=maria, private=True)

    await sandbox.human.invite(maria, channel, [sandbox.bot_user_id])

    [event] = events(app)
    assert event["type"] == "member_joined_channel"
    assert (event["user"], event["inviter"], event["channel_type"]) == (
        sandbox.bot_user_id,
        maria,
        "G",
    )


async def test_leaving_a_channel_with_the_bot_sends_member_left(
    sandbox: Sandbox, app: FakeApp, maria: str, sam: str
):
    channel = sandbox.add_channel("ops", creator=maria, members=[sam, sandbox.bot_user_id])

    await sandbox.human.leave_channel(sam, channel)

    [event] = events(app)
    assert (event["type"], event["user"], event["channel"]) == ("member_left_channel", sam, channel)
    assert sam not in sandbox.workspace.channels[channel].members


async def test_setting_the_purpose_changes_it_and_leaves_a_trace_in_history(
    sandbox: Sandbox, client: AsyncWebClient, app: FakeApp, maria: str
):
    channel = sandbox.add_channel("ops", creator=maria)

    await sandbox.human.set_purpose(maria, channel, "Keep the lights on")

    info = await client.conversations_info(channel=channel)
    assert info["channel"]["purpose"]["value"] == "Keep the lights on"
    assert sandbox.messages(channel)[-1]["subtype"] == "channel_purpose"
    assert events(app) == []


async def test_profile_changes_and_deactivation_send_user_change(
    sandbox: Sandbox, app: FakeApp, maria: str
):
    await sandbox.human.update_profile(maria, title="VP Marketing")
    await sandbox.human.deactivate_user(maria)

    retitled, deactivated = events(app)
    assert retitled["type"] == deactivated["type"] == "user_change"
    assert retitled["user"]["profile"]["title"] == "VP Marketing"
    assert retitled["user"]["deleted"] is False
    assert deactivated["user"]["deleted"] is True
    assert deactivated["user"]["id"] == maria


async def test_a_new_member_sends_team_join(sandbox: Sandbox, app: FakeApp):
    user_id = await sandbox.human.add_member("nina", real_name="Nina Park", title="Designer")

    [event] = events(app)
    assert event["type"] == "team_join"
    assert event["user"]["id"] == user_id
    assert event["user"]["profile"]["title"] == "Designer"


async def test_opening_the_app_home_sends_app_home_opened_with_the_dm(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    await client.views_publish(user_id=maria, view={"type": "home", "blocks": []})

    await sandbox.human.open_app_home(maria)

    [event] = sandbox.driver.events_delivered()
    assert events(app) == [event]
    assert event["type"] == "app_home_opened"
    assert event["tab"] == "home"
    assert event["channel"] == sandbox.dm_channel_id(maria)
    assert event["view"]["id"] == sandbox.home_view(maria)["id"]


async def test_api_joins_and_invites_send_member_joined_channel(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str, sam: str
):
    channel = sandbox.add_channel("growth", creator=maria)

    await client.conversations_join(channel=channel)
    await client.conversations_invite(channel=channel, users=sam)
    await sandbox.settle()

    inviters = {e["user"]: e.get("inviter") for e in events(app)}  # delivered concurrently
    assert inviters == {sandbox.bot_user_id: None, sam: sandbox.bot_user_id}


async def test_without_a_connected_app_actions_only_change_state(sandbox: Sandbox, maria: str):
    channel_id = await sandbox.human.create_channel(maria, "quiet")

    assert await sandbox.human.archive_channel(maria, channel_id) is None
    assert sandbox.workspace.channels[channel_id].is_archived
    assert sandbox.driver.events_delivered() == []
