"""Queries on efforts (channels and initiatives), their claims and the claims' history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, or_, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import visible_to
from storage.models import Claim, ClaimEvent, Effort, utcnow
from storage.upsert import insert, upsert


@dataclass(frozen=True)
class ChannelRecord:
    """What Slack says about a channel, ready to be stored as an effort."""

    channel_id: str
    name: str
    purpose: str = ""
    topic: str = ""
    is_private: bool = False
    is_archived: bool = False
    created_by: str | None = None


def _channel_row(workspace: int, channel: ChannelRecord) -> dict:
    return {
        "workspace_id": workspace,
        "kind": "channel",
        "channel_id": channel.channel_id,
        "title": channel.name,
        "description": channel.purpose[:4000],
        "topic": channel.topic[:1000],
        "is_private": channel.is_private,
        "status": "archived" if channel.is_archived else "active",
        "created_by": channel.created_by,
        "tags": [],
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


async def upsert_channels(
    session: AsyncSession, workspace: int, channels: Iterable[ChannelRecord]
) -> None:
    """Store what Slack says about each channel (see `_status_and_edit_time`)."""
    rows = [_channel_row(workspace, c) for c in channels]
    if not rows:
        return
    changing = ("title", "description", "topic", "is_private")
    keys = ("workspace_id", "channel_id")
    await upsert(session, Effort, rows, keys, changing, _status_and_edit_time)
    await session.commit()


def _status_and_edit_time(proposed) -> dict:
    """A merged channel stays merged whatever Slack says. `updated_at` moves only when the
    name, purpose, topic or status changed: an effort's stored vector is fresh until then."""
    status = case((col(Effort.status) == "merged", Effort.status), else_=proposed.status)
    changed = or_(
        col(Effort.title) != proposed.title,
        col(Effort.description) != proposed.description,
        col(Effort.topic) != proposed.topic,
        col(Effort.status) != status,
    )
    edited = case((changed, proposed.updated_at), else_=Effort.updated_at)
    return {"status": status, "updated_at": edited}


async def set_channel_status(
    session: AsyncSession, workspace: int, channel_id: str, status: str
) -> None:
    """Slack archived, unarchived or deleted the channel; a merged one stays merged."""
    await session.exec(
        update(Effort)
        .where(Effort.workspace_id == workspace, Effort.channel_id == channel_id)
        .where(col(Effort.status).not_in([status, "merged"]))
        .values(status=status, updated_at=utcnow())
    )
    await session.commit()


async def by_channel(session: AsyncSession, workspace: int, channel_id: str) -> Effort | None:
    found = await session.exec(
        select(Effort).where(Effort.workspace_id == workspace, Effort.channel_id == channel_id)
    )
    return found.first()


async def channels_named(session: AsyncSession, workspace: int, name: str) -> Sequence[Effort]:
    found = await session.exec(
        select(Effort).where(
            Effort.workspace_id == workspace,
            Effort.kind == "channel",
            Effort.title == name,
            Effort.status != "deleted",
        )
    )
    return found.all()


async def initiative_titled(session: AsyncSession, workspace: int, title: str) -> Effort | None:
    """The initiative with this title, whatever its case; the active one before any merged or
    archived namesake."""
    found = await session.exec(
        select(Effort)
        .where(
            Effort.workspace_id == workspace,
            Effort.kind == "initiative",
            func.lower(Effort.title) == func.lower(title),
            Effort.status != "deleted",
        )
        .order_by(Effort.status != "active", Effort.id)
    )
    return found.first()


