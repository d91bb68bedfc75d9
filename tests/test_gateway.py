"""Every error code Slack (as the sandbox plays it) can give the methods Roundtable calls has a
deliberate answer for the person, not the catch-all."""

from __future__ import annotations

import pytest

from bot.gateway import ERROR_ADVICE, METHOD_SCOPES

# Any method: the sandbox's HTTP layer, its argument parsing, and Slack's own trouble.
ANY_METHOD = (
    "unknown_method",
    "not_authed",
    "invalid_auth",
    "token_revoked",
    "account_inactive",
    "missing_scope",
    "ratelimited",
    "invalid_json",
    "json_not_object",
    "invalid_arguments",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
)
POSTING = ("channel_not_found", "is_archived", "invalid_blocks", "no_text", "msg_too_long")
CODES_BY_METHOD: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "apps.connections.open": (),
    "views.publish": ("hash_conflict", "not_enabled"),
    "views.open": ("invalid_trigger_id", "exchanged_trigger_id", "expired_trigger_id"),
    "users.list": ("invalid_cursor",),
    "usergroups.list": (),
    "conversations.list": ("invalid_cursor",),
    "conversations.info": ("channel_not_found",),
    "conversations.members": ("channel_not_found", "invalid_cursor"),
    "chat.postMessage": (*POSTING, "not_in_channel", "cannot_dm_bot", "user_disabled"),
    "chat.postEphemeral": (*POSTING, "user_not_in_channel", "restricted_action"),
}


def test_the_table_covers_every_method_the_app_calls():
    assert set(METHOD_SCOPES) <= set(CODES_BY_METHOD)


@pytest.mark.parametrize(
    "code", sorted({*ANY_METHOD, *(c for codes in CODES_BY_METHOD.values() for c in codes)})
)
def test_each_code_has_deliberate_advice(code: str):
    assert code in ERROR_ADVICE
