"""Claims: who owns which effort for which silo, and what happened to that ownership.

Never last-writer-wins: a second silo claiming an effort makes it contested until every
claimant agrees to share it or all but one silo step back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from config.policy import Policy
from storage import directory, efforts
from storage.db import Database
from storage.models import Claim, ClaimEvent, Effort, Silo, utcnow

UNASSIGNED = "Unassigned"


class ClaimRefused(Exception):
    """The person may not do this; the message says why, in words for them."""


@dataclass(frozen=True)
class Owner:
    slack_id: str
    silo: str
    since: datetime
    agreed_to_share: bool
    orphaned: bool


@dataclass(frozen=True)
class Ownership:
    effort: Effort
    owners: tuple[Owner, ...]

    @property
    def silos(self) -> list[str]:
        return sorted({owner.silo for owner in self.owners})

    @property
    def contested(self) -> bool:
        return len(self.silos) > 1 and not all(o.agreed_to_share for o in self.owners)

    @property
    def co_owned(self) -> bool:
        return len(self.silos) > 1 and not self.contested

    @property
    def orphaned(self) -> list[Owner]:
        return [owner for owner in self.owners if owner.orphaned]

    def owned_by(self, slack_id: str) -> bool:
        return any(owner.slack_id == slack_id for owner in self.owners)


@dataclass(frozen=True)
class ClaimResult:
    """`outcome`: claimed, joined (another owner of the same silo), already, contested."""

    outcome: str
    ownership: Ownership
    rivals: tuple[Owner, ...] = field(default=())


@dataclass(frozen=True)
class TransferOffer:
    offer_id: int
    effort: Effort
    from_id: str
    to_id: str
    reason: str


class Claims:
    def __init__(self, db: Database, policy: Policy) -> None:
        self._db = db
        self._policy = policy

    async def is_admin(self, workspace: int, slack_id: str) -> bool:
        """Policy admins, and the workspace's own Slack admins."""
        if self._policy.is_admin(slack_id):
            return True
        async with self._db.session() as session:
            person = await directory.person(session, workspace, slack_id)
        return bool(person and person.is_admin)

    async def ownership(self, effort: Effort) -> Ownership:
        return (await self.ownerships([effort]))[0]

    async def ownerships(self, of: Sequence[Effort]) -> list[Ownership]:
        if not of:
            return []
        async with self._db.session() as session:
            claims = await efforts.active_claims(session, [e.id for e in of])
            workspace = of[0].workspace_id
            silos = {s.id: s.name for s in await directory.silos_of(session, workspace)}
            people = await directory.people(session, workspace, [c.owner_slack_id for c in claims])
        gone = {p.slack_id for p in people if p.deleted}
        by_effort: dict[int, list[Owner]] = defaultdict(list)
        for claim in claims:
            by_effort[claim.effort_id].append(_owner(claim, silos, gone))
        return [Ownership(effort, tuple(by_effort[effort.id])) for effort in of]

    async def efforts_by_id(self, effort_ids: list[int]) -> dict[int, Effort]:
        async with self._db.session() as session:
            return await efforts.efforts(session, effort_ids)

    async def move_claims(self, workspace: int, merged: Effort, kept: Effort, actor: str) -> None:
        """`merged` turned out to be the same effort as `kept`: its owners now own `kept`
        (once each), and `merged` is marked merged into it."""
        async with self._db.session() as session:
            owners_of_kept = {
                c.owner_slack_id for c in await efforts.active_claims(session, [kept.id])
            }
            for claim in await efforts.active_claims(session, [merged.id]):
                if claim.owner_slack_id in owners_of_kept:
                    claim.ended_at = utcnow()
                else:
                    claim.effort_id = kept.id
                    owners_of_kept.add(claim.owner_slack_id)
                session.add(
                    _event(
                        workspace,
                        kept,
                        "merged",
                        claim.owner_slack_id,
                        actor,
                        silo_id=claim.silo_id,
                        reason=f"merged from effort {merged.id}",
                    )
                )
            row = (await efforts.efforts(session, [merged.id]))[merged.id]
            row.status, row.merged_into_id, row.updated_at = "merged", kept.id, utcnow()
            await session.commit()

    async def efforts_owned_by(self, workspace: int, slack_id: str) -> list[Effort]:
        async with self._db.session() as session:
            claims = await efforts.claims_owned_by(session, workspace, slack_id)
            return _in_claim_order(claims, await efforts.efforts(session, _ids(claims)))

    async def efforts_of_silo(self, workspace: int, silo_id: int) -> list[Effort]:
        async with self._db.session() as session:
            claims = await efforts.claims_of_silo(session, workspace, silo_id)
            return _in_claim_order(claims, await efforts.efforts(session, _ids(claims)))

    async def claim(
        self,
        workspace: int,
        actor: str,
        effort: Effort,
        silo_name: str | None = None,
        *,
        reason: str = "",
    ) -> ClaimResult:
        """`reason`, why the actor claims it, is kept in the history."""
        silo = await self.silo_for(workspace, actor, silo_name)
        before = await self.ownership(effort)
        if before.owned_by(actor):
            return ClaimResult("already", before)
        new_silo = silo.name if silo else UNASSIGNED
        rivals = tuple(o for o in before.owners if o.silo != new_silo)
        async with self._db.session() as session:
            if rivals:
                await self._withdraw_agreements(session, effort.id)
            session.add(_claim(workspace, effort, actor, silo))
            session.add(_event(workspace, effort, "claimed", actor, actor, silo, reason=reason))
            await session.commit()
        after = await self.ownership(effort)
        if rivals:
            return ClaimResult("contested", after, rivals)
        return ClaimResult("joined" if before.owners else "claimed", after)

    async def release(
        self, workspace: int, actor: str, effort: Effort, owner: str | None = None
    ) -> Ownership:
        owner = owner or actor
        if owner != actor and not await self.is_admin(workspace, actor):
            raise ClaimRefused("Only an owner or an admin can release someone else's claim.")
        async with self._db.session() as session:
            claim = await self._active_claim(session, effort, owner)
            if claim is None:
                who = "You don't" if owner == actor else "That person doesn't"
                raise ClaimRefused(f"{who} own this effort, so there is nothing to release.")
            claim.ended_at = utcnow()
            session.add(_event(workspace, effort, "released", owner, actor, silo_id=claim.silo_id))
            await session.commit()
        return await self.ownership(effort)

    async def agree_to_share(self, workspace: int, actor: str, effort: Effort) -> Ownership:
        async with self._db.session() as session:
            claim = await self._active_claim(session, effort, actor)
            if claim is None:
                raise ClaimRefused("Only the people who claim this effort can agree to share it.")
            claim.co_owned = True
            await session.commit()
        ownership = await self.ownership(effort)
        if ownership.co_owned:
            async with self._db.session() as session:
                session.add(_event(workspace, effort, "co-owned", actor, actor))
                await session.commit()
        return ownership

    async def offer_transfer(
        self, workspace: int, actor: str, effort: Effort, to: str, reason: str = ""
    ) -> TransferOffer:
        """An owner offers their claim to someone, who accepts with a button."""
        async with self._db.session() as session:
            if await self._active_claim(session, effort, actor) is None:
                raise ClaimRefused("Only an owner can hand this effort over. Admins can force it.")
            offer = _event(workspace, effort, "offered", to, actor, reason=reason)
            session.add(offer)
            await session.commit()
            return TransferOffer(offer.id, effort, actor, to, reason)

    async def accept_transfer(
        self, workspace: int, actor: str, offer_id: int
    ) -> tuple[TransferOffer, Ownership]:
        offer = await self._open_offer(workspace, actor, offer_id)
        ownership = await self.transfer(workspace, offer.from_id, offer.effort, actor, offer.reason)
        return offer, ownership

    async def decline_transfer(self, workspace: int, actor: str, offer_id: int) -> TransferOffer:
        offer = await self._open_offer(workspace, actor, offer_id)
        async with self._db.session() as session:
            session.add(_event(workspace, offer.effort, "declined", actor, actor))
            await session.commit()
        return offer

    async def _open_offer(self, workspace: int, actor: str, offer_id: int) -> TransferOffer:
        async with self._db.session() as session:
            offer = await efforts.claim_event(session, offer_id)
            if offer is None or offer.workspace_id != workspace or offer.action != "offered":
                raise ClaimRefused("That handover offer no longer exists.")
            if offer.person_slack_id != actor:
                raise ClaimRefused("This handover was offered to someone else.")
            answered = await efforts.answered_after(session, offer)
            if answered:
                raise ClaimRefused("That handover offer was already answered.")
            effort = (await efforts.efforts(session, [offer.effort_id]))[offer.effort_id]
        return TransferOffer(offer.id, effort, offer.actor_slack_id, actor, offer.reason)

    async def force_transfer(
        self, workspace: int, actor: str, effort: Effort, from_id: str, to: str, reason: str = ""
    ) -> Ownership:
        if not await self.is_admin(workspace, actor):
            raise ClaimRefused("Only an admin can hand over someone else's claim.")
        return await self.transfer(workspace, from_id, effort, to, reason, actor=actor)

    async def transfer(
        self,
        workspace: int,
        from_id: str,
        effort: Effort,
        to: str,
        reason: str = "",
        *,
        actor: str | None = None,
    ) -> Ownership:
        """Move `from_id`'s claim to `to`, who claims for their own home silo."""
        silo = (await self._home_silos(workspace, [to])).get(to)
        async with self._db.session() as session:
            claim = await self._active_claim(session, effort, from_id)
            if claim is None:
                raise ClaimRefused("The offering owner no longer owns this effort.")
            claim.ended_at = utcnow()
            if await self._active_claim(session, effort, to) is None:  # else they own it already
                session.add(_claim(workspace, effort, to, silo))
            session.add(
                _event(workspace, effort, "transferred", to, actor or to, silo, reason=reason)
            )
            await session.commit()
        return await self.ownership(effort)

    async def orphan_claims_of(self, workspace: int, slack_id: str) -> list[Effort]:
        """A person left: their claims stay, marked orphaned, until someone takes them over."""
        async with self._db.session() as session:
            claims = await efforts.claims_owned_by(session, workspace, slack_id)
            for claim in claims:
                session.add(
                    ClaimEvent(
                        workspace_id=workspace,
                        effort_id=claim.effort_id,
                        action="orphaned",
                        silo_id=claim.silo_id,
                        person_slack_id=slack_id,
                        reason="owner deactivated",
                    )
                )
            await session.commit()
            return _in_claim_order(claims, await efforts.efforts(session, _ids(claims)))

    async def silo_for(self, workspace: int, actor: str, silo_name: str | None) -> Silo | None:
        """The silo `actor` claims for: their own, or `silo_name` if they may (ClaimRefused)."""
        home = (await self._home_silos(workspace, [actor])).get(actor)
        if silo_name is None:
            return home
        silo = await self.silo_named(workspace, silo_name)
        if home and silo.id == home.id:
            return silo
        if not await self.is_admin(workspace, actor):
            yours = f"your silo is {home.name}" if home else "you have no silo yet"
            raise ClaimRefused(
                f"Only an admin can claim for {silo.name} ({yours}). "
                "Claim without `as …` to claim for your own silo."
            )
        return silo

    async def silo_named(self, workspace: int, name: str) -> Silo:
        async with self._db.session() as session:
            silos = await directory.silos_of(session, workspace)
        wanted = name.strip().casefold()
        for silo in silos:
            if wanted in {silo.name.casefold(), *(a.casefold() for a in silo.aliases)}:
                return silo
        known = ", ".join(s.name for s in silos) or "none yet"
        raise ClaimRefused(f"There is no silo called “{name}”. Known silos: {known}.")

    async def _home_silos(self, workspace: int, slack_ids: list[str]) -> dict[str, Silo]:
        async with self._db.session() as session:
            return await directory.home_silos(session, workspace, slack_ids)

    async def _active_claim(self, session, effort: Effort, owner: str) -> Claim | None:
        claims = await efforts.active_claims(session, [effort.id])
        return next((c for c in claims if c.owner_slack_id == owner), None)

    async def _withdraw_agreements(self, session, effort_id: int) -> None:
        """A newcomer silo has not agreed to share: earlier agreements no longer settle it."""
        for claim in await efforts.active_claims(session, [effort_id]):
            claim.co_owned = False


