"""The readable account of a session, and Block Kit rendered as text."""

from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox, render_blocks
from tests.sandbox.fake_app import FakeApp


def test_blocks_render_as_plain_lines():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Who owns what"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Social media*\nshared by two teams"},
            "accessory": {
                "type": "button",
                "action_id": "claim",
                "text": {"type": "plain_text", "text": "Claim"},
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Owner:* nobody"},
                {"type": "mrkdwn", "text": "*Since:* May"},
            ],
        },
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Updated today"}]},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Yes"}},
                {
                    "type": "static_select",
                    "action_id": "b",
                    "placeholder": {"type": "plain_text", "text": "Pick a team"},
                },
            ],
        },
    ]

    assert render_blocks(blocks) == [
        "WHO OWNS WHAT",
        "*Social media*",
        "shared by two teams  [Claim]",
        "*Owner:* nobody | *Since:* May",
        "---",
        "Updated today",
        "[Yes]  [Pick a team ▾]",
    ]


async def test_mentions_render_as_names(
    sandbox: Sandbox, client: AsyncWebClient, maria: str, sam: str
):
    channel = sandbox.add_channel("mktg-social", creator=maria, members=[sandbox.bot_user_id])
    group = sandbox.add_usergroup("marketing", users=[maria])

    await client.chat_postMessage(
        channel=channel,
        text=(
            f"<@{maria}> and <@{sam}> both run <#{channel}|mktg-social> (<#{channel}>) "
            f"with <!subteam^{group}>; see <https://example.com/doc|the doc> &amp; more"
        ),
    )

    assert sandbox.log[-1].detail == (
        "@maria and @sam both run #mktg-social (#mktg-social) with @marketing; "
        "see the doc (https://example.com/doc) & more"
    )


async def test_transcript_tells_the_session_in_order(
    sandbox: Sandbox, app: FakeApp, client: AsyncWebClient, maria: str
):
    channel = await sandbox.human.create_channel(maria, "mktg-social")
    await sandbox.driver.command("/coe", f"claim <#{channel}|mktg-social>", user_id=maria)
    await client.conversations_join(channel=channel)
    await client.chat_postMessage(
        channel=channel,
        text="Claimed",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": f"<@{maria}> owns it"}}],
    )
    await client.chat_postEphemeral(channel=channel, user=maria, text="Done!")
    await client.chat_postMessage(channel=maria, text="Thanks for claiming")
    await client.views_publish(
        user_id=maria,
        view={
            "type": "home",
            "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Your topics"}}],
        },
    )
    await sandbox.settle()

    assert sandbox.transcript() == "\n".join(
        [
            "maria created channel #mktg-social",
            "maria: /coe claim #mktg-social",
            "Roundtable joined #mktg-social",
            "Roundtable → #mktg-social:",
            "    @maria owns it",
            "Roundtable → only maria, in #mktg-social:",
            "    Done!",
            "Roundtable → DM with maria:",
            "    Thanks for claiming",
            "Roundtable published the App Home of maria:",
            "    YOUR TOPICS",
        ]
    )
    assert [entry.kind for entry in sandbox.log] == [
        "human",
        "command",
        "join",
        "message",
        "ephemeral",
        "message",
        "home",
    ]
    assert sandbox.log[3].channel == channel