async def add_initiative(session: AsyncSession, initiative: Effort) -> bool:
    """Store `initiative` unless an active one with its title exists, maybe stored a moment ago
    by another request; True when stored. Commits."""
    statement = (
        insert(session, Effort)
        .values(**initiative.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(
            index_elements=[Effort.workspace_id, func.lower(Effort.title)],
            index_where=text("kind = 'initiative' AND status = 'active'"),
        )
        .returning(Effort.id)
    )
    stored = (await session.exec(statement)).first()
    await session.commit()
    return stored is not None


async def titles(session: AsyncSession, workspace: int, kind: str, viewer: str) -> Sequence[str]:
    """The titles of active efforts of one kind that `viewer` may see."""
    found = await session.exec(
        select(Effort.title).where(
            Effort.workspace_id == workspace,
            Effort.kind == kind,
            Effort.status == "active",
            visible_to(workspace, viewer),
        )
    )
    return found.all()


async def search(
    session: AsyncSession, workspace: int, words: Sequence[str], viewer: str, limit: int = 10
) -> list[tuple[Effort, int]]:
    """Active efforts `viewer` may see mentioning any of `words`, ranked by how many they
    mention; a word in the title counts double."""
    weighted = []
    for word in words:
        pattern = f"%{_like_literal(word.lower())}%"
        weighted += [
            (func.lower(Effort.title).like(pattern, escape="\\"), 2),
            (func.lower(Effort.description).like(pattern, escape="\\"), 1),
            (func.lower(Effort.topic).like(pattern, escape="\\"), 1),
        ]
    score = sum(case((condition, weight), else_=0) for condition, weight in weighted)
    statement = (
        select(Effort, score.label("score"))
        .where(Effort.workspace_id == workspace, Effort.status == "active")
        .where(visible_to(workspace, viewer))
        .where(or_(*(condition for condition, _ in weighted)))
        .order_by(score.desc(), Effort.title)
        .limit(limit)
    )
    return [(effort, int(rank)) for effort, rank in (await session.exec(statement)).all()]


def _like_literal(word: str) -> str:
    """`word` matched as typed: its `%` and `_` are no LIKE wildcards."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def active_claims(session: AsyncSession, effort_ids: Iterable[int]) -> list[Claim]:
    ids = list(effort_ids)
    if not ids:
        return []
    found = await session.exec(
        select(Claim)
        .where(col(Claim.effort_id).in_(ids), col(Claim.ended_at).is_(None))
        .order_by(Claim.since)
    )
    return list(found.all())


async def add_claim(
    session: AsyncSession, workspace: int, effort_id: int, owner: str, silo_id: int | None
) -> bool:
    """A standing claim of `owner` on the effort, unless they hold one already (maybe made a
    moment ago by another of their requests); True when added. Does not commit."""
    statement = (
        insert(session, Claim)
        .values(
            workspace_id=workspace,
            effort_id=effort_id,
            silo_id=silo_id,
            owner_slack_id=owner,
            co_owned=False,
            since=utcnow(),
        )
        .on_conflict_do_nothing(
            index_elements=["effort_id", "owner_slack_id"], index_where=text("ended_at IS NULL")
        )
        .returning(Claim.id)
    )
    return (await session.exec(statement)).first() is not None


async def end_claim(session: AsyncSession, effort_id: int, owner: str) -> Claim | None:
    """End `owner`'s standing claim on the effort; None when they hold none (any more: two
    requests ending it at once end it once). Does not commit."""
    statement = (
        update(Claim)
        .where(
            Claim.effort_id == effort_id,
            Claim.owner_slack_id == owner,
            col(Claim.ended_at).is_(None),
        )
        .values(ended_at=utcnow())
        .returning(Claim)
    )
    return (await session.exec(statement)).scalars().first()


async def claims_owned_by(session: AsyncSession, workspace: int, slack_id: str) -> list[Claim]:
    found = await session.exec(
        select(Claim).where(
            Claim.workspace_id == workspace,
            Claim.owner_slack_id == slack_id,
            col(Claim.ended_at).is_(None),
        )
    )
    return list(found.all())


async def claims_of_silo(session: AsyncSession, workspace: int, silo_id: int) -> list[Claim]:
    found = await session.exec(
        select(Claim).where(
            Claim.workspace_id == workspace,
            Claim.silo_id == silo_id,
            col(Claim.ended_at).is_(None),
        )
    )
    return list(found.all())


async def efforts(session: AsyncSession, effort_ids: Iterable[int]) -> dict[int, Effort]:
    ids = list(set(effort_ids))
    if not ids:
        return {}
    found = await session.exec(select(Effort).where(col(Effort.id).in_(ids)))
    return {e.id: e for e in found.all()}


async def unclaimed_created_by(
    session: AsyncSession, workspace: int, slack_id: str, limit: int = 10
) -> Sequence[Effort]:
    claimed = select(Claim.effort_id).where(col(Claim.ended_at).is_(None))
    found = await session.exec(
        select(Effort)
        .where(
            Effort.workspace_id == workspace,
            Effort.created_by == slack_id,
            Effort.status == "active",
            col(Effort.id).not_in(claimed),
        )
        .order_by(col(Effort.created_at).desc())
        .limit(limit)
    )
    return found.all()


async def history(session: AsyncSession, effort_id: int, limit: int = 10) -> Sequence[ClaimEvent]:
    found = await session.exec(
        select(ClaimEvent)
        .where(ClaimEvent.effort_id == effort_id)
        .order_by(col(ClaimEvent.at).desc(), col(ClaimEvent.id).desc())
        .limit(limit)
    )
    return found.all()


async def claim_event(session: AsyncSession, event_id: int) -> ClaimEvent | None:
    return await session.get(ClaimEvent, event_id)


async def answered_after(session: AsyncSession, offer: ClaimEvent) -> bool:
    """Whether the offer's recipient already accepted or declined something after it."""
    found = await session.exec(
        select(ClaimEvent.id).where(
            ClaimEvent.effort_id == offer.effort_id,
            col(ClaimEvent.id) > offer.id,
            col(ClaimEvent.action).in_(["transferred", "declined"]),
            ClaimEvent.person_slack_id == offer.person_slack_id,
        )
    )
    return found.first() is not None
