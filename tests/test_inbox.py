"""The event inbox: each Events API delivery done once, recorded with its workspace, on SQLite and
PostgreSQL."""

from __future__ import annotations

from bot.inbox import EventInbox
from bot.workspaces import Workspaces
from storage import events
from storage.db import Database


def delivery(event_id: str, enterprise_id: str | None, team_id: str | None) -> dict:
    return {
        "type": "event_callback",
        "enterprise_id": enterprise_id,
        "team_id": team_id,
        "event_id": event_id,
        "event": {"type": "channel_created"},
    }


async def test_an_org_wide_delivery_is_done_once_and_kept_with_its_org(db: Database):
    org = await Workspaces(db).resolve("E0ACME0001", None)  # an org-wide install has no team
    inbox, done = EventInbox(db), []

    async def work() -> None:
        done.append("channel_created")

    body = delivery("Ev0ORGWIDE1", "E0ACME0001", None)
    assert await inbox.process(org, body, work)
    assert not await inbox.process(org, body, work)  # Slack's retry

    assert done == ["channel_created"]
    async with db.session() as session:
        recorded = await events.get_delivery(session, "Ev0ORGWIDE1")
    assert (recorded.workspace_id, recorded.status) == (org, "done")


async def test_an_event_id_is_done_once_whichever_workspace_it_names(db: Database):
    """Slack's event IDs are unique across all workspaces, so one ID is one delivery."""
    workspaces = Workspaces(db)
    first = await workspaces.resolve("E0ACME0001", None)
    second = await workspaces.resolve("E0ACME0001", "T0ACME0002")
    inbox, done = EventInbox(db), []

    async def work() -> None:
        done.append("channel_created")

    assert await inbox.process(first, delivery("Ev0SHARED1", "E0ACME0001", None), work)
    assert not await inbox.process(second, delivery("Ev0SHARED1", "E0ACME0001", "T0ACME0002"), work)
    assert done == ["channel_created"]
