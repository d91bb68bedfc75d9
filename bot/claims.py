"""Claims: who owns which effort for which silo, and what happened to that ownership.

Never last-writer-wins: a second silo claiming an effort makes it contested until every
claimant agrees to share it or all but one silo step back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from config.policy import Policy
from storage import directory, efforts
from storage.db import Database
from storage.models import Claim, ClaimEvent, Effort, Silo, utcnow

UNASSIGNED = "Unassigned"
TAKEN_OVER = "taken over"  # a departed owner's claim, ended by someone claiming the effort


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
    def present(self) -> list[Owner]:
        """The owners still in the workspace: only they can contest, share or step back."""
        return [owner for owner in self.owners if not owner.orphaned]

    @property
    def silos(self) -> list[str]:
        """The silos of the owners still here; the departed owners' once nobody else is."""
        return sorted({owner.silo for owner in self.present or self.owners})

    @property
    def contested(self) -> bool:
        present = self.present
        return len(_silos(present)) > 1 and not all(o.agreed_to_share for o in present)

    @property
    def co_owned(self) -> bool:
        return len(_silos(self.present)) > 1 and not self.contested

    @property
    def orphaned(self) -> list[Owner]:
        return [owner for owner in self.owners if owner.orphaned]

    def owned_by(self, slack_id: str) -> bool:
        return any(owner.slack_id == slack_id for owner in self.owners)


