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
from bot.claims import ClaimRefused, ClaimResult, Claims, Handover, Ownership, TransferOffer
from bot.directory import People
from bot.efforts import Efforts, NewInitiative
from bot.gateway import SlackFailure, SlackGateway
from storage.models import Effort

WHO_LIMIT = 25


class PersonNotFound(Exception):
    """No such person, or (`why`) none who can take a claim; `suggestions`: the closest names."""

    def __init__(self, typed: str, suggestions: list[str], why: str = "") -> None:
        super().__init__(typed)
        self.typed = typed
        self.suggestions = suggestions
        self.why = why


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
        raise await self._not_found(workspace, ref.handle or "")

    async def recipient(self, workspace: int, ref: PersonRef) -> str:
        """Who is to take a claim over: a person of this workspace, active, and not a bot."""
        slack_id = await self.person(workspace, ref)
        found = await self.people.find(workspace, slack_id)
        if found is None:
            raise await self._not_found(workspace, ref.handle or slack_id)
        if found.is_bot or found.deleted:
            why = "is a bot, so it" if found.is_bot else "has left the workspace, so they"
            why += " can't take over a claim"
            raise await self._not_found(workspace, found.name or slack_id, why)
        return slack_id

    async def _not_found(self, workspace: int, typed: str, why: str = "") -> PersonNotFound:
        handles = await self.people.handles(workspace)
        return PersonNotFound(typed, closest_names(typed, handles), why)

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
        return await self.claim_effort(workspace, actor, effort, args.silo, reason)

    async def claim_effort(
        self, workspace: int, actor: str, effort: Effort, silo: str | None = None, reason: str = ""
    ) -> ClaimResult:
        """Every way of claiming (the command, the form, a button) ends here."""
        if effort.status != "active":
            raise ClaimRefused(f"{messages.effort_plain(effort)} is {effort.status}.")
        return await self.claims.claim(workspace, actor, effort, silo, reason=reason)

    async def register(
        self, workspace: int, actor: str, new: NewInitiative, silo: str | None
    ) -> ClaimResult:
        """The initiative modal: register the initiative and claim it in one go."""
        await self.claims.silo_for(workspace, actor, silo)  # refused: register nothing
        effort, _ = await self.efforts.register_initiative(workspace, actor, new)
        return await self.claim_effort(workspace, actor, effort, silo)

    async def tell_rivals(self, gateway: SlackGateway, result: ClaimResult, claimant: str) -> None:
        """Both sides of a contest learn it at once: the claimant in the reply, rivals by DM."""
        for rival in {owner.slack_id for owner in result.rivals}:
            notice = messages.contest_notice(result, claimant, rival)
            try:
                await gateway.post_message(rival, notice)
            except SlackFailure:
                continue  # logged by the gateway; the contest is visible in /coe who and Home

    async def offer(
        self, workspace: int, actor: str, args: TransferArgs, gateway: SlackGateway
    ) -> TransferOffer | Handover:
        """An owner's offer of their own claim (the new owner accepts), or an admin's transfer
        of someone's claim, which applies now."""
        effort = await self.effort(workspace, args.target, actor, gateway)
        to = await self.recipient(workspace, args.to)
        owner = await self.person(workspace, args.owner) if args.owner else None
        ownership = await self.claims.ownership(effort)
        if owner in (None, actor) and ownership.owned_by(actor):
            return await self._offer(workspace, actor, effort, to, args.reason, gateway)
        claims = self.claims
        handover = await claims.force_transfer(workspace, actor, ownership, to, args.reason, owner)
        await self._tell_of_handover(gateway, handover)
        return handover

    async def _offer(
        self,
        workspace: int,
        actor: str,
        effort: Effort,
        to: str,
        reason: str,
        gateway: SlackGateway,
    ) -> TransferOffer:
        """Sent before the reply, which would otherwise claim to have asked them."""
        if to == actor:
            raise ClaimRefused(f"You already own {messages.effort_plain(effort)}.")
        offer = await self.claims.offer_transfer(workspace, actor, effort, to, reason)
        await gateway.post_message(to, messages.transfer_offer(offer))
        return offer

    async def _tell_of_handover(self, gateway: SlackGateway, handover: Handover) -> None:
        """Both people of an admin's transfer learn it by DM; any rival silo, of the contest."""
        for person in {handover.from_id, handover.to_id} - {handover.actor}:
            try:
                await gateway.post_message(person, messages.handed_over(handover, person))
            except SlackFailure:
                continue  # logged by the gateway; their claims show in /coe who and Home
        await self.tell_rivals(gateway, handover.result, handover.to_id)

    async def accept(
        self, workspace: int, actor: str, offer_id: int, gateway: SlackGateway
    ) -> Handover:
        """The new owner accepts a handover; owners of other silos learn of any contest."""
        handover = await self.claims.accept_transfer(workspace, actor, offer_id)
        await self.tell_rivals(gateway, handover.result, actor)
        return handover

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
