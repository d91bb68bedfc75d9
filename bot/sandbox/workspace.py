"""The state of the fake workspace: people, channels, messages, user groups, files and views.

Everything here is plain data and the mutations Slack would make; who may do what is decided
by the Web API layer (`web_api.py`) and by the human actions (`human.py`).
"""

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.clock import Clock
from bot.sandbox.ids import IdFactory

APP_ID = "A0SANDBOX01"
BOT_ICON = "https://a.slack-edge.com/80588/img/plugins/app/bot_{size}.png"
_CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


def validate_channel_name(name: str) -> None:
    """Slack's rules: lowercase letters, digits, '-', '_' and '.', at most 80 characters."""
    if not _CHANNEL_NAME.fullmatch(name):
        raise ValueError(
            f"invalid channel name {name!r}: use at most 80 lowercase letters, digits, '-', '_' "
            "or '.', without spaces"
        )


@dataclass
class TopicOrPurpose:
    value: str = ""
    creator: str = ""
    last_set: int = 0

    def to_api(self) -> dict[str, Any]:
        return {"value": self.value, "creator": self.creator, "last_set": self.last_set}


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str
    title: str = ""
    display_name: str = ""
    email: str = ""
    tz: str = "America/Los_Angeles"
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    updated: int = 0

    @property
    def label(self) -> str:
        """How a person sees this user's name in Slack."""
        return self.display_name or self.name

    def to_api(self) -> dict[str, Any]:
        now_there = datetime.now(ZoneInfo(self.tz))
        offset = now_there.utcoffset()
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": now_there.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": self._profile(),
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": self.updated,
        }

    def _profile(self) -> dict[str, Any]:
        first, _, last = self.real_name.partition(" ")
        profile: dict[str, Any] = {
            "title": self.title,
            "phone": "",
            "skype": "",
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "fields": {},
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + self.id[-11:].lower(),
            "first_name": first,
            "last_name": last,
            "team": self.team_id,
        }
        if self.email:
            profile["email"] = self.email
        if self.bot_id:
            profile.update(bot_id=self.bot_id, api_app_id=APP_ID, always_active=True)
        return profile


@dataclass
class Channel:
    """A public or private channel, or the bot's DM with one person (`im_user`)."""

    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    im_user: str | None = None
    is_archived: bool = False
    purpose: TopicOrPurpose = field(default_factory=TopicOrPurpose)
    topic: TopicOrPurpose = field(default_factory=TopicOrPurpose)
    members: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    previous_names: list[str] = field(default_factory=list)

    @property
    def is_im(self) -> bool:
        return self.im_user is not None

    @property
    def channel_type(self) -> str:
        """The letter Slack puts in `channel_type` of membership events."""
        return "G" if self.is_private else "C"

    def has_member(self, user_id: str) -> bool:
        return user_id in self.members

    def add_member(self, user_id: str) -> None:
        if user_id not in self.members:
            self.members.append(user_id)

    def find_message(self, ts: str) -> dict[str, Any] | None:
        return next((message for message in self.messages if message["ts"] == ts), None)

    def top_level_messages(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("thread_ts", m["ts"]) == m["ts"]]

    def thread(self, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]

    def to_api(self, viewer_id: str, *, include_num_members: bool = False) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_open": True,
                "priority": 0,
            }
        conversation: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "creator": self.creator,
            "is_member": self.has_member(viewer_id),
            "topic": self.topic.to_api(),
            "purpose": self.purpose.to_api(),
            "previous_names": list(self.previous_names),
        }
        if include_num_members:
            conversation["num_members"] = len(self.members)
        return conversation


@dataclass
class Usergroup:
    id: str
    team_id: str
    handle: str
    name: str
    description: str
    users: list[str]
    created_by: str
    date_create: int

    def to_api(self, *, include_users: bool, include_count: bool) -> dict[str, Any]:
        group: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": self.name,
            "description": self.description,
            "handle": self.handle,
            "is_external": False,
            "date_create": self.date_create,
            "date_update": self.date_create,
            "date_delete": 0,
            "auto_type": None,
            "auto_provision": False,
            "enterprise_subteam_id": "",
            "created_by": self.created_by,
            "updated_by": self.created_by,
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
        }
        if include_users:
            group["users"] = list(self.users)
        if include_count:
            group["user_count"] = len(self.users)
        return group


