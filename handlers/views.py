from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import messages
from bot.efforts import NewInitiative
from handlers.errors import explain

FORMS = (messages.INITIATIVE_FORM,)


def register(app: AsyncApp) -> None:
    app.view(messages.INITIATIVE_FORM)(register_initiative)


def _field(values: dict[str, Any], block_id: str) -> Any:
    element = values.get(block_id, {}).get("value", {})
    if element.get("type") == "static_select":
        return (element.get("selected_option") or {}).get("value")
    if element.get("type") == "channels_select":
        return element.get("selected_channel")
    return (element.get("value") or "").strip()


async def register_initiative(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    values = view["state"]["values"]
    title = " ".join(_field(values, "title").split())
    if not title:
        await ack(response_action="errors", errors={"title": "Give the initiative a title."})
        return
    await ack()
    new = NewInitiative(
        title=title,
        description=_field(values, "description"),
        tags=tuple(t.strip() for t in _field(values, "tags").split(",") if t.strip()),
        working_channel_id=_field(values, "channel") or None,
    )
    user = body["user"]["id"]
    registry, gateway = context["services"].registry, context["gateway"]
    try:
        silo = _field(values, "silo") or None  # nothing picked: the person's own silo
        result = await registry.register(context["workspace"], user, new, silo)
        reply = messages.claim_result(result, user)
    except Exception as error:
        reply, result = explain(error), None
    await gateway.post_message(user, reply)
    if result is None:
        return
    if result.rivals:
        await registry.tell_rivals(gateway, result, user)
    effort, overlaps = result.ownership.effort, context["services"].overlaps
    similar = await overlaps.check(context["workspace"], effort)
    shown = await overlaps.shown_to(context["workspace"], user, similar)
    if shown:
        await gateway.post_message(user, messages.similar_efforts(effort, shown))
