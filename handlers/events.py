from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.home import publish_home
from bot.services import Services

Work = Callable[[dict[str, Any], AsyncBoltContext], Awaitable[None]]


def _services(context: AsyncBoltContext) -> Services:
    return context["services"]


async def channel_created(event: dict[str, Any], context: AsyncBoltContext) -> None:
    services, workspace = _services(context), context["workspace"]
    effort = await services.registry.efforts.remember_channel(workspace, event["channel"])
    similar = await services.overlaps.check(workspace, effort)
    creator = event["channel"].get("creator")
    if not (similar and creator):
        return
    shown = await services.overlaps.shown_to(workspace, creator, similar)
    if shown:
        await services.nudges.similar_work(context["gateway"], workspace, effort, creator, shown)


async def channel_renamed(event: dict[str, Any], context: AsyncBoltContext) -> None:
    services, workspace, channel = _services(context), context["workspace"], event["channel"]
    effort = await services.registry.efforts.rename_channel(
        workspace, channel["id"], channel["name"]
    )
    await services.overlaps.check(workspace, effort)


async def channel_archived(event: dict[str, Any], context: AsyncBoltContext) -> None:
    efforts = _services(context).registry.efforts
    await efforts.set_channel_status(context["workspace"], event["channel"], "archived")


async def channel_unarchived(event: dict[str, Any], context: AsyncBoltContext) -> None:
    efforts = _services(context).registry.efforts
    await efforts.set_channel_status(context["workspace"], event["channel"], "active")


async def channel_deleted(event: dict[str, Any], context: AsyncBoltContext) -> None:
    efforts = _services(context).registry.efforts
    await efforts.set_channel_status(context["workspace"], event["channel"], "deleted")


def _is_private(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "G"


async def member_joined(event: dict[str, Any], context: AsyncBoltContext) -> None:
    """Roundtable was added to a channel (private ones become visible to it only now), or
    someone joined a private channel it is in, who may see that channel from now on."""
    efforts, workspace = _services(context).registry.efforts, context["workspace"]
    if event.get("user") == context.bot_user_id:
        await efforts.learn_channel(workspace, event["channel"], context["gateway"])
    elif _is_private(event):
        await efforts.member_joined(workspace, event["channel"], event["user"])


async def member_left(event: dict[str, Any], context: AsyncBoltContext) -> None:
    efforts, workspace = _services(context).registry.efforts, context["workspace"]
    if event.get("user") == context.bot_user_id:
        await efforts.stop_tracking(workspace, event["channel"])
    elif _is_private(event):
        await efforts.member_left(workspace, event["channel"], event["user"])


async def removed_from_channel(event: dict[str, Any], context: AsyncBoltContext) -> None:
    """Roundtable was removed from a channel (`channel_left`, `group_left`): Slack may name a
    private channel in either, so what the registry knows of the channel decides."""
    efforts = _services(context).registry.efforts
    await efforts.stop_tracking(context["workspace"], event["channel"])


async def person_changed(event: dict[str, Any], context: AsyncBoltContext) -> None:
    registry, user = _services(context).registry, event["user"]
    if await registry.people.remember(context["workspace"], user):
        await registry.claims.orphan_claims_of(context["workspace"], user["id"])


async def home_opened(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if event.get("tab") == "home":
        registry = _services(context).registry
        await publish_home(context["gateway"], registry, context["workspace"], event["user"])


async def uninstalled(_event: dict[str, Any], context: AsyncBoltContext) -> None:
    workspaces = _services(context).workspaces
    await workspaces.uninstalled(context.enterprise_id, context.team_id)


async def tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
    tokens = event.get("tokens") or {}
    await _services(context).workspaces.tokens_revoked(
        context.enterprise_id, context.team_id, tokens.get("oauth") or [], bool(tokens.get("bot"))
    )


LISTENERS: dict[str, Work] = {
    "channel_created": channel_created,
    "channel_rename": channel_renamed,
    "group_rename": channel_renamed,
    "channel_archive": channel_archived,
    "group_archive": channel_archived,
    "channel_unarchive": channel_unarchived,
    "group_unarchive": channel_unarchived,
    "channel_deleted": channel_deleted,
    "group_deleted": channel_deleted,
    "member_joined_channel": member_joined,
    "member_left_channel": member_left,
    "channel_left": removed_from_channel,
    "group_left": removed_from_channel,
    "user_change": person_changed,
    "team_join": person_changed,
    "app_home_opened": home_opened,
    "app_uninstalled": uninstalled,
    "tokens_revoked": tokens_revoked,
}
EVENTS = tuple(LISTENERS)


def register(app: AsyncApp) -> None:
    for event_type, work in LISTENERS.items():
        app.event(event_type)(once(work))


def once(work: Work) -> Callable[..., Awaitable[None]]:
    """The listener for `work`: done once per event, however often Slack delivers it."""

    async def listener(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext):
        inbox = _services(context).inbox
        await inbox.process(context["workspace"], body, lambda: work(event, context))

    return listener
