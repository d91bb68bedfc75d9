"""Channels stored as Slack reports them (sync, created, joined, archived), on both databases,
without undoing a merge people decided or ageing efforts whose texts did not change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storage import directory, efforts
from storage.db import Database
from storage.efforts import ChannelRecord
from storage.models import Effort, as_utc

SOCIAL = ChannelRecord("C0SOCIAL001", "social", purpose="Brand campaigns on Twitter")


@pytest.fixture
async def ws(db: Database) -> int:
    async with db.session() as session:
        workspace = await directory.workspace_id(session, "", "T1")
        await efforts.upsert_channels(session, workspace, [SOCIAL])
    return workspace


async def synced(db: Database, ws: int, channel: ChannelRecord) -> Effort:
    async with db.session() as session:
        await efforts.upsert_channels(session, ws, [channel])
    return await stored(db, ws)


async def stored(db: Database, ws: int) -> Effort:
    async with db.session() as session:
        return await efforts.by_channel(session, ws, SOCIAL.channel_id)


async def mark_merged(db: Database, ws: int) -> None:
    async with db.session() as session:
        effort = await efforts.by_channel(session, ws, SOCIAL.channel_id)
        effort.status = "merged"
        await session.commit()


async def set_status(db: Database, ws: int, status: str) -> Effort:
    async with db.session() as session:
        await efforts.set_channel_status(session, ws, SOCIAL.channel_id, status)
    return await stored(db, ws)


async def test_an_unchanged_sync_leaves_the_edit_time_alone(db, ws):
    before = await stored(db, ws)
    again = await synced(db, ws, replace(SOCIAL, is_private=True))
    assert as_utc(again.updated_at) == as_utc(before.updated_at)
    assert again.is_private


@pytest.mark.parametrize(
    "edit", [{"name": "brand-social"}, {"purpose": "Brand on TikTok"}, {"topic": "Launch week"}]
)
async def test_a_changed_name_purpose_or_topic_moves_the_edit_time(db, ws, edit):
    before = await stored(db, ws)
    edited = await synced(db, ws, replace(SOCIAL, **edit))
    assert as_utc(edited.updated_at) > as_utc(before.updated_at)


async def test_archiving_and_unarchiving_follow_slack(db, ws):
    before = await stored(db, ws)
    archived = await synced(db, ws, replace(SOCIAL, is_archived=True))
    assert archived.status == "archived"
    assert as_utc(archived.updated_at) > as_utc(before.updated_at)
    assert (await synced(db, ws, SOCIAL)).status == "active"
    assert (await set_status(db, ws, "archived")).status == "archived"
    assert (await set_status(db, ws, "active")).status == "active"


async def test_a_merged_channel_stays_merged_whatever_slack_says(db, ws):
    await mark_merged(db, ws)
    before = await stored(db, ws)
    for channel in (SOCIAL, replace(SOCIAL, is_archived=True), SOCIAL):
        assert (await synced(db, ws, channel)).status == "merged"
    for status in ("archived", "active"):
        assert (await set_status(db, ws, status)).status == "merged"
    assert as_utc((await stored(db, ws)).updated_at) == as_utc(before.updated_at)
