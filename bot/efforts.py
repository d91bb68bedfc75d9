"""Efforts: every channel Roundtable can see and every initiative people register."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.arguments import ChannelRef, closest_names
from bot.gateway import SlackFailure, SlackGateway
from storage import efforts
from storage.db import Database
from storage.efforts import ChannelRecord
from storage.models import Effort, utcnow


class EffortNotFound(Exception):
    """Nothing matches what the person typed; `suggestions` are the closest names."""

    def __init__(self, typed: str, kind: str, suggestions: list[str]) -> None:
        super().__init__(typed)
        self.typed = typed
        self.kind = kind
        self.suggestions = suggestions


@dataclass(frozen=True)
class NewInitiative:
    title: str
    description: str = ""
    tags: tuple[str, ...] = ()
    working_channel_id: str | None = None


def channel_record(channel: dict[str, Any]) -> ChannelRecord:
    return ChannelRecord(
        channel_id=channel["id"],
        name=channel.get("name") or channel["id"],
        purpose=(channel.get("purpose") or {}).get("value") or "",
        topic=(channel.get("topic") or {}).get("value") or "",
        is_private=bool(channel.get("is_private")),
        is_archived=bool(channel.get("is_archived")),
        created_by=channel.get("creator") or None,
    )


class Efforts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def backfill(self, workspace: int, gateway: SlackGateway) -> int:
        """Record every public channel, and the private ones Roundtable is a member of."""
        seen = 0
        async for page in gateway.channel_pages():
            async with self._db.session() as session:
                await efforts.upsert_channels(session, workspace, map(channel_record, page))
            seen += len(page)
        return seen

    async def remember_channel(self, workspace: int, channel: dict[str, Any]) -> Effort:
        """A channel was created, renamed or unarchived: store what Slack says about it."""
        async with self._db.session() as session:
            await efforts.upsert_channels(session, workspace, [channel_record(channel)])
            return await efforts.by_channel(session, workspace, channel["id"])

    async def rename_channel(self, workspace: int, channel_id: str, name: str) -> Effort:
        async with self._db.session() as session:
            effort = await efforts.by_channel(session, workspace, channel_id)
            if effort is None:
                await efforts.upsert_channels(session, workspace, [ChannelRecord(channel_id, name)])
                return await efforts.by_channel(session, workspace, channel_id)
            effort.title = name
            effort.updated_at = utcnow()
            await session.commit()
            return effort

    async def set_channel_status(self, workspace: int, channel_id: str, status: str) -> None:
        async with self._db.session() as session:
            await efforts.set_channel_status(session, workspace, channel_id, status)

    async def channel(
        self, workspace: int, ref: ChannelRef, gateway: SlackGateway | None = None
    ) -> Effort:
        """The effort of a channel the person named, asking Slack about IDs we have not seen."""
        async with self._db.session() as session:
            if ref.id:
                found = await efforts.by_channel(session, workspace, ref.id)
            else:
                matches = await efforts.channels_named(session, workspace, ref.name or "")
                found = matches[0] if matches else None
            if found:
                return found
            names = await efforts.titles(session, workspace, "channel")
        if ref.id and gateway:
            return await self._learn_channel(workspace, ref, gateway)
        typed = ref.name or ref.id or ""
        raise EffortNotFound(typed, "channel", closest_names(typed, names))

    async def _learn_channel(self, workspace: int, ref: ChannelRef, gateway: SlackGateway):
        try:
            channel = await gateway.channel_info(ref.id)
        except SlackFailure as failure:
            raise EffortNotFound(ref.name or ref.id, "channel", []) from failure
        return await self.remember_channel(workspace, channel)

    async def get(self, workspace: int, effort_id: int) -> Effort:
        async with self._db.session() as session:
            found = (await efforts.efforts(session, [effort_id])).get(effort_id)
        if found is None or found.workspace_id != workspace:
            raise EffortNotFound(str(effort_id), "effort", [])
        return found

    async def initiative(self, workspace: int, title: str) -> Effort:
        async with self._db.session() as session:
            found = await efforts.initiative_titled(session, workspace, title)
            if found:
                return found
            titles = await efforts.titles(session, workspace, "initiative")
        raise EffortNotFound(title, "initiative", closest_names(title, titles))

    async def register_initiative(
        self, workspace: int, creator: str, new: NewInitiative
    ) -> tuple[Effort, bool]:
        """The initiative with this title, created when new; True when it was created."""
        async with self._db.session() as session:
            existing = await efforts.initiative_titled(session, workspace, new.title)
            if existing:
                return existing, False
            effort = Effort(
                workspace_id=workspace,
                kind="initiative",
                title=new.title,
                description=new.description,
                tags=list(new.tags),
                working_channel_id=new.working_channel_id,
                created_by=creator,
            )
            session.add(effort)
            await session.commit()
            return effort, True

    async def search(self, workspace: int, words: list[str]) -> list[Effort]:
        async with self._db.session() as session:
            return [effort for effort, _ in await efforts.search(session, workspace, words)]

    async def unclaimed_created_by(self, workspace: int, slack_id: str) -> list[Effort]:
        async with self._db.session() as session:
            return list(await efforts.unclaimed_created_by(session, workspace, slack_id))