@dataclass
class UploadedFile:
    id: str
    filename: str
    declared_length: int
    user: str
    created: int
    title: str = ""
    content: bytes | None = None
    channels: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.content) if self.content is not None else 0

    def to_api(self) -> dict[str, Any]:
        mimetype = mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        extension = self.filename.rpartition(".")[2].lower() if "." in self.filename else ""
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": mimetype,
            "filetype": extension or "binary",
            "pretty_type": extension.upper() or "Binary",
            "user": self.user,
            "size": self.size,
            "mode": "hosted",
            "is_external": False,
            "is_public": any(c.startswith("C") for c in self.channels),
            "channels": [c for c in self.channels if c.startswith("C")],
            "ims": [c for c in self.channels if c.startswith("D")],
        }


class Workspace:
    """One Slack team with its bot user, and the state Slack keeps for it."""

    def __init__(
        self,
        *,
        team_id: str,
        team_name: str,
        domain: str,
        enterprise_id: str | None,
        app_name: str,
        clock: Clock,
        ids: IdFactory,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.domain = domain
        self.enterprise_id = enterprise_id
        self.app_name = app_name
        self.clock = clock
        self.ids = ids
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, Usergroup] = {}
        self.files: dict[str, UploadedFile] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, str] = {}
        self.modal_stacks: dict[str, list[str]] = {}
        self._dms: dict[str, str] = {}
        self.bot = self._add_bot_user(app_name)
        self.bot_token = f"xoxb-sandbox-{ids.digits(12)}-{ids.hex(24)}"
        # Derived, not drawn: a new draw would change every id issued after it.
        self.app_token = f"xapp-1-{APP_ID}-{self.bot_token.removeprefix('xoxb-sandbox-')}"

    def _add_bot_user(self, app_name: str) -> User:
        bot = User(
            id=self.ids.new("U"),
            team_id=self.team_id,
            name=re.sub(r"[^a-z0-9_-]", "", app_name.lower()) or "app",
            real_name=app_name,
            display_name=app_name,
            is_bot=True,
            bot_id=self.ids.new("B"),
            updated=self.now(),
        )
        self.users[bot.id] = bot
        return bot

    def now(self) -> int:
        return int(self.clock.now())

    # People -------------------------------------------------------------------------------

    def add_user(self, name: str, **attributes: Any) -> User:
        if self.user_named(name):
            raise ValueError(f"a user named {name!r} already exists")
        ZoneInfo(attributes.get("tz", "America/Los_Angeles"))  # unknown zones fail here
        attributes.setdefault("real_name", name.replace(".", " ").title())
        attributes.setdefault("email", f"{name}@{self.domain}.example.com")
        user = User(
            id=self.ids.new("U"), team_id=self.team_id, name=name, updated=self.now(), **attributes
        )
        self.users[user.id] = user
        return user

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def user_named(self, name: str) -> User | None:
        return next((u for u in self.users.values() if u.name == name), None)

    def touch(self, user: User) -> None:
        user.updated = self.now()

    # Channels -----------------------------------------------------------------------------

    def add_channel(
        self,
        name: str,
        *,
        creator: str,
        purpose: str = "",
        topic: str = "",
        private: bool = False,
        members: list[str] | None = None,
    ) -> Channel:
        validate_channel_name(name)
        if self.channel_named(name):
            raise ValueError(f"a channel named #{name} already exists")
        now = self.now()
        channel = Channel(
            id=self.ids.new("C"),
            name=name,
            created=now,
            creator=creator,
            is_private=private,
            purpose=TopicOrPurpose(purpose, creator if purpose else "", now if purpose else 0),
            topic=TopicOrPurpose(topic, creator if topic else "", now if topic else 0),
        )
        for member in [creator, *(members or [])]:
            channel.add_member(member)
        self.channels[channel.id] = channel
        return channel

    def channel(self, channel_id: str) -> Channel | None:
        return self.channels.get(channel_id)

    def channel_named(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def dm_with(self, user_id: str) -> Channel:
        """The bot's direct-message channel with a person, opened on first use."""
        if user_id not in self._dms:
            channel = Channel(
                id=self.ids.new("D"),
                name="directmessage",  # what Slack puts in payloads' channel names for DMs
                created=self.now(),
                creator=user_id,
                im_user=user_id,
                members=[user_id, self.bot.id],
            )
            self.channels[channel.id] = channel
            self._dms[user_id] = channel.id
        return self.channels[self._dms[user_id]]

    def has_dm(self, user_id: str) -> bool:
        return user_id in self._dms

    def visible_to_bot(self, channel: Channel) -> bool:
        """Bot tokens see every public channel, and private ones and DMs they are in."""
        return not (channel.is_private or channel.is_im) or channel.has_member(self.bot.id)

    def rename_channel(self, channel: Channel, new_name: str) -> None:
        validate_channel_name(new_name)
        if self.channel_named(new_name):
            raise ValueError(f"a channel named #{new_name} already exists")
        channel.previous_names.insert(0, channel.name)
        channel.name = new_name

    def delete_channel(self, channel: Channel) -> None:
        del self.channels[channel.id]

    # Messages -----------------------------------------------------------------------------

    def bot_message(self, text: str, **fields: Any) -> dict[str, Any]:
        """A message as the bot posts it, in the shape conversations.history returns."""
        message = {
            "type": "message",
            "user": self.bot.id,
            "bot_id": self.bot.bot_id,
            "text": text,
            "ts": self.clock.next_ts(),
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot.bot_id,
                "deleted": False,
                "name": self.app_name,
                "updated": self.bot.updated,
                "app_id": APP_ID,
                "icons": {f"image_{size}": BOT_ICON.format(size=size) for size in (36, 48, 72)},
                "team_id": self.team_id,
            },
        }
        message.update({key: value for key, value in fields.items() if value is not None})
        return message

    def add_message(self, channel: Channel, message: dict[str, Any]) -> dict[str, Any]:
        """Store a message; a reply joins its thread and updates the thread's parent."""
        if "thread_ts" in message:
            self._attach_to_thread(channel, message)
        channel.messages.append(message)
        return message

    def _attach_to_thread(self, channel: Channel, reply: dict[str, Any]) -> None:
        target = channel.find_message(reply["thread_ts"])
        if target is None:
            return
        root = channel.find_message(target.get("thread_ts", target["ts"])) or target
        reply["thread_ts"] = root["ts"]
        reply["parent_user_id"] = root.get("user", self.bot.id)
        reply_users = root.setdefault("reply_users", [])
        if reply["user"] not in reply_users:
            reply_users.append(reply["user"])
        root.update(
            thread_ts=root["ts"],
            reply_count=root.get("reply_count", 0) + 1,
            reply_users_count=len(reply_users),
            latest_reply=reply["ts"],
        )

    def delete_message(self, channel: Channel, ts: str) -> None:
        channel.messages = [m for m in channel.messages if m["ts"] != ts]

    def find_ephemeral(self, ts: str) -> dict[str, Any] | None:
        return next((e for e in self.ephemerals if e["ts"] == ts), None)

    # User groups and files ----------------------------------------------------------------

    def add_usergroup(
        self, handle: str, *, name: str, users: list[str], description: str = ""
    ) -> Usergroup:
        group = Usergroup(
            id=self.ids.new("S"),
            team_id=self.team_id,
            handle=handle,
            name=name,
            description=description,
            users=list(users),
            created_by=users[0] if users else self.bot.id,
            date_create=self.now(),
        )
        self.usergroups[group.id] = group
        return group

    def new_file(self, filename: str, declared_length: int) -> UploadedFile:
        upload = UploadedFile(
            id=self.ids.new("F"),
            filename=filename,
            declared_length=declared_length,
            user=self.bot.id,
            created=self.now(),
        )
        self.files[upload.id] = upload
        return upload

    # Views --------------------------------------------------------------------------------

    def store_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        """Give a view the fields Slack adds (id, hash, state...) and keep it."""
        stored = {
            "id": view_id or self.ids.new("V"),
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self.clock.now())}.{self.ids.hex(8)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "app_id": APP_ID,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot.bot_id,
        }
        for key in ("title", "submit", "close"):
            if key in view:
                stored[key] = view[key]
        stored["root_view_id"] = stored["id"]
        self.views[stored["id"]] = stored
        return stored

    def find_view(self, *, view_id: str | None, external_id: str | None) -> dict[str, Any] | None:
        if view_id:
            return self.views.get(view_id)
        return next(
            (v for v in self.views.values() if external_id and v["external_id"] == external_id),
            None,
        )

    def view_owner(self, view_id: str) -> str:
        """The user a home tab or an open modal belongs to ("" when none)."""
        for user_id, home_id in self.home_views.items():
            if home_id == view_id:
                return user_id
        for user_id, stack in self.modal_stacks.items():
            if view_id in stack:
                return user_id
        return ""

    def open_modals(self, user_id: str) -> list[dict[str, Any]]:
        return [self.views[view_id] for view_id in self.modal_stacks.get(user_id, [])]

    def close_modals(self, user_id: str) -> None:
        self.modal_stacks.pop(user_id, None)

    # Names, for people reading transcripts ---------------------------------------------------

    def user_label(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return user.label if user else user_id

    def channel_label(self, channel_id: str) -> str:
        channel = self.channels.get(channel_id)
        if channel is None:
            return channel_id
        if channel.is_im:
            return f"DM with {self.user_label(channel.im_user or '')}"
        return f"#{channel.name}"
