from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond

from bot import arguments, coe, messages
from bot.blocks import Message
from bot.claims import ClaimRefused, ClaimResult, TransferOffer
from bot.gateway import SlackGateway
from bot.overlaps.service import Overlaps
from bot.registry import Registry
from handlers.errors import explain

COMMANDS = ("/coe",)
DUPES_USAGE = "/coe dupes [mine|silo|all]"


@dataclass
class Request:
    """One /coe invocation: who typed what where, and what to work with."""

    args: str
    user: str
    command: dict[str, Any]
    workspace: int
    gateway: SlackGateway
    registry: Registry
    overlaps: Overlaps
    respond: AsyncRespond


@dataclass
class Reply:
    message: Message
    after: Callable[[], Awaitable[None]] | None = field(default=None)


def register(app: AsyncApp) -> None:
    app.command("/coe")(handle_coe)


async def handle_coe(
    ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    text = command.get("text") or ""
    if len(text) > coe.MAX_TEXT:
        await ack(**messages.text_too_long(coe.MAX_TEXT))
        return
    parsed = coe.parse(text)
    route = ROUTES.get(parsed.name)
    if route is None:
        await ack(**messages.unknown_command(parsed.name))
        return
    request = Request(
        args=parsed.args,
        user=command["user_id"],
        command=command,
        workspace=context["workspace"],
        gateway=context["gateway"],
        registry=context["services"].registry,
        overlaps=context["services"].overlaps,
        respond=respond,
    )
    try:
        reply = await route(request)
    except Exception as error:
        reply = Reply(explain(error))
    await ack(**reply.message)
    if reply.after:
        await reply.after()


async def show_help(request: Request) -> Reply:
    return Reply(messages.help_message(request.command["team_id"], request.command["api_app_id"]))


async def claim(request: Request) -> Reply:
    if not request.args:
        trigger = request.command["trigger_id"]
        silos = await request.registry.people.silo_names(request.workspace)
        return Reply(
            messages.opening_form(),
            lambda: request.gateway.open_modal(trigger, messages.initiative_form(silos)),
        )
    args = arguments.parse_claim(request.args)
    result = await request.registry.claim(request.workspace, request.user, args, request.gateway)
    return Reply(messages.claim_result(result, request.user), lambda: after_claim(request, result))


async def after_claim(request: Request, result: ClaimResult) -> None:
    """Off the 3-second path: the other owners of a contested effort learn it, and the claimant
    learns which efforts look like the same work."""
    if result.rivals:
        await request.registry.tell_rivals(request.gateway, result, request.user)
    effort = result.ownership.effort
    similar = await request.overlaps.check(request.workspace, effort)
    if similar:
        await request.respond(**messages.similar_efforts(effort, similar), replace_original=False)


async def dupes(request: Request) -> Reply:
    scope = request.args.strip().lower() or "mine"
    if scope not in {"mine", "silo", "all"}:
        raise arguments.ArgumentError(f"I don't know the scope {scope[:20]}.", DUPES_USAGE)
    views = await request.overlaps.open_for(request.workspace, request.user, scope)
    return Reply(messages.dupes_list(views, scope))


async def release(request: Request) -> Reply:
    target, owner = arguments.parse_release(request.args)
    effort = await request.registry.effort(request.workspace, target, request.gateway)
    owner_id = await request.registry.person(request.workspace, owner) if owner else None
    claims = request.registry.claims
    ownership = await claims.release(request.workspace, request.user, effort, owner_id)
    return Reply(messages.released(ownership, request.user, owner_id))


async def transfer(request: Request) -> Reply:
    args = arguments.parse_transfer(request.args)
    outcome = await request.registry.offer(request.workspace, request.user, args, request.gateway)
    if isinstance(outcome, TransferOffer):
        offer = outcome
        return Reply(
            messages.transfer_offered(offer),
            lambda: request.gateway.post_message(offer.to_id, messages.transfer_offer(offer)),
        )
    return Reply(messages.transferred(outcome, request.user))


async def who(request: Request) -> Reply:
    target = arguments.parse_target(request.args)
    if target is None:
        target = arguments.PersonRef(id=request.user, handle=None)
    answer = await request.registry.who(request.workspace, target, request.gateway)
    similar, related = [], []
    if isinstance(target, arguments.ChannelRef | arguments.InitiativeRef):
        efforts = [ownership.effort.id for ownership in answer.ownerships]
        similar = await request.overlaps.open_pairs(request.workspace, efforts)
        related = await request.overlaps.related_pairs(request.workspace, efforts)
    reply = messages.who_answer(answer.ownerships, request.user, answer.heading, similar, related)
    return Reply(reply)


async def find(request: Request) -> Reply:
    words = arguments.parse_words(request.args)
    if not words:
        raise arguments.ArgumentError("Tell me what to look for.", "/coe find words")
    found = await request.registry.find(request.workspace, words)
    return Reply(messages.find_results(words, found, request.user))


async def silos(request: Request) -> Reply:
    people = request.registry.people
    if request.args.lower().startswith("set"):
        assignment = arguments.parse_silo_assignment(request.args[3:])
        if not await request.registry.claims.is_admin(request.workspace, request.user):
            raise ClaimRefused("Only an admin can assign people to silos.")
        person = await request.registry.person(request.workspace, assignment.person)
        silo = await request.registry.claims.silo_named(request.workspace, assignment.silo)
        await people.assign(request.workspace, person, silo.name, request.user)
        return Reply(messages.silo_assigned(person, silo.name))
    return Reply(messages.silo_list(await people.summary(request.workspace)))


Route = Callable[[Request], Awaitable[Reply]]
ROUTES: dict[str, Route] = {
    "help": show_help,
    "claim": claim,
    "release": release,
    "transfer": transfer,
    "who": who,
    "find": find,
    "silos": silos,
    "dupes": dupes,
}