@dataclass(frozen=True)
class ClaimResult:
    """`outcome`: claimed, joined (another owner of the same silo), already, contested, or
    transferred. `rivals`: the owners of other silos to tell of a contest. `taken_over`: the
    departed owners whose claims this one ended."""

    outcome: str
    ownership: Ownership
    rivals: tuple[Owner, ...] = field(default=())
    taken_over: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class TransferOffer:
    """`contested_between`: the silos the effort will be contested between once accepted."""

    offer_id: int
    effort: Effort
    from_id: str
    to_id: str
    reason: str
    contested_between: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Handover:
    """`from_id`'s claim became `to_id`'s, by `actor`: the new owner accepting, or an admin."""

    from_id: str
    to_id: str
    actor: str
    reason: str
    result: ClaimResult


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
        """`reason`, why the actor claims it, is kept in the history. The outcome is judged
        from the claims as committed, so that people claiming at the same moment each learn
        of the others."""
        silo = await self.silo_for(workspace, actor, silo_name)
        before = await self.ownership(effort)
        if before.owned_by(actor):
            return ClaimResult("already", before)
        taken_over = await self._record_claim(
            workspace, actor, effort, silo, before.orphaned, reason
        )
        if taken_over is None:  # another of their requests claimed it a moment ago
            return ClaimResult("already", await self.ownership(effort))
        after, rivals = await self._contest(effort, _silo_name(silo))
        outcome = "contested" if rivals else "joined" if len(after.present) > 1 else "claimed"
        return ClaimResult(outcome, after, rivals, taken_over)

    async def _record_claim(
        self,
        workspace: int,
        actor: str,
        effort: Effort,
        silo: Silo | None,
        departed: list[Owner],
        reason: str,
    ) -> tuple[str, ...] | None:
        """The departed owners taken over; None when `actor` holds a claim already."""
        async with self._db.session() as session:
            taken_over = await self._take_over(session, workspace, effort, actor, departed)
            if not await efforts.add_claim(session, workspace, effort.id, actor, _silo_id(silo)):
                return None
            session.add(_event(workspace, effort, "claimed", actor, actor, silo, reason=reason))
            await session.commit()
        return taken_over

    async def _take_over(
        self, session, workspace: int, effort: Effort, actor: str, departed: list[Owner]
    ) -> tuple[str, ...]:
        """End the claims of owners who left, who can neither share nor step back."""
        taken = []
        for owner in departed:
            ended = await efforts.end_claim(session, effort.id, owner.slack_id)
            if ended:
                session.add(
                    _event(
                        workspace,
                        effort,
                        TAKEN_OVER,
                        owner.slack_id,
                        actor,
                        silo_id=ended.silo_id,
                        reason="the owner left the workspace",
                    )
                )
                taken.append(owner.slack_id)
        return tuple(taken)

    async def _contest(self, effort: Effort, silo: str) -> tuple[Ownership, tuple[Owner, ...]]:
        """The ownership once a newcomer holds a claim for `silo`, and the owners of other
        silos it is now contested with: earlier agreements to share no longer settle it."""
        after = await self.ownership(effort)
        rivals = tuple(owner for owner in after.present if owner.silo != silo)
        if not rivals:
            return after, ()
        async with self._db.session() as session:
            await self._withdraw_agreements(session, effort.id)
            await session.commit()
        return await self.ownership(effort), rivals

    async def release(
        self, workspace: int, actor: str, effort: Effort, owner: str | None = None
    ) -> Ownership:
        owner = owner or actor
        if owner != actor and not await self.is_admin(workspace, actor):
            raise ClaimRefused("Only an owner or an admin can release someone else's claim.")
        async with self._db.session() as session:
            claim = await efforts.end_claim(session, effort.id, owner)
            if claim is None:
                who = "You don't" if owner == actor else "That person doesn't"
                raise ClaimRefused(f"{who} own this effort, so there is nothing to release.")
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
        ownership = await self.ownership(effort)
        if not ownership.owned_by(actor):
            raise ClaimRefused("Only an owner can hand this effort over. Admins can force it.")
        contested_between = await self._contested_between(workspace, ownership, actor, to)
        async with self._db.session() as session:
            offer = _event(workspace, effort, "offered", to, actor, reason=reason)
            session.add(offer)
            await session.commit()
            return TransferOffer(offer.id, effort, actor, to, reason, contested_between)

    async def _contested_between(
        self, workspace: int, ownership: Ownership, from_id: str, to: str
    ) -> tuple[str, ...]:
        """The silos `ownership` will be contested between once `to` holds `from_id`'s claim;
        none when it will not be."""
        if ownership.owned_by(to):
            return ()
        silo = _silo_name((await self._home_silos(workspace, [to])).get(to))
        staying = _silos(o for o in ownership.present if o.slack_id != from_id)
        return tuple(sorted(staying | {silo})) if staying - {silo} else ()

    async def accept_transfer(self, workspace: int, actor: str, offer_id: int) -> Handover:
        offer = await self._open_offer(workspace, actor, offer_id)
        return await self.transfer(workspace, offer.from_id, offer.effort, actor, offer.reason)

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
        self,
        workspace: int,
        actor: str,
        ownership: Ownership,
        to: str,
        reason: str = "",
        owner: str | None = None,
    ) -> Handover:
        """An admin hands `owner`'s claim to `to`; `owner` may be left out when the effort
        has a single owner."""
        if not ownership.owners:
            raise ClaimRefused("Nobody owns this effort yet, so there is nothing to hand over.")
        if not await self.is_admin(workspace, actor):
            raise ClaimRefused("Only an admin can hand over someone else's claim.")
        from_id = owner or _sole_owner(ownership)
        if not ownership.owned_by(from_id):
            raise ClaimRefused(
                "That person doesn't own this effort, so there is nothing to hand over."
            )
        if from_id == to:
            raise ClaimRefused("That person already holds this claim.")
        return await self.transfer(workspace, from_id, ownership.effort, to, reason, actor=actor)

    async def transfer(
        self,
        workspace: int,
        from_id: str,
        effort: Effort,
        to: str,
        reason: str = "",
        *,
        actor: str | None = None,
    ) -> Handover:
        """Move `from_id`'s claim to `to`, who claims for their own home silo: a contest, as
        any claim is, when the other owners are of other silos."""
        silo = (await self._home_silos(workspace, [to])).get(to)
        async with self._db.session() as session:
            if await efforts.end_claim(session, effort.id, from_id) is None:
                raise ClaimRefused("The offering owner no longer owns this effort.")
            joined = await efforts.add_claim(session, workspace, effort.id, to, _silo_id(silo))
            session.add(
                _event(workspace, effort, "transferred", to, actor or to, silo, reason=reason)
            )
            await session.commit()
        if joined:
            ownership, rivals = await self._contest(effort, _silo_name(silo))
        else:  # they owned it already: nobody new arrived to contest it
            ownership, rivals = await self.ownership(effort), ()
        result = ClaimResult("contested" if rivals else "transferred", ownership, rivals)
        return Handover(from_id, to, actor or to, reason, result)

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


def _silos(owners: Iterable[Owner]) -> set[str]:
    return {owner.silo for owner in owners}


def _silo_name(silo: Silo | None) -> str:
    return silo.name if silo else UNASSIGNED


def _silo_id(silo: Silo | None) -> int | None:
    return silo.id if silo else None


def _sole_owner(ownership: Ownership) -> str:
    if len(ownership.owners) > 1:
        raise ClaimRefused(
            "Several people own this effort: say whose claim to hand over, as in "
            "`/coe transfer #channel @owner @new-owner`. `/coe who` lists the owners."
        )
    return ownership.owners[0].slack_id


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
