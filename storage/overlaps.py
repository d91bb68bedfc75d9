"""Queries on overlaps between efforts, and on the efforts and vectors the engine indexes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Effort, EffortVector, Overlap, utcnow
from storage.upsert import BATCH, insert, upsert


@dataclass(frozen=True)
class FoundPair:
    """A pair of efforts as the engine found it: score, and reasons with the band first."""

    a: int
    b: int
    score: float
    reasons: list[str]


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


async def ensure_pairs(
    session: AsyncSession, workspace: int, found: Sequence[FoundPair]
) -> dict[tuple[int, int], Overlap]:
    """The overlap row of each pair found, by (lower ID, higher ID): created open where
    missing, else as it is. Safe when another process records the same pair at the same
    moment. New rows are committed at once: SQLite's write lock is held only that long."""
    new = {ordered(pair.a, pair.b): pair for pair in found}
    keys = sorted(new)  # one order everywhere: no deadlocks
    now = utcnow()
    statement = insert(session, Overlap).on_conflict_do_nothing(
        index_elements=["workspace_id", "effort_a_id", "effort_b_id"]
    )
    batches = [keys[start : start + BATCH] for start in range(0, len(keys), BATCH)]
    for batch in batches:
        rows = [_open_row(workspace, key, new[key], now) for key in batch]
        await session.exec(statement.values(rows))
    await session.commit()
    stored: dict[tuple[int, int], Overlap] = {}
    for batch in batches:
        rows = await session.exec(
            select(Overlap).where(
                Overlap.workspace_id == workspace,
                tuple_(Overlap.effort_a_id, Overlap.effort_b_id).in_(batch),
            )
        )
        stored.update(((row.effort_a_id, row.effort_b_id), row) for row in rows.all())
    return stored


def _open_row(workspace: int, key: tuple[int, int], pair: FoundPair, now: datetime) -> dict:
    return {
        "workspace_id": workspace,
        "effort_a_id": key[0],
        "effort_b_id": key[1],
        "score": pair.score,
        "reasons": pair.reasons,
        "state": "open",
        "texts_fingerprint": "",
        "created_at": now,
    }


async def get(session: AsyncSession, workspace: int, overlap_id: int) -> Overlap | None:
    found = await session.get(Overlap, overlap_id)
    return found if found and found.workspace_id == workspace else None


async def of_state(
    session: AsyncSession, workspace: int, state: str, effort_ids: Sequence[int] | None = None
) -> Sequence[Overlap]:
    statement = select(Overlap).where(Overlap.workspace_id == workspace, Overlap.state == state)
    if effort_ids is not None:
        ids = list(effort_ids)
        statement = statement.where(
            or_(col(Overlap.effort_a_id).in_(ids), col(Overlap.effort_b_id).in_(ids))
        )
    found = await session.exec(statement.order_by(col(Overlap.score).desc()))
    return found.all()


async def active_efforts(session: AsyncSession, workspace: int) -> Sequence[Effort]:
    found = await session.exec(
        select(Effort).where(Effort.workspace_id == workspace, Effort.status == "active")
    )
    return found.all()


async def efforts_changed_since(
    session: AsyncSession, workspace: int, since: datetime
) -> Sequence[Effort]:
    """Every effort created, edited, archived or merged after `since`, in any status."""
    found = await session.exec(
        select(Effort).where(Effort.workspace_id == workspace, Effort.updated_at > since)
    )
    return found.all()


async def vectors(
    session: AsyncSession, workspace: int, model: str, effort_ids: Sequence[int] | None = None
) -> dict[int, EffortVector]:
    """The workspace's stored vectors made by `model`, by effort ID (only `effort_ids`'s)."""
    statement = select(EffortVector).where(
        EffortVector.workspace_id == workspace, EffortVector.model == model
    )
    if effort_ids is None:
        return {row.effort_id: row for row in (await session.exec(statement)).all()}
    ids = list(effort_ids)
    found: dict[int, EffortVector] = {}
    for start in range(0, len(ids), BATCH):
        batch = statement.where(col(EffortVector.effort_id).in_(ids[start : start + BATCH]))
        found.update((row.effort_id, row) for row in (await session.exec(batch)).all())
    return found


async def save_vectors(
    session: AsyncSession, workspace: int, model: str, vectors: Sequence[tuple[int, bytes]]
) -> None:
    """Store each effort's vector (effort ID, float32 bytes), replacing any older one."""
    now = utcnow()
    rows = [
        {"effort_id": i, "workspace_id": workspace, "model": model, "vector": v, "updated_at": now}
        for i, v in vectors
    ]
    await upsert(session, EffortVector, rows, ("effort_id",), ("model", "vector", "updated_at"))
    await session.commit()


async def answered(session: AsyncSession) -> list[tuple[float, bool]]:
    """Every pair people answered, in all workspaces: (score when raised, same work or not)."""
    found = await session.exec(
        select(Overlap.score, Overlap.state).where(
            col(Overlap.state).in_(["merged", "linked", "dismissed"])
        )
    )
    return [(score, state != "dismissed") for score, state in found.all()]
