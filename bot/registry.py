"""The ownership registry as people use it: what they typed, resolved, and acted on."""

from __future__ import annotations

from dataclasses import dataclass

from bot import messages
from bot.arguments import (
    ChannelRef,
    ClaimArgs,
    InitiativeRef,
    PersonRef,
    SiloRef,
    Target,
    TransferArgs,
    closest_names,
)
from bot.claims import ClaimRefused, ClaimResult, Claims, Ownership, TransferOffer
from bot.directory import People
from bot.efforts import Efforts, NewInitiative
from bot.gateway import SlackFailure, SlackGateway
from storage.models import Effort

WHO_LIMIT = 25


class PersonNotFound(Exception):
    def __init__(self, typed: str, suggestions: list[str]) -> None:
        super().__init__(typed)
        self.typed = typed
        self.suggestions = suggestions


@dataclass(frozen=True)
class SyncReport:
    people: int
    channels: int


@dataclass(frozen=True)
class WhoAnswer:
    heading: str
    ownerships: list[Ownership]


class Registry:
    def __init__(self, people: People, efforts: Efforts, claims: Claims) -> None:
        self.people = people
        self.efforts = efforts
        self.claims = claims

    async def sync(self, workspace: int, gateway: SlackGateway) -> SyncReport:
        """Backfill people, user groups and channels from Slack, paced under its rate limits."""
        people = await self.people.sync(workspace, gateway)
        channels = await self.efforts.backfill(workspace, gateway)
        return SyncReport(people, channels)

    async def effort(
        self,
        workspace: int,
        target: ChannelRef | InitiativeRef,
        viewer: str,
        gateway: SlackGateway,
    ) -> Effort:
        if isinstance(target, ChannelRef):
            return await self.efforts.channel(workspace, target, viewer, gateway)
        return await self.efforts.initiative(workspace, target.title, viewer)

    async def person(self, workspace: int, ref: PersonRef) -> str:
        if ref.id:
            return ref.id
        found = await self.people.named(workspace, ref.handle or "")
        if len(found) == 1:
            return found[0].slack_id
        handles = await self.people.handles(workspace)
        raise PersonNotFound(ref.handle or "", closest_names(ref.handle or "", handles))

    async def claim(
        self, workspace: int, actor: str, args: ClaimArgs, gateway: SlackGateway
    ) -> ClaimResult:
        reason = ""
        if isinstance(args.target, InitiativeRef):
            await self.claims.silo_for(workspace, actor, args.silo)  # refused: register nothing
            new = NewInitiative(args.target.title, args.description)
            effort, _ = await self.efforts.register_initiative(workspace, actor, new)
        else:
            effort = await self.efforts.channel(workspace, args.target, actor, gateway)
            reason = args.description
        if effort.status != "active":
            raise ClaimRefused(f"{messages.effort_plain(effort)} is {effort.status}.")
        return await self.claims.claim(workspace, actor, effort, args.silo, reason=reason)

    async def register(
        self, workspace: int, actor: str, new: NewInitiative, silo: str | None
    ) -> ClaimResult:
        """The initiative modal: register the initiative and claim it in one go."""
        await self.claims.silo_for(workspace, actor, silo)  # refused: register nothing
        effort, _ = await self.efforts.register_initiative(workspace, actor, new)
        return await self.claims.claim(workspace, actor, effort, silo)

    async def tell_rivals(self, gateway: SlackGateway, result: ClaimResult, claimant: str) -> None:
        """Both sides of a contest learn it at once: the claimant in the reply, rivals by DM."""
        for rival in {owner.slack_id for owner in result.rivals if not owner.orphaned}:
            notice = messages.contest_notice(result, claimant, rival)
            try:
                await gateway.post_message(rival, notice)
            except SlackFailure:
                continue  # logged by the gateway; the contest is visible in /coe who and Home

    async def offer(
        self, workspace: int, actor: str, args: TransferArgs, gateway: SlackGateway
    ) -> TransferOffer | Ownership:
        """An owner's offer (the new owner accepts), or an admin's transfer that applies now."""
        effort = await self.effort(workspace, args.target, actor, gateway)
        to = await self.person(workspace, args.to)
        ownership = await self.claims.ownership(effort)
        if ownership.owned_by(actor):
            if to == actor:
                raise ClaimRefused(f"You already own {messages.effort_plain(effort)}.")
            return await self.claims.offer_transfer(workspace, actor, effort, to, args.reason)
        if not ownership.owners:
            raise ClaimRefused(f"Nobody owns {messages.effort_plain(effort)} yet.")
        first = ownership.owners[0].slack_id
        return await self.claims.force_transfer(workspace, actor, effort, first, to, args.reason)

    async def who(
        self, workspace: int, target: Target, viewer: str, gateway: SlackGateway
    ) -> WhoAnswer:
        if isinstance(target, ChannelRef | InitiativeRef):
            effort = await self.effort(workspace, target, viewer, gateway)
            return WhoAnswer(
                f"Who owns {messages.effort_plain(effort)}",
                [await self.claims.ownership(effort)],
            )
        if isinstance(target, PersonRef):
            person = await self.person(workspace, target)
            owned = await self.claims.efforts_owned_by(workspace, person)
            visible = await self.efforts.visible_to(workspace, viewer, owned)
            heading = "What you own" if person == viewer else "What they own"
            return WhoAnswer(heading, await self.claims.ownerships(visible))
        return await self._who_silo(workspace, target, viewer)

    async def _who_silo(self, workspace: int, target: SiloRef, viewer: str) -> WhoAnswer:
        silo = await self.claims.silo_named(workspace, target.name)
        owned = await self.claims.efforts_of_silo(workspace, silo.id)
        visible = await self.efforts.visible_to(workspace, viewer, owned)
        shown = await self.claims.ownerships(visible[:WHO_LIMIT])
        return WhoAnswer(f"What {silo.name} owns", shown)

    async def find(self, workspace: int, words: str, viewer: str) -> list[Ownership]:
        found = await self.efforts.search(workspace, words.split(), viewer)
        return await self.claims.ownerships(found)
