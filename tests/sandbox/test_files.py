"""files_upload_v2 against the sandbox: the upload URL, the bytes, the shared message."""

from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox


async def test_upload_v2_shares_the_file_in_a_channel_the_bot_is_in(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("ownership", creator=maria, members=[sandbox.bot_user_id])

    uploaded = await client.files_upload_v2(
        channel=channel,
        content=b"owner,topic\nmaria,social\n",
        filename="owners.csv",
        title="Who owns what",
        initial_comment="This week's ownership map",
    )

    file_id = uploaded["file"]["id"]
    assert sandbox.files[file_id].content == b"owner,topic\nmaria,social\n"
    assert sandbox.files[file_id].title == "Who owns what"
    assert sandbox.files[file_id].channels == [channel]
    [message] = sandbox.messages(channel)
    assert message["text"] == "This week's ownership map"
    assert [f["id"] for f in message["files"]] == [file_id]
    assert "uploaded owners.csv (25 bytes) to #ownership" in sandbox.transcript()


async def test_upload_url_points_at_the_sandbox_outside_the_api_root(
    sandbox: Sandbox, client: AsyncWebClient
):
    url = await client.files_getUploadURLExternal(filename="report.xlsx", length=3)

    assert url["upload_url"] == f"{sandbox.base_url}/upload/v1/{url['file_id']}"
    assert not url["upload_url"].startswith(sandbox.api_url)


async def test_upload_v2_from_a_path(
    sandbox: Sandbox, client: AsyncWebClient, maria: str, tmp_path: Path
):
    channel = sandbox.add_channel("reports", creator=maria, members=[sandbox.bot_user_id])
    report = tmp_path / "report.txt"
    report.write_bytes(b"all good")

    uploaded = await client.files_upload_v2(channel=channel, file=str(report), title="Report")

    assert sandbox.files[uploaded["file"]["id"]].content == b"all good"


async def test_upload_v2_to_a_channel_without_the_bot_is_not_in_channel(
    sandbox: Sandbox, client: AsyncWebClient, maria: str
):
    channel = sandbox.add_channel("elsewhere", creator=maria)

    with pytest.raises(SlackApiError) as raised:
        await client.files_upload_v2(channel=channel, content=b"x", filename="x.txt")

    assert raised.value.response["error"] == "not_in_channel"
    assert sandbox.messages(channel) == []


async def test_completing_an_upload_that_never_happened_is_file_not_found(
    client: AsyncWebClient,
):
    url = await client.files_getUploadURLExternal(filename="ghost.txt", length=5)

    with pytest.raises(SlackApiError) as raised:
        await client.files_completeUploadExternal(files=[{"id": url["file_id"]}])

    assert raised.value.response["error"] == "file_not_found"


async def test_upload_url_needs_filename_and_length(client: AsyncWebClient):
    with pytest.raises(SlackApiError) as raised:
        await client.files_getUploadURLExternal(filename="empty.txt", length=0)

    assert raised.value.response["error"] == "invalid_length"
