"""What people do in the workspace: each action changes the state and sends the app the event
Slack would send it (through the driver, when an app is connected).

Slack tells a bot about a private channel only when the bot is in it, and about people joining
or leaving a channel only for channels the bot is in.
"""

from typing import Any

from bot.sandbox import events
from bot.sandbox.driver import DriverResponse, SlackDriver
from bot.sandbox.transcript import Transcript
from bot.sandbox.workspace import Channel, User, Workspace

Delivered = DriverResponse | None


class HumanActions:
    def __init__(self, workspace: Workspace, transcript: Transcript, driver: SlackDriver) -> None:
        self._ws = workspace
        self._transcript = transcript
        self._driver = driver

    # Channels -----------------------------------------------------------------------------

    async def create_channel(
        self, user_id: str, name: str, purpose: str = "", private: bool = False
    ) -> str:
        """Create a channel (its creator becomes a member); returns its id."""
        self._user(user_id)
        channel = self._ws.add_channel(name, creator=user_id, purpose=purpose, private=private)
        kind = "private channel" if private else "channel"
        self._transcript.human(user_id, f"created {kind} #{name}", channel=channel.id)
        if not private:
            await self._driver.notify(events.channel_created(channel, self._ws.bot.id))
        return channel.id

    async def rename_channel(self, user_id: str, channel_id: str, new_name: str) -> Delivered:
        channel = self._channel(channel_id)
        old_name = channel.name
        self._ws.rename_channel(channel, new_name)
        self._transcript.human(user_id, f"renamed #{old_name} to #{new_name}", channel=channel.id)
        return await self._notify_if_visible(channel, events.channel_renamed(channel))

    async def archive_channel(self, user_id: str, channel_id: str) -> Delivered:
        channel = self._channel(channel_id)
        channel.is_archived = True
        self._transcript.human(user_id, f"archived #{channel.name}", channel=channel.id)
        return await self._notify_if_visible(channel, events.channel_archived(channel, user_id))

    async def unarchive_channel(self, user_id: str, channel_id: str) -> Delivered:
        channel = self._channel(channel_id)
        channel.is_archived = False
        self._transcript.human(user_id, f"unarchived #{channel.name}", channel=channel.id)
        return await self._notify_if_visible(channel, events.channel_unarchived(channel, user_id))

    async def delete_channel(self, user_id: str, channel_id: str) -> Delivered:
        channel = self._channel(channel_id)
        event = events.channel_deleted(channel)
        was_visible = self._ws.visible_to_bot(channel)
        self._ws.delete_channel(channel)
        self._transcript.human(user_id, f"deleted #{channel.name}", channel=channel.id)
        return await self._driver.notify(event) if was_visible else None

    async def set_purpose(self, user_id: str, channel_id: str, purpose: str) -> None:
        """Change the purpose; Slack records it in the channel's history (no bot event)."""
        channel = self._channel(channel_id)
        channel.purpose.value = purpose
        channel.purpose.creator = user_id
        channel.purpose.last_set = self._ws.now()
        self._ws.add_message(
            channel,
            {
                "type": "message",
                "subtype": "channel_purpose",
                "user": user_id,
                "text": f"set the channel purpose: {purpose}",
                "purpose": purpose,
                "ts": self._ws.clock.next_ts(),
            },
        )
        self._transcript.human(
            user_id, f"set the purpose of #{channel.name}: {purpose}", channel=channel.id
        )

    # Membership ---------------------------------------------------------------------------

    async def join_channel(self, user_id: str, channel_id: str) -> Delivered:
        channel = self._channel(channel_id)
        self._user(user_id)
        channel.add_member(user_id)
        self._transcript.human(user_id, f"joined #{channel.name}", channel=channel.id)
        return await self._notify_members_joined(channel, [user_id])

    async def invite(self, inviter_id: str, channel_id: str, user_ids: list[str]) -> Delivered:
        """`/invite` people (or the app's bot user) into a channel."""
        channel = self._channel(channel_id)
        for user_id in user_ids:
            self._user(user_id)
            channel.add_member(user_id)
        names = ", ".join("@" + self._ws.user_label(user_id) for user_id in user_ids)
        self._transcript.human(
            inviter_id, f"invited {names} to #{channel.name}", channel=channel.id
        )
        return await self._notify_members_joined(channel, user_ids, inviter=inviter_id)

    async def leave_channel(self, user_id: str, channel_id: str) -> Delivered:
        channel = self._channel(channel_id)
        if user_id in channel.members:
            channel.members.remove(user_id)
        self._transcript.human(user_id, f"left #{channel.name}", channel=channel.id)
        if not channel.has_member(self._ws.bot.id):
            return None
        return await self._driver.notify(events.member_left(channel, user_id, self._ws.team_id))

    async def remove_from_channel(
        self, remover_id: str, channel_id: str, user_id: str
    ) -> Delivered:
        """Remove someone from a channel. Removing the app's bot user sends it `channel_left`
        (`group_left` for a private channel) rather than a membership event."""
        channel = self._channel(channel_id)
        bot_was_in = channel.has_member(self._ws.bot.id)
        if user_id in channel.members:
            channel.members.remove(user_id)
        self._transcript.human(
            remover_id,
            f"removed @{self._ws.user_label(user_id)} from #{channel.name}",
            channel=channel.id,
        )
        if user_id == self._ws.bot.id:
            return await self._driver.notify(events.bot_removed(channel, remover_id))
        if not bot_was_in:
            return None
        return await self._driver.notify(events.member_left(channel, user_id, self._ws.team_id))

    async def _notify_members_joined(
        self, channel: Channel, user_ids: list[str], inviter: str | None = None
    ) -> Delivered:
        if not channel.has_member(self._ws.bot.id):
            return None
        delivered = None
        for user_id in user_ids:
            event = events.member_joined(channel, user_id, self._ws.team_id, inviter=inviter)
            delivered = await self._driver.notify(event)
        return delivered

    # People -------------------------------------------------------------------------------

    async def add_member(self, name: str, **attributes: Any) -> str:
        """A new person joins the workspace; returns their user id."""
        user = self._ws.add_user(name, **attributes)
        self._transcript.human(user.id, "joined the workspace")
        await self._driver.notify(events.team_joined(user))
        return user.id

    async def update_profile(self, user_id: str, **changes: Any) -> Delivered:
        """Change profile fields (title, real_name, display_name, tz...)."""
        user = self._user(user_id)
        for name, value in changes.items():
            if not hasattr(user, name):
                raise ValueError(f"users have no field {name!r}")
            setattr(user, name, value)
        self._ws.touch(user)
        described = ", ".join(f"{name} to {value!r}" for name, value in changes.items())
        self._transcript.human(user_id, f"changed their {described}")
        return await self._driver.notify(events.user_changed(user))

    async def deactivate_user(self, user_id: str) -> Delivered:
        user = self._user(user_id)
        user.deleted = True
        self._ws.touch(user)
        self._transcript.human(user_id, "was deactivated")
        return await self._driver.notify(events.user_changed(user))

    async def open_app_home(self, user_id: str) -> Delivered:
        self._user(user_id)
        dm = self._ws.dm_with(user_id)
        view_id = self._ws.home_views.get(user_id)
        view = self._ws.views.get(view_id) if view_id else None
        self._transcript.human(user_id, f"opened the App Home of {self._ws.app_name}")
        return await self._driver.notify(events.app_home_opened(user_id, dm.id, view))

    # Lookups ------------------------------------------------------------------------------

    async def _notify_if_visible(self, channel: Channel, event: dict[str, Any]) -> Delivered:
        if not self._ws.visible_to_bot(channel):
            return None
        return await self._driver.notify(event)

    def _user(self, user_id: str) -> User:
        user = self._ws.user(user_id)
        if user is None:
            raise ValueError(f"no user {user_id}")
        return user

    def _channel(self, channel_id: str) -> Channel:
        channel = self._ws.channel(channel_id)
        if channel is None:
            raise ValueError(f"no channel {channel_id}")
        return channel
