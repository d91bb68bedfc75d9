from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond

from bot import arguments, coe, messages
from bot.blocks import Message
from bot.claims import ClaimRefused, ClaimResult, TransferOffer
from bot.gateway import SlackFailure, SlackGateway
from bot.overlaps.service import Overlaps
from bot.registry import Registry
from handlers.errors import explain

COMMANDS = ("/coe",)
DUPES_USAGE = "/coe dupes [mine|silo|all]"
# Slack shows the person "operation_timeout" 3 s after they typed; past this budget (a rate
# limit's Retry-After, say) the ack says so and the answer follows it.
ACK_BUDGET_SECONDS = 2.0


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
    for command in COMMANDS:
        app.command(command)(handle_coe)


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
    reply = await _answer_in_time(ack, respond, _reply(route, request))
    if reply.after:
        await reply.after()


async def _reply(route: Route, request: Request) -> Reply:
    try:
        return await route(request)
    except Exception as error:
        return Reply(explain(error))


async def _answer_in_time(
    ack: AsyncAck, respond: AsyncRespond, replying: Awaitable[Reply]
) -> Reply:
    """Ack with the reply when it is ready within the budget, else ack at once and send the
    reply after it."""
    answering = asyncio.ensure_future(replying)
    done, _ = await asyncio.wait({answering}, timeout=ACK_BUDGET_SECONDS)
    if done:
        reply = answering.result()
        await ack(**reply.message)
        return reply
    await ack(**messages.still_working())
    reply = await answering
    await respond(**reply.message, replace_original=False)
    return reply


async def show_help(request: Request) -> Reply:
    return Reply(messages.help_message(request.command["team_id"], request.command["api_app_id"]))


async def claim(request: Request) -> Reply:
    if not request.args:
        silos = await request.registry.people.silo_names(request.workspace)
        return Reply(messages.opening_form(), lambda: open_form(request, silos))
    args = arguments.parse_claim(request.args)
    result = await request.registry.claim(request.workspace, request.user, args, request.gateway)
    reason = args.description if isinstance(args.target, arguments.ChannelRef) else ""
    return Reply(
        messages.claim_result(result, request.user, reason), lambda: after_claim(request, result)
    )


async def open_form(request: Request, silos: list[str]) -> None:
    """Right after the ack, as the trigger expires 3 s after the command was typed."""
    trigger = request.command["trigger_id"]
    try:
        await request.gateway.open_modal(trigger, messages.initiative_form(silos))
    except SlackFailure as failure:
        await request.respond(**messages.form_not_opened(failure.advice), replace_original=False)


async def after_claim(request: Request, result: ClaimResult) -> None:
    """Off the 3-second path: the other owners of a contested effort learn it, and the claimant
    learns which efforts look like the same work."""
    if result.rivals:
        await request.registry.tell_rivals(request.gateway, result, request.user)
    effort = result.ownership.effort
    similar = await request.overlaps.check(request.workspace, effort)
    shown = await request.overlaps.shown_to(request.workspace, request.user, similar)
    if shown:
        await request.respond(**messages.similar_efforts(effort, shown), replace_original=False)


async def dupes(request: Request) -> Reply:
    scope = request.args.strip().lower() or "mine"
    if scope not in {"mine", "silo", "all"}:
        raise arguments.ArgumentError(f"I don't know the scope {scope[:20]}.", DUPES_USAGE)
    views = await request.overlaps.open_for(request.workspace, request.user, scope)
    return Reply(messages.dupes_list(views, scope))


async def release(request: Request) -> Reply:
    target, owner = arguments.parse_release(request.args)
    effort = await request.registry.effort(request.workspace, target, request.user, request.gateway)
    owner_id = await request.registry.person(request.workspace, owner) if owner else None
    claims = request.registry.claims
    ownership = await claims.release(request.workspace, request.user, effort, owner_id)
    return Reply(messages.released(ownership, request.user, owner_id))


async def transfer(request: Request) -> Reply:
    args = arguments.parse_transfer(request.args)
    outcome = await request.registry.offer(request.workspace, request.user, args, request.gateway)
    if isinstance(outcome, TransferOffer):
        return Reply(messages.transfer_offered(outcome))
    return Reply(messages.transferred(outcome, request.user))


async def who(request: Request) -> Reply:
    target = arguments.parse_target(request.args)
    if target is None:
        target = arguments.PersonRef(id=request.user, handle=None)
    answer = await request.registry.who(request.workspace, target, request.user, request.gateway)
    similar, related = [], []
    if isinstance(target, arguments.ChannelRef | arguments.InitiativeRef):
        efforts = [ownership.effort.id for ownership in answer.ownerships]
        pairs = await request.overlaps.open_pairs(request.workspace, efforts)
        similar = await request.overlaps.shown_to(request.workspace, request.user, pairs)
        linked = await request.overlaps.related_pairs(request.workspace, efforts)
        related = await request.overlaps.shown_to(request.workspace, request.user, linked)
    reply = messages.who_answer(answer.ownerships, request.user, answer.heading, similar, related)
    return Reply(reply)


async def find(request: Request) -> Reply:
    words = arguments.parse_words(request.args)
    if not words:
        raise arguments.ArgumentError("Tell me what to look for.", "/coe find words")
    found = await request.registry.find(request.workspace, words, request.user)
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
    summary = await people.summary(request.workspace)
    team, app = request.command["team_id"], request.command["api_app_id"]
    return Reply(messages.silo_list(summary, team, app))


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
