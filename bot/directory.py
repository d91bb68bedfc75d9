"""The directory: people and their home silos, kept in sync with Slack.

A person's home silo comes from, strongest first: an admin's assignment, the policy's `members`,
the policy's Slack user group, a profile title that names one of a silo's aliases.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bot.gateway import SlackGateway
from config.policy import Policy
from storage import directory
from storage.db import Database
from storage.directory import PersonRecord
from storage.models import Person, Silo


@dataclass(frozen=True)
class SiloSummary:
    name: str
    head_count: int
    representatives: tuple[str, ...]


@dataclass(frozen=True)
class DirectorySummary:
    silos: tuple[SiloSummary, ...]
    unassigned: int


def person_record(user: dict[str, Any]) -> PersonRecord:
    profile = user.get("profile") or {}
    return PersonRecord(
        slack_id=user["id"],
        name=(user.get("name") or "")[:200],
        real_name=(user.get("real_name") or profile.get("real_name") or "")[:200],
        title=(profile.get("title") or "")[:300],
        tz=(user.get("tz") or "")[:64],
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


class People:
    def __init__(self, db: Database, policy: Policy) -> None:
        self._db = db
        self._policy = policy

    async def sync(self, workspace: int, gateway: SlackGateway) -> int:
        """Backfill everyone and the policy's user groups; returns how many people were seen."""
        silo_ids = await self.ensure_policy_silos(workspace)
        records = [person_record(user) async for user in gateway.users()]
        async with self._db.session() as session:
            await directory.upsert_people(session, workspace, records)
        groups = {g["id"]: g.get("users") or [] for g in await gateway.usergroups()}
        await self._refresh_memberships(workspace, silo_ids, records, groups)
        return len(records)

    async def ensure_policy_silos(self, workspace: int) -> dict[str, int]:
        async with self._db.session() as session:
            return await directory.ensure_silos(
                session, workspace, [(s.name, s.aliases) for s in self._policy.silos]
            )

    async def remember(self, workspace: int, user: dict[str, Any]) -> bool:
        """A person joined or changed (team_join, user_change): store them, re-derive their
        title-based silo. True when this change is the one that deactivated them."""
        record = person_record(user)
        silo_ids = await self.ensure_policy_silos(workspace)
        async with self._db.session() as session:
            left = record.deleted and await directory.mark_departed(
                session, workspace, record.slack_id
            )
            await directory.upsert_people(session, workspace, [record])
            silo = self._silo_for_title(record.title)
            await directory.set_membership(
                session, workspace, record.slack_id, silo_ids.get(silo) if silo else None, "title"
            )
        return left

    async def assign(self, workspace: int, slack_id: str, silo: str, admin: str) -> Silo:
        silo_ids = await self.ensure_policy_silos(workspace)
        async with self._db.session() as session:
            await directory.set_membership(
                session, workspace, slack_id, silo_ids[silo], "admin", assigned_by=admin
            )
            return (await directory.home_silos(session, workspace, [slack_id]))[slack_id]

    async def home_silo(self, workspace: int, slack_id: str) -> Silo | None:
        async with self._db.session() as session:
            return (await directory.home_silos(session, workspace, [slack_id])).get(slack_id)

    async def find(self, workspace: int, slack_id: str) -> Person | None:
        async with self._db.session() as session:
            return await directory.person(session, workspace, slack_id)

    async def named(self, workspace: int, handle: str) -> list[Person]:
        async with self._db.session() as session:
            return list(await directory.people_named(session, workspace, handle))

    async def handles(self, workspace: int) -> list[str]:
        async with self._db.session() as session:
            return list(await directory.person_names(session, workspace))

    async def silo_names(self, workspace: int) -> list[str]:
        await self.ensure_policy_silos(workspace)
        async with self._db.session() as session:
            return [silo.name for silo in await directory.silos_of(session, workspace)]

    async def is_empty(self, workspace: int) -> bool:
        async with self._db.session() as session:
            return await directory.count_people(session, workspace) == 0

    async def summary(self, workspace: int) -> DirectorySummary:
        await self.ensure_policy_silos(workspace)
        async with self._db.session() as session:
            everyone = [p for p in await directory.all_people(session, workspace) if _counts(p)]
            homes = await directory.home_silos(session, workspace, [p.slack_id for p in everyone])
            silos = await directory.silos_of(session, workspace)
        heads = Counter(silo.name for silo in homes.values())
        summaries = tuple(
            SiloSummary(s.name, heads[s.name], self._representatives(s.name)) for s in silos
        )
        return DirectorySummary(summaries, unassigned=len(everyone) - sum(heads.values()))

    def _representatives(self, silo: str) -> tuple[str, ...]:
        policy_silo = self._policy.silo_named(silo)
        return policy_silo.representatives if policy_silo else ()

    async def _refresh_memberships(
        self,
        workspace: int,
        silo_ids: dict[str, int],
        people: list[PersonRecord],
        groups: dict[str, list[str]],
    ) -> None:
        by_source: dict[str, dict[str, int]] = {"policy": {}, "usergroup": {}, "title": {}}
        for silo in self._policy.silos:
            for member in silo.members:
                by_source["policy"][member] = silo_ids[silo.name]
            for member in groups.get(silo.usergroup or "", []):
                by_source["usergroup"].setdefault(member, silo_ids[silo.name])
        for person in people:
            silo = self._silo_for_title(person.title)
            if silo:
                by_source["title"][person.slack_id] = silo_ids[silo]
        async with self._db.session() as session:
            for source, members in by_source.items():
                await directory.replace_memberships(session, workspace, source, members)

    def _silo_for_title(self, title: str) -> str | None:
        words = set(re.findall(r"[\w.&-]+", title.casefold()))
        for silo in self._policy.silos:
            names = {silo.name.casefold(), *(a.casefold() for a in silo.aliases)}
            if any(name in words or (" " in name and name in title.casefold()) for name in names):
                return silo.name
        return None


def _counts(person: Person) -> bool:
    return not person.deleted and not person.is_bot
