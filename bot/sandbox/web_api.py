"""The Web API methods, as pure functions of the workspace and the call's arguments.

Every method acts as the app's bot user (the only token the sandbox issues) and answers with the
fields Slack documents, or raises `SlackError` with Slack's error code.
"""

from collections.abc import Callable
from typing import Any

from bot.sandbox import events
from bot.sandbox.api_args import Args, SlackError, paginate
from bot.sandbox.block_kit import MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS, valid_blocks
from bot.sandbox.interactivity import Triggers
from bot.sandbox.transcript import Transcript
from bot.sandbox.workspace import Channel, UploadedFile, User, Workspace

MAX_TEXT_LENGTH = 40_000
MAX_INVITEES = 1000
MAX_MODAL_STACK = 3
# Slack's contract names no `invalid_cursor` for conversations.list and conversations.history;
# `invalid_arguments` is an error of every method.
UNLISTED_CURSOR_ERROR = "invalid_arguments"

Method = Callable[[Args], dict[str, Any]]
EventSink = Callable[[dict[str, Any]], None]


class WebApi:
    def __init__(
        self,
        workspace: Workspace,
        transcript: Transcript,
        triggers: Triggers,
        *,
        upload_url: Callable[[str], str],
        socket_url: Callable[[], str],
        emit_event: EventSink,
    ) -> None:
        self._ws = workspace
        self._transcript = transcript
        self._triggers = triggers
        self._upload_url = upload_url
        self._socket_url = socket_url
        self._emit_event = emit_event
        self.methods: dict[str, Method] = {
            "auth.test": self.auth_test,
            "apps.connections.open": self.apps_connections_open,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "conversations.info": self.conversations_info,
            "conversations.list": self.conversations_list,
            "conversations.members": self.conversations_members,
            "conversations.join": self.conversations_join,
            "conversations.invite": self.conversations_invite,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "usergroups.list": self.usergroups_list,
            "usergroups.users.list": self.usergroups_users_list,
            "views.publish": self.views_publish,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "files.getUploadURLExternal": self.files_get_upload_url_external,
            "files.completeUploadExternal": self.files_complete_upload_external,
        }

    def call(self, method: str, args: Args) -> dict[str, Any]:
        handler = self.methods.get(method)
        if handler is None:
            raise SlackError("unknown_method")
        return {"ok": True, **handler(args)}

    @property
    def _bot(self) -> User:
        return self._ws.bot

    # auth ---------------------------------------------------------------------------------

    def auth_test(self, args: Args) -> dict[str, Any]:
        return {
            "url": f"https://{self._ws.domain}.slack.com/",
            "team": self._ws.team_name,
            "user": self._bot.name,
            "team_id": self._ws.team_id,
            "user_id": self._bot.id,
            "bot_id": self._bot.bot_id,
            "is_enterprise_install": False,
        }

    def apps_connections_open(self, args: Args) -> dict[str, Any]:
        """Called with the app-level token (the server checks it), like Socket Mode does."""
        return {"url": self._socket_url()}

    # chat ---------------------------------------------------------------------------------

    def chat_post_message(self, args: Args) -> dict[str, Any]:
        channel = self._channel_to_post_in(args.text("channel"))
        text, blocks, attachments = _message_content(args)
        message = self._ws.bot_message(
            text, blocks=blocks, attachments=attachments, thread_ts=args.text("thread_ts")
        )
        self._ws.add_message(channel, message)
        self._transcript.posted(channel.id, message)
        return {"channel": channel.id, "ts": message["ts"], "message": dict(message)}

    def chat_post_ephemeral(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"), allow_user_id=True)
        if channel.is_archived:
            raise SlackError("is_archived")
        user_id = args.text("user") or ""
        if self._ws.user(user_id) is None or not channel.has_member(user_id):
            raise SlackError("user_not_in_channel")
        text, blocks, _ = _message_content(args)
        ephemeral = {
            "channel": channel.id,
            "user": user_id,
            "ts": self._ws.clock.next_ts(),
            "text": text,
            "blocks": blocks or [],
            "thread_ts": args.text("thread_ts"),
            "via": "",
        }
        self._ws.ephemerals.append(ephemeral)
        self._transcript.ephemeral(ephemeral)
        return {"message_ts": ephemeral["ts"]}

    def chat_update(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"))
        message = channel.find_message(args.text("ts") or "")
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != self._bot.bot_id:
            raise SlackError("cant_update_message")
        text, blocks, attachments = _message_content(args)
        message["text"] = text
        for key, value in (("blocks", blocks), ("attachments", attachments)):
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        self._transcript.edited(channel.id, message)
        # The 2020 spec types `message.blocks` of this answer as an object: leave blocks out.
        echoed = {key: value for key, value in message.items() if key != "blocks"}
        return {"channel": channel.id, "ts": message["ts"], "text": text, "message": echoed}

    # conversations ------------------------------------------------------------------------

    def conversations_info(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"))
        include_count = args.flag("include_num_members")
        return {"channel": channel.to_api(self._bot.id, include_num_members=include_count)}

    def conversations_list(self, args: Args) -> dict[str, Any]:
        types = set(args.id_list("types") or ["public_channel"])
        exclude_archived = args.flag("exclude_archived")
        matching = [
            channel
            for channel in self._ws.channels.values()
            if _conversation_type(channel) in types
            and self._ws.visible_to_bot(channel)
            and not (exclude_archived and channel.is_archived)
        ]
        page, next_cursor = paginate(matching, args, bad_cursor=UNLISTED_CURSOR_ERROR)
        return {
            "channels": [channel.to_api(self._bot.id) for channel in page],
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_members(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"))
        page, next_cursor = paginate(channel.members, args)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def conversations_join(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"))
        if channel.is_im:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        if channel.has_member(self._bot.id):
            return {
                "channel": channel.to_api(self._bot.id),
                "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]},
            }
        channel.add_member(self._bot.id)
        self._transcript.record(
            "join",
            self._bot.id,
            f"{self._ws.app_name} joined {self._ws.channel_label(channel.id)}",
            channel=channel.id,
        )
        self._emit_event(events.member_joined(channel, self._bot.id, self._ws.team_id))
        return {"channel": channel.to_api(self._bot.id)}

    def conversations_invite(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"))
        user_ids = args.id_list("users")
        if not user_ids:
            raise SlackError("no_user")
        if len(user_ids) > MAX_INVITEES:
            raise SlackError("too_many_users")
        if channel.is_archived:
            raise SlackError("is_archived")
        if not channel.has_member(self._bot.id):
            raise SlackError("not_in_channel")
        unique_ids = list(dict.fromkeys(user_ids))
        refusals = {uid: code for uid in unique_ids if (code := self._invite_refusal(channel, uid))}
        blocking = {uid: code for uid, code in refusals.items() if code != "already_in_channel"}
        if blocking and not args.flag("force"):
            raise _invite_error(blocking)
        newcomers = [uid for uid in unique_ids if uid not in refusals]
        if not newcomers:
            raise _invite_error(refusals)
        for user_id in newcomers:
            channel.add_member(user_id)
        self._record_invites(channel, newcomers)
        return {"channel": channel.to_api(self._bot.id)}

    def _invite_refusal(self, channel: Channel, user_id: str) -> str | None:
        if user_id == self._bot.id:
            return "cant_invite_self"
        user = self._ws.user(user_id)
        if user is None or user.deleted:
            return "user_not_found"
        if user.is_ultra_restricted:
            return "user_is_ultra_restricted"
        if user.is_restricted:
            return "user_is_restricted"
        if channel.has_member(user_id):
            return "already_in_channel"
        return None

    def _record_invites(self, channel: Channel, user_ids: list[str]) -> None:
        names = ", ".join("@" + self._ws.user_label(uid) for uid in user_ids)
        self._transcript.record(
            "invite",
            self._bot.id,
            f"{self._ws.app_name} added {names} to {self._ws.channel_label(channel.id)}",
            channel=channel.id,
            users=user_ids,
        )
        for user_id in user_ids:
            self._emit_event(
                events.member_joined(channel, user_id, self._ws.team_id, inviter=self._bot.id)
            )

    def conversations_open(self, args: Args) -> dict[str, Any]:
        existing = args.text("channel")
        if existing:
            channel = self._visible_channel(existing)
            return {"channel": channel.to_api(self._bot.id), "no_op": True, "already_open": True}
        user_ids = args.id_list("users")
        if not user_ids:
            raise SlackError("users_list_not_supplied")
        if len(user_ids) > 1:
            # Group DMs are not modelled by the sandbox.
            raise SlackError("method_not_supported_for_channel_type")
        user = self._ws.user(user_ids[0])
        if user is None:
            raise SlackError("user_not_found")
        if user.deleted:
            raise SlackError("user_disabled")
        already_open = self._ws.has_dm(user.id)
        dm = self._ws.dm_with(user.id)
        channel = dm.to_api(self._bot.id) if args.flag("return_im") else {"id": dm.id}
        body: dict[str, Any] = {"channel": channel}
        if already_open:
            body.update(no_op=True, already_open=True)
        return body

    def conversations_history(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"))
        oldest = _timestamp_arg(args, "oldest", "invalid_ts_oldest", default=0.0)
        latest = _timestamp_arg(args, "latest", "invalid_ts_latest", default=float("inf"))
        inclusive = args.flag("inclusive")
        newest_first = [
            message
            for message in reversed(channel.top_level_messages())
            if _within(float(message["ts"]), oldest, latest, inclusive)
        ]
        page, next_cursor = paginate(newest_first, args, bad_cursor=UNLISTED_CURSOR_ERROR)
        return {
            "messages": page,
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_replies(self, args: Args) -> dict[str, Any]:
        channel = self._visible_channel(args.text("channel"))
        message = channel.find_message(args.text("ts") or "")
        if message is None:
            raise SlackError("thread_not_found")
        # The whole thread in one page: the spec allows no `response_metadata` (so no cursor) here.
        return {
            "messages": channel.thread(message.get("thread_ts", message["ts"])),
            "has_more": False,
        }

    # users and user groups -----------------------------------------------------------------

    def users_info(self, args: Args) -> dict[str, Any]:
        user = self._ws.user(args.text("user") or "")
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_api()}

    def users_list(self, args: Args) -> dict[str, Any]:
        page, next_cursor = paginate(list(self._ws.users.values()), args)
        return {
            "members": [user.to_api() for user in page],
            "cache_ts": self._ws.now(),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def usergroups_list(self, args: Args) -> dict[str, Any]:
        include_users, include_count = args.flag("include_users"), args.flag("include_count")
        return {
            "usergroups": [
                group.to_api(include_users=include_users, include_count=include_count)
                for group in self._ws.usergroups.values()
            ]
        }

    def usergroups_users_list(self, args: Args) -> dict[str, Any]:
        group = self._ws.usergroups.get(args.text("usergroup") or "")
        if group is None:
            raise SlackError("no_such_subteam")
        return {"users": list(group.users)}

    # views --------------------------------------------------------------------------------

    def views_publish(self, args: Args) -> dict[str, Any]:
        user_id = args.text("user_id") or ""
        if self._ws.user(user_id) is None:
            raise SlackError("invalid_arguments")
        view = _view_arg(args, expected_type="home")
        current_id = self._ws.home_views.get(user_id)
        if current_id:
            _check_hash(args, self._ws.views[current_id])
        stored = self._ws.store_view(view, view_id=current_id)
        self._ws.home_views[user_id] = stored["id"]
        self._transcript.home_published(user_id, stored)
        return {"view": stored}

    def views_open(self, args: Args) -> dict[str, Any]:
        view = _view_arg(args, expected_type="modal")
        trigger = self._triggers.exchange(args.text("trigger_id"))
        stored = self._ws.store_view(view)
        self._ws.modal_stacks[trigger.user_id] = [stored["id"]]
        self._transcript.modal(trigger.user_id, stored, how="opened")
        return {"view": stored}

    def views_push(self, args: Args) -> dict[str, Any]:
        view = _view_arg(args, expected_type="modal")
        trigger = self._triggers.exchange(args.text("trigger_id"))
        stack = self._ws.modal_stacks.get(trigger.user_id)
        if not stack:
            raise SlackError("not_found")
        if len(stack) >= MAX_MODAL_STACK:
            raise SlackError("push_limit_reached")
        stored = self._ws.store_view(view)
        stored["root_view_id"] = stack[0]
        stored["previous_view_id"] = stack[-1]
        stack.append(stored["id"])
        self._transcript.modal(trigger.user_id, stored, how="pushed")
        return {"view": stored}

    def views_update(self, args: Args) -> dict[str, Any]:
        current = self._ws.find_view(
            view_id=args.text("view_id"), external_id=args.text("external_id")
        )
        if current is None:
            raise SlackError("not_found")
        _check_hash(args, current)
        view = _view_arg(args, expected_type=current["type"])
        stored = self._ws.store_view(view, view_id=current["id"])
        owner = self._ws.view_owner(stored["id"])
        if stored["type"] == "home":
            self._transcript.home_published(owner, stored)
        else:
            self._transcript.modal(owner, stored, how="updated")
        return {"view": stored}

    # files --------------------------------------------------------------------------------

    def files_get_upload_url_external(self, args: Args) -> dict[str, Any]:
        filename = args.text("filename")
        if not filename:
            raise SlackError("invalid_filename")
        try:
            length = args.number("length", 0)
        except SlackError:
            raise SlackError("invalid_length") from None
        if length < 1:
            raise SlackError("invalid_length")
        upload = self._ws.new_file(filename, length)
        return {"upload_url": self._upload_url(upload.id), "file_id": upload.id}

    def files_complete_upload_external(self, args: Args) -> dict[str, Any]:
        uploads = self._completed_uploads(args)
        channel_ids = args.id_list("channel_id") or args.id_list("channels")
        channels = [self._channel_to_share_in(channel_id) for channel_id in channel_ids]
        for upload, title in uploads:
            upload.title = title or upload.filename
        for channel in channels:
            self._share_files(channel, [upload for upload, _ in uploads], args)
        return {"files": [upload.to_api() for upload, _ in uploads]}

    def _completed_uploads(self, args: Args) -> list[tuple[UploadedFile, str | None]]:
        entries = args.structured("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments")
        uploads = []
        for entry in entries:
            upload = self._ws.files.get(entry.get("id", "")) if isinstance(entry, dict) else None
            if upload is None or upload.content is None:
                raise SlackError("file_not_found")
            uploads.append((upload, entry.get("title")))
        return uploads

    def _channel_to_share_in(self, channel_id: str) -> Channel:
        channel = self._visible_channel(channel_id)
        if channel.is_archived:
            raise SlackError("invalid_channel")
        if not channel.has_member(self._bot.id):
            raise SlackError("not_in_channel")
        return channel

    def _share_files(self, channel: Channel, uploads: list[UploadedFile], args: Args) -> None:
        comment = args.text("initial_comment") or ""
        for upload in uploads:
            upload.channels.append(channel.id)
        message = self._ws.bot_message(
            comment,
            files=[upload.to_api() for upload in uploads],
            upload=True,
            display_as_bot=False,
            thread_ts=args.text("thread_ts"),
        )
        self._ws.add_message(channel, message)
        for upload in uploads:
            self._transcript.file_shared(channel.id, upload.to_api(), comment)

    # channel lookups ----------------------------------------------------------------------

    def _visible_channel(self, reference: str | None, *, allow_user_id: bool = False) -> Channel:
        """The channel named by id (or '#name'), or by a user id for the bot's DM with them.

        Private channels the bot is not in are invisible to bot tokens: `channel_not_found`.
        """
        reference = reference or ""
        if allow_user_id and reference[:1] in ("U", "W") and self._ws.user(reference):
            return self._ws.dm_with(reference)
        channel = self._ws.channel(reference) or self._ws.channel_named(reference.lstrip("#"))
        if channel is None or not self._ws.visible_to_bot(channel):
            raise SlackError("channel_not_found")
        return channel

    def _channel_to_post_in(self, reference: str | None) -> Channel:
        channel = self._visible_channel(reference, allow_user_id=True)
        if channel.is_archived:
            raise SlackError("is_archived")
        if not channel.has_member(self._bot.id):
            raise SlackError("not_in_channel")
        return channel


def _message_content(args: Args) -> tuple[str, list[dict[str, Any]] | None, list[Any] | None]:
    text = args.text("text") or ""
    blocks = args.structured("blocks", error="invalid_blocks")
    attachments = args.structured("attachments")
    if blocks is not None and not valid_blocks(blocks, MAX_MESSAGE_BLOCKS):
        raise SlackError("invalid_blocks")
    if not text and not blocks and not attachments:
        raise SlackError("no_text")
    if len(text) > MAX_TEXT_LENGTH:
        raise SlackError("msg_too_long")
    if attachments:
        attachments = [{"id": index, **a} for index, a in enumerate(attachments, start=1)]
    return text, blocks or None, attachments or None


def _view_arg(args: Args, *, expected_type: str) -> dict[str, Any]:
    view = args.structured("view")
    if not isinstance(view, dict) or view.get("type") != expected_type:
        raise SlackError("invalid_arguments")
    if not valid_blocks(view.get("blocks", []), MAX_VIEW_BLOCKS):
        raise SlackError("invalid_arguments")
    if expected_type == "modal" and not view.get("title"):
        raise SlackError("invalid_arguments")
    return view


def _check_hash(args: Args, current: dict[str, Any]) -> None:
    expected = args.text("hash")
    if expected and expected != current["hash"]:
        raise SlackError("hash_conflict")


def _invite_error(refusals: dict[str, str]) -> SlackError:
    """Slack names the first refusal, and lists each refused user in `errors`."""
    return SlackError(
        next(iter(refusals.values())),
        errors=[
            {"user": user_id, "ok": False, "error": code} for user_id, code in refusals.items()
        ],
    )


def _conversation_type(channel: Channel) -> str:
    if channel.is_im:
        return "im"
    return "private_channel" if channel.is_private else "public_channel"


def _timestamp_arg(args: Args, name: str, error: str, *, default: float) -> float:
    value = args.text(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise SlackError(error) from None


def _within(ts: float, oldest: float, latest: float, inclusive: bool) -> bool:
    if inclusive:
        return oldest <= ts <= latest
    return oldest < ts < latest
