"""manifest.json against what the built Bolt app really listens for: its slash commands, its
events and its interactivity, read from the listeners' matchers, not from our own tables."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.app import create_app
from bot.manifest import CHECKED_IN
from config.settings import Settings

# A payload of each kind a listener may wait for, with `field` where Bolt reads what it matches.
PROBES = {
    "command": lambda field: {"command": field},
    "event": lambda field: {"type": "event_callback", "event": {"type": field}},
    "action": lambda field: {"type": "block_actions", "actions": [{"action_id": field}]},
    "view": lambda field: {
        "type": "view_submission",
        "view": {"type": "modal", "callback_id": field},
    },
}
INTERACTIVE = ("action", "view")


class Probe:
    """A payload field that matches nothing and remembers what a matcher compared it with."""

    def __init__(self) -> None:
        self.compared_with: list[Any] = []

    def __eq__(self, other: object) -> bool:
        self.compared_with.append(other)
        return False

    __hash__ = None  # type: ignore[assignment]


async def listened_for(app: AsyncApp) -> dict[str, set[Any]]:
    """What the app's listeners wait for, by kind; "unknown" holds any listener no probe
    reached (a shortcut, say), so that it cannot go unnoticed."""
    found: defaultdict[str, set[Any]] = defaultdict(set)
    for listener in app._async_listeners:  # Bolt keeps its listeners here, in order
        kinds = [kind for kind in PROBES if await _waits_for(listener.matchers[0], kind, found)]
        if not kinds:
            found["unknown"].add(listener.ack_function.__qualname__)
    return found


async def _waits_for(matcher: Any, kind: str, found: defaultdict[str, set[Any]]) -> bool:
    probe = Probe()
    # Bolt's built-in matchers are functions of the body alone. Called through `async_matches`,
    # Bolt would also build every listener argument from the probe and compare it in doing so.
    await matcher.func(body=PROBES[kind](probe))
    found[kind].update(probe.compared_with)
    return bool(probe.compared_with)


async def test_the_checked_in_manifest_declares_what_the_app_listens_for():
    app = create_app(Settings(slack_bot_token="xoxb-manifest", slack_signing_secret="secret"))
    manifest = json.loads(CHECKED_IN.read_text())
    settings = manifest["settings"]

    listened = await listened_for(app)

    assert listened["unknown"] == set(), "listeners the manifest has no section for"
    commands = {command["command"] for command in manifest["features"]["slash_commands"]}
    assert listened["command"] == commands
    assert listened["event"] == set(settings["event_subscriptions"]["bot_events"])
    interactive = any(listened[kind] for kind in INTERACTIVE)
    assert settings["interactivity"]["is_enabled"] is interactive
