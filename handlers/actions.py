from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond

from bot import messages
from bot.blocks import Message
from bot.gateway import SlackFailure, SlackGateway
from bot.home import publish_home
from bot.registry import Registry
from bot.services import Services
from handlers.errors import explain
from storage.models import Effort


def register(app: AsyncApp) -> None:
    app.action(messages.SHOW_HELP)(show_help)
    app.action("open_home")(acknowledge_link)
    app.action(messages.REGISTER_INITIATIVE)(open_initiative_form)
    for action_id, work in EFFORT_ACTIONS.items():
        app.action(action_id)(effort_action(work))
    for action_id in messages.ANSWER_OF_ACTION:
        app.action(action_id)(answer_overlap)
    for action_id in messages.SCOPE_OF_ACTION:
        app.action(action_id)(show_dupes)
    app.action(messages.ACCEPT_TRANSFER)(handover_answer(accept))
    app.action(messages.DECLINE_TRANSFER)(handover_answer(decline))


async def show_help(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    await ack()
    if body.get("view"):
        # The gateway logs a failure; on App Home there is no reply channel to explain it in.
        with suppress(SlackFailure):
            await context["gateway"].open_modal(body["trigger_id"], messages.help_modal())
        return
    team_id = body["team"]["id"]
    await respond(**messages.help_message(team_id, body["api_app_id"]), replace_original=False)


async def acknowledge_link(ack: AsyncAck) -> None:
    """Slack sends an action for link buttons too; unanswered, it shows the person a warning."""
    await ack()


async def open_initiative_form(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    await ack()
    silos = await context["services"].registry.people.silo_names(context["workspace"])
    try:
        await context["gateway"].open_modal(body["trigger_id"], messages.initiative_form(silos))
    except SlackFailure as failure:
        await _answer(body, respond, context, messages.form_not_opened(failure.advice))


async def claim(
    services: Services, workspace: int, user: str, effort: Effort, context: AsyncBoltContext
) -> Message:
    registry = services.registry
    result = await registry.claim_effort(workspace, user, effort)
    if result.rivals:
        await registry.tell_rivals(context["gateway"], result, user)
    return messages.claim_result(result, user)


async def release(
    services: Services, workspace: int, user: str, effort: Effort, _context: AsyncBoltContext
) -> Message:
    return messages.released(await services.registry.claims.release(workspace, user, effort), user)


async def share(
    services: Services, workspace: int, user: str, effort: Effort, _context: AsyncBoltContext
) -> Message:
    ownership = await services.registry.claims.agree_to_share(workspace, user, effort)
    return messages.shared(ownership, user)


async def show_owners(
    services: Services, _workspace: int, user: str, effort: Effort, _context: AsyncBoltContext
) -> Message:
    ownership = await services.registry.claims.ownership(effort)
    return messages.who_answer([ownership], user, f"Who owns {messages.effort_plain(effort)}")


EFFORT_ACTIONS = {
    messages.CLAIM: claim,
    messages.RELEASE: release,
    messages.STEP_BACK: release,
    messages.SHARE: share,
    messages.SHOW_OWNERS: show_owners,
}


EffortWork = Callable[[Services, int, str, Effort, AsyncBoltContext], Awaitable[Message]]


def effort_action(work: EffortWork) -> Callable[..., Awaitable[None]]:
    """A button whose value is an effort ID: act on it, then refresh where it was clicked."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        services, workspace, user = context["services"], context["workspace"], body["user"]["id"]
        try:
            effort = await services.registry.efforts.get(workspace, int(action.get("value", 0)))
            reply = await work(services, workspace, user, effort, context)
        except Exception as error:
            reply = explain(error)
        await _answer(body, respond, context, reply)

    return listener


async def answer_overlap(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    overlaps, user = context["services"].overlaps, body["user"]["id"]
    answer = messages.ANSWER_OF_ACTION[action["action_id"]]
    try:
        view = await overlaps.decide(context["workspace"], int(action["value"]), user, answer)
    except Exception as error:
        await _refuse(body, respond, context, explain(error))
        return
    shown = (body.get("message") or {}).get("blocks")
    if shown:
        decided = messages.with_answer(shown, view)
        await respond(text=body["message"].get("text", ""), blocks=decided, replace_original=True)
    elif body.get("view", {}).get("type") == "home":
        await _answer(body, respond, context, messages.overlap_decided(view))
    else:
        # Slack does not send an ephemeral message's blocks back, so the other pairs in it
        # stay as they are and the answer comes as a new message.
        await respond(**messages.overlap_decided(view), replace_original=False)


async def show_dupes(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    scope, user = messages.SCOPE_OF_ACTION[action["action_id"]], body["user"]["id"]
    views = await context["services"].overlaps.open_for(context["workspace"], user, scope)
    await _answer(body, respond, context, messages.dupes_list(views, scope))


Render = Callable[[str], Message]
Answer = Callable[[Registry, SlackGateway, int, str, int], Awaitable[tuple[str, Render]]]


async def accept(
    registry: Registry, gateway: SlackGateway, workspace: int, user: str, offer_id: int
) -> tuple[str, Render]:
    handover = await registry.accept(workspace, user, offer_id, gateway)
    return handover.from_id, lambda viewer: messages.transferred(handover, viewer)


async def decline(
    registry: Registry, _gateway: SlackGateway, workspace: int, user: str, offer_id: int
) -> tuple[str, Render]:
    offer = await registry.claims.decline_transfer(workspace, user, offer_id)
    return offer.from_id, lambda viewer: messages.transfer_declined(offer, viewer)


def handover_answer(work: Answer) -> Callable[..., Awaitable[None]]:
    """The recipient of a handover answers it; the person who offered it is told too."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        registry, gateway, user = (
            context["services"].registry,
            context["gateway"],
            body["user"]["id"],
        )
        try:
            offer_id = int(action["value"])
            offerer, render = await work(registry, gateway, context["workspace"], user, offer_id)
            reply = render(user)
            with suppress(SlackFailure):
                await context["gateway"].post_message(offerer, render(offerer))
        except Exception as error:
            reply = explain(error)
        await _answer(body, respond, context, reply)

    return listener


async def _refuse(
    body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext, refusal: Message
) -> None:
    """Say why a click cannot be done beside the message clicked, which may list other items
    still to answer; on App Home, as `_answer` does."""
    if body.get("view", {}).get("type") == "home":
        await _answer(body, respond, context, refusal)
    else:
        await respond(**refusal, replace_original=False)


async def _answer(
    body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext, reply: Message
) -> None:
    """Replace the message that was clicked; on App Home, redraw the Home tab and send the
    answer as a direct message."""
    if body.get("view", {}).get("type") != "home":
        await respond(**reply, replace_original=True)
        return
    user, gateway = body["user"]["id"], context["gateway"]
    await publish_home(gateway, context["services"].registry, context["workspace"], user)
    await gateway.post_message(user, reply)