def _ids(claims: Sequence[Claim]) -> list[int]:
    return [claim.effort_id for claim in claims]


def _in_claim_order(claims: Sequence[Claim], found: dict[int, Effort]) -> list[Effort]:
    """The claimed efforts, once each, leaving out channels that no longer exist."""
    unique = dict.fromkeys(claim.effort_id for claim in claims)
    return [
        found[effort_id]
        for effort_id in unique
        if effort_id in found and found[effort_id].status != "deleted"
    ]


def _owner(claim: Claim, silos: dict[int, str], gone: set[str]) -> Owner:
    return Owner(
        slack_id=claim.owner_slack_id,
        silo=silos.get(claim.silo_id, UNASSIGNED) if claim.silo_id else UNASSIGNED,
        since=claim.since,
        agreed_to_share=claim.co_owned,
        orphaned=claim.owner_slack_id in gone,
    )


def _claim(workspace: int, effort: Effort, owner: str, silo: Silo | None) -> Claim:
    return Claim(
        workspace_id=workspace,
        effort_id=effort.id,
        silo_id=silo.id if silo else None,
        owner_slack_id=owner,
    )


def _event(
    workspace: int,
    effort: Effort,
    action: str,
    person: str | None,
    actor: str | None,
    silo: Silo | None = None,
    *,
    silo_id: int | None = None,
    reason: str = "",
) -> ClaimEvent:
    return ClaimEvent(
        workspace_id=workspace,
        effort_id=effort.id,
        action=action,
        silo_id=silo.id if silo else silo_id,
        person_slack_id=person,
        actor_slack_id=actor,
        reason=reason[:500],
    )
