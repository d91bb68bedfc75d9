"""Queries on workspaces, people and silos."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, Silo, SiloMembership, Workspace, utcnow
from storage.upsert import insert, upsert

# The strongest source of a silo membership decides a person's home silo.
SOURCE_RANK = {"admin": 0, "policy": 1, "usergroup": 2, "title": 3}


@dataclass(frozen=True)
class PersonRecord:
    """What Slack says about a person, ready to be stored."""

    slack_id: str
    name: str
    real_name: str = ""
    title: str = ""
    tz: str = ""
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False


async def workspace_id(session: AsyncSession, enterprise_id: str, team_id: str) -> int:
    """The workspace's row ID, created on first sight; safe when two processes race."""
    statement = (
        insert(session, Workspace)
        .values(enterprise_id=enterprise_id, team_id=team_id, installed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["enterprise_id", "team_id"])
    )
    await session.exec(statement)
    await session.commit()
    found = await session.exec(
        select(Workspace.id).where(
            Workspace.enterprise_id == enterprise_id, Workspace.team_id == team_id
        )
    )
    return found.one()


async def installed_workspaces(session: AsyncSession) -> list[Workspace]:
    found = await session.exec(
        select(Workspace).where(col(Workspace.uninstalled_at).is_(None)).order_by(Workspace.id)
    )
    return list(found.all())


async def mark_uninstalled(session: AsyncSession, workspace: int) -> None:
    row = await session.get(Workspace, workspace)
    if row:
        row.uninstalled_at = utcnow()
        await session.commit()


async def mark_installed(session: AsyncSession, workspace: int) -> None:
    row = await session.get(Workspace, workspace)
    if row and row.uninstalled_at:
        row.uninstalled_at = None
        await session.commit()


async def upsert_people(
    session: AsyncSession, workspace: int, people: Iterable[PersonRecord]
) -> None:
    rows = [{"workspace_id": workspace, "updated_at": utcnow(), **vars(p)} for p in people]
    if not rows:
        return
    changing = ("name", "real_name", "title", "tz", "is_admin", "is_bot", "deleted", "updated_at")
    await upsert(session, Person, rows, ("workspace_id", "slack_id"), changing)
    await session.commit()


async def mark_departed(session: AsyncSession, workspace: int, slack_id: str) -> bool:
    """Record that the person left; True only for the change that made them leave (or for a
    person never seen before), however many times Slack repeats it. Does not commit."""
    left = await session.exec(
        update(Person)
        .where(
            Person.workspace_id == workspace,
            Person.slack_id == slack_id,
            col(Person.deleted).is_(False),
        )
        .values(deleted=True)
    )
    return left.rowcount == 1 or await person(session, workspace, slack_id) is None


async def person(session: AsyncSession, workspace: int, slack_id: str) -> Person | None:
    found = await session.exec(
        select(Person).where(Person.workspace_id == workspace, Person.slack_id == slack_id)
    )
    return found.first()


async def people_named(session: AsyncSession, workspace: int, handle: str) -> Sequence[Person]:
    wanted = handle.lower()
    found = await session.exec(
        select(Person).where(
            Person.workspace_id == workspace,
            (func.lower(Person.name) == wanted) | (func.lower(Person.real_name) == wanted),
        )
    )
    return found.all()


async def person_names(session: AsyncSession, workspace: int) -> Sequence[str]:
    found = await session.exec(
        select(Person.name).where(
            Person.workspace_id == workspace,
            col(Person.deleted).is_(False),
            col(Person.is_bot).is_(False),
        )
    )
    return found.all()


async def people(session: AsyncSession, workspace: int, slack_ids: Iterable[str]) -> list[Person]:
    ids = list(set(slack_ids))
    if not ids:
        return []
    found = await session.exec(
        select(Person).where(Person.workspace_id == workspace, col(Person.slack_id).in_(ids))
    )
    return list(found.all())


async def all_people(session: AsyncSession, workspace: int) -> Sequence[Person]:
    found = await session.exec(select(Person).where(Person.workspace_id == workspace))
    return found.all()


async def count_people(session: AsyncSession, workspace: int) -> int:
    found = await session.exec(
        select(func.count()).select_from(Person).where(Person.workspace_id == workspace)
    )
    return found.one()


async def ensure_silos(
    session: AsyncSession, workspace: int, silos: Iterable[tuple[str, Sequence[str]]]
) -> dict[str, int]:
    """Make sure each (name, aliases) silo exists; returns every silo's ID by name."""
    existing = {s.name: s for s in (await silos_of(session, workspace))}
    for name, aliases in silos:
        if name in existing:
            existing[name].aliases = list(aliases)
        else:
            session.add(Silo(workspace_id=workspace, name=name, aliases=list(aliases)))
    await session.commit()
    return {s.name: s.id for s in (await silos_of(session, workspace))}


async def silos_of(session: AsyncSession, workspace: int) -> Sequence[Silo]:
    found = await session.exec(
        select(Silo).where(Silo.workspace_id == workspace).order_by(Silo.name)
    )
    return found.all()


async def replace_memberships(
    session: AsyncSession, workspace: int, source: str, members: dict[str, int]
) -> None:
    """Set every membership of one source at once (person slack ID -> silo ID)."""
    await session.exec(
        delete(SiloMembership).where(
            SiloMembership.workspace_id == workspace, SiloMembership.source == source
        )
    )
    session.add_all(
        SiloMembership(workspace_id=workspace, person_slack_id=p, silo_id=s, source=source)
        for p, s in members.items()
    )
    await session.commit()


async def set_membership(
    session: AsyncSession,
    workspace: int,
    slack_id: str,
    silo_id: int | None,
    source: str,
    assigned_by: str | None = None,
) -> None:
    """Set or clear (silo_id None) one person's membership of one source."""
    await session.exec(
        delete(SiloMembership).where(
            SiloMembership.workspace_id == workspace,
            SiloMembership.person_slack_id == slack_id,
            SiloMembership.source == source,
        )
    )
    if silo_id is not None:
        session.add(
            SiloMembership(
                workspace_id=workspace,
                person_slack_id=slack_id,
                silo_id=silo_id,
                source=source,
                assigned_by=assigned_by,
            )
        )
    await session.commit()


async def home_silos(
    session: AsyncSession, workspace: int, slack_ids: Iterable[str] | None = None
) -> dict[str, Silo]:
    """Each person's home silo: the silo of their strongest membership."""
    statement = (
        select(SiloMembership.person_slack_id, SiloMembership.source, Silo)
        .join(Silo, col(Silo.id) == SiloMembership.silo_id)
        .where(SiloMembership.workspace_id == workspace)
    )
    if slack_ids is not None:
        statement = statement.where(col(SiloMembership.person_slack_id).in_(list(slack_ids)))
    best: dict[str, tuple[int, Silo]] = {}
    for slack_id, source, silo in (await session.exec(statement)).all():
        rank = SOURCE_RANK[source]
        if slack_id not in best or rank < best[slack_id][0]:
            best[slack_id] = (rank, silo)
    return {slack_id: silo for slack_id, (_, silo) in best.items()}
