"""Efforts: every channel Roundtable can see and every initiative people register."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.arguments import ChannelRef, closest_names
from bot.gateway import SlackFailure, SlackGateway
from storage import efforts, members
from storage.db import Database
from storage.efforts import ChannelRecord
from storage.models import Effort, utcnow

# A private channel Roundtable was removed from: no longer kept current, and in no list.
UNTRACKED = "untracked"


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
            for channel in page:
                if channel.get("is_private"):
                    await self._refresh_members(workspace, channel["id"], gateway)
            seen += len(page)
        return seen

    async def learn_channel(self, workspace: int, channel_id: str, gateway: SlackGateway) -> Effort:
        """Ask Slack about a channel (one never seen, or one Roundtable was just invited to) and
        store it, with its members when it is private."""
        effort = await self.remember_channel(workspace, await gateway.channel_info(channel_id))
        if effort.is_private:
            await self._refresh_members(workspace, channel_id, gateway)
        return effort

    async def _refresh_members(self, workspace: int, channel_id: str, gateway: SlackGateway):
        found = await gateway.channel_members(channel_id)
        async with self._db.session() as session:
            await members.replace_members(session, workspace, channel_id, found)

    async def member_joined(self, workspace: int, channel_id: str, slack_id: str) -> None:
        async with self._db.session() as session:
            await members.add_member(session, workspace, channel_id, slack_id)

    async def member_left(self, workspace: int, channel_id: str, slack_id: str) -> None:
        async with self._db.session() as session:
            await members.remove_member(session, workspace, channel_id, slack_id)

    async def stop_tracking(self, workspace: int, channel_id: str) -> None:
        """Roundtable was removed from a channel. A private one is out of its sight: it leaves
        every list, its claims and history kept, until Roundtable is invited back. A public
        one stays in sight (channels:read), so nothing changes."""
        async with self._db.session() as session:
            effort = await efforts.by_channel(session, workspace, channel_id)
            if effort is None or not effort.is_private:
                return
            await efforts.set_channel_status(session, workspace, channel_id, UNTRACKED)
            await members.replace_members(session, workspace, channel_id, [])

    async def visible_to(self, workspace: int, viewer: str, found: list[Effort]) -> list[Effort]:
        """Those of `found` that `viewer` may see: private channels only by their members."""
        async with self._db.session() as session:
            hidden = await members.hidden(session, workspace, viewer, [e.id for e in found])
        return [effort for effort in found if effort.id not in hidden]

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
        self, workspace: int, ref: ChannelRef, viewer: str, gateway: SlackGateway | None = None
    ) -> Effort:
        """The effort of a channel `viewer` named, asking Slack about IDs we have not seen.
        A private channel is found only by its members; to others it does not exist."""
        async with self._db.session() as session:
            found = await _stored_channel(session, workspace, ref)
            if found and not await members.hidden(session, workspace, viewer, [found.id]):
                return found
            names = await efforts.titles(session, workspace, "channel", viewer)
        typed = ref.name or ref.id or ""
        if found is None and ref.id and gateway:
            learned = await self._learn_channel(workspace, ref, gateway)
            if await self.visible_to(workspace, viewer, [learned]):
                return learned
        raise EffortNotFound(typed, "channel", closest_names(typed, names))

    async def _learn_channel(self, workspace: int, ref: ChannelRef, gateway: SlackGateway):
        try:
            return await self.learn_channel(workspace, ref.id, gateway)
        except SlackFailure as failure:
            if failure.code != "channel_not_found":
                raise  # a lost permission or token: the person is told that, not "no such channel"
            raise EffortNotFound(ref.name or ref.id, "channel", []) from failure

    async def get(self, workspace: int, effort_id: int) -> Effort:
        async with self._db.session() as session:
            found = (await efforts.efforts(session, [effort_id])).get(effort_id)
        if found is None or found.workspace_id != workspace:
            raise EffortNotFound(str(effort_id), "effort", [])
        return found

    async def initiative(self, workspace: int, title: str, viewer: str) -> Effort:
        async with self._db.session() as session:
            found = await efforts.initiative_titled(session, workspace, title)
            if found:
                return found
            titles = await efforts.titles(session, workspace, "initiative", viewer)
        raise EffortNotFound(title, "initiative", closest_names(title, titles))

    async def register_initiative(
        self, workspace: int, creator: str, new: NewInitiative
    ) -> tuple[Effort, bool]:
        """The initiative with this title, created when new (by this request, not by another
        one at the same moment); True when it was created."""
        async with self._db.session() as session:
            existing = await efforts.initiative_titled(session, workspace, new.title)
            if existing:
                return existing, False
            created = await efforts.add_initiative(
                session,
                Effort(
                    workspace_id=workspace,
                    kind="initiative",
                    title=new.title,
                    description=new.description,
                    tags=list(new.tags),
                    working_channel_id=new.working_channel_id,
                    created_by=creator,
                ),
            )
            return await efforts.initiative_titled(session, workspace, new.title), created

    async def search(self, workspace: int, words: list[str], viewer: str) -> list[Effort]:
        async with self._db.session() as session:
            found = await efforts.search(session, workspace, words, viewer)
        return [effort for effort, _ in found]

    async def unclaimed_created_by(self, workspace: int, slack_id: str) -> list[Effort]:
        async with self._db.session() as session:
            return list(await efforts.unclaimed_created_by(session, workspace, slack_id))


async def _stored_channel(session, workspace: int, ref: ChannelRef) -> Effort | None:
    if ref.id:
        return await efforts.by_channel(session, workspace, ref.id)
    matches = await efforts.channels_named(session, workspace, ref.name or "")
    return matches[0] if matches else None
