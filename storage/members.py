"""Members of the private channels Roundtable is in, and what that lets each person see."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelMember, Effort
from storage.upsert import insert


def visible_to(workspace: int, viewer: str) -> ColumnElement[bool]:
    """A condition on Effort: public, or a private channel `viewer` is a member of."""
    theirs = select(ChannelMember.channel_id).where(
        ChannelMember.workspace_id == workspace, ChannelMember.person_slack_id == viewer
    )
    return or_(col(Effort.is_private).is_(False), col(Effort.channel_id).in_(theirs))


async def hidden(
    session: AsyncSession, workspace: int, viewer: str, effort_ids: Iterable[int]
) -> set[int]:
    """Those of `effort_ids` that `viewer` may not see."""
    ids = list(set(effort_ids))
    if not ids:
        return set()
    found = await session.exec(
        select(Effort.id).where(col(Effort.id).in_(ids), ~visible_to(workspace, viewer))
    )
    return set(found.all())


async def of_channels(
    session: AsyncSession, workspace: int, channel_ids: Iterable[str]
) -> dict[str, set[str]]:
    """The members known of each of `channel_ids` (none for a public channel)."""
    ids = list(set(channel_ids))
    if not ids:
        return {}
    rows = await session.exec(
        select(ChannelMember.channel_id, ChannelMember.person_slack_id).where(
            ChannelMember.workspace_id == workspace, col(ChannelMember.channel_id).in_(ids)
        )
    )
    found: dict[str, set[str]] = {}
    for channel_id, slack_id in rows:
        found.setdefault(channel_id, set()).add(slack_id)
    return found


async def replace_members(
    session: AsyncSession, workspace: int, channel_id: str, members: Iterable[str]
) -> None:
    """Set a channel's members at once; no members forgets the channel's."""
    await session.exec(
        delete(ChannelMember).where(
            ChannelMember.workspace_id == workspace, ChannelMember.channel_id == channel_id
        )
    )
    session.add_all(
        ChannelMember(workspace_id=workspace, channel_id=channel_id, person_slack_id=member)
        for member in set(members)
    )
    await session.commit()


async def add_member(session: AsyncSession, workspace: int, channel_id: str, slack_id: str) -> None:
    statement = (
        insert(session, ChannelMember)
        .values(workspace_id=workspace, channel_id=channel_id, person_slack_id=slack_id)
        .on_conflict_do_nothing(index_elements=["workspace_id", "channel_id", "person_slack_id"])
    )
    await session.exec(statement)
    await session.commit()


async def remove_member(
    session: AsyncSession, workspace: int, channel_id: str, slack_id: str
) -> None:
    await session.exec(
        delete(ChannelMember).where(
            ChannelMember.workspace_id == workspace,
            ChannelMember.channel_id == channel_id,
            ChannelMember.person_slack_id == slack_id,
        )
    )
    await session.commit()
