"""The inner `event` objects Slack sends for workspace changes (the envelope is the driver's).

Private channels get the `group_*` twins of the channel events, as Slack sends them.
"""

from typing import Any

from bot.sandbox.workspace import Channel, User


def _typed(channel: Channel, public_type: str) -> str:
    return public_type.replace("channel_", "group_") if channel.is_private else public_type


def channel_created(channel: Channel, bot_id: str) -> dict[str, Any]:
    return {"type": "channel_created", "channel": channel.to_api(bot_id)}


def channel_renamed(channel: Channel) -> dict[str, Any]:
    return {
        "type": _typed(channel, "channel_rename"),
        "channel": {"id": channel.id, "name": channel.name, "created": channel.created},
    }


def channel_archived(channel: Channel, user_id: str) -> dict[str, Any]:
    return {"type": _typed(channel, "channel_archive"), "channel": channel.id, "user": user_id}


def channel_unarchived(channel: Channel, user_id: str) -> dict[str, Any]:
    return {"type": _typed(channel, "channel_unarchive"), "channel": channel.id, "user": user_id}


def channel_deleted(channel: Channel) -> dict[str, Any]:
    return {"type": _typed(channel, "channel_deleted"), "channel": channel.id}


def member_joined(
    channel: Channel, user_id: str, team_id: str, inviter: str | None = None
) -> dict[str, Any]:
    event = {
        "type": "member_joined_channel",
        "user": user_id,
        "channel": channel.id,
        "channel_type": channel.channel_type,
        "team": team_id,
    }
    if inviter:
        event["inviter"] = inviter
    return event


def member_left(channel: Channel, user_id: str, team_id: str) -> dict[str, Any]:
    return {
        "type": "member_left_channel",
        "user": user_id,
        "channel": channel.id,
        "channel_type": channel.channel_type,
        "team": team_id,
    }


def bot_removed(channel: Channel, remover_id: str) -> dict[str, Any]:
    """What the app's bot user is sent when someone removes it from a channel."""
    return {"type": _typed(channel, "channel_left"), "channel": channel.id, "actor_id": remover_id}


def user_changed(user: User) -> dict[str, Any]:
    return {"type": "user_change", "user": user.to_api(), "cache_ts": user.updated}


def team_joined(user: User) -> dict[str, Any]:
    return {"type": "team_join", "user": user.to_api()}


def app_home_opened(
    user_id: str, dm_channel_id: str, view: dict[str, Any] | None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": dm_channel_id,
        "tab": "home",
    }
    if view is not None:
        event["view"] = view
    return event
