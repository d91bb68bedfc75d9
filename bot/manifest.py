"""The Slack app manifest, derived from what the code registers so the two cannot drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot import coe
from bot.gateway import METHOD_SCOPES
from handlers.commands import COMMANDS
from handlers.events import EVENTS

EXAMPLE_URL = "https://roundtable.example.com"
CHECKED_IN = Path(__file__).resolve().parent.parent / "manifest.json"
EVENTS_PATH = "/slack/events"


def bot_scopes() -> list[str]:
    needed = {scope for scopes in METHOD_SCOPES.values() for scope in scopes}
    return sorted(needed | ({"commands"} if COMMANDS else set()))


def build_manifest(url: str | None = EXAMPLE_URL, *, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for a deployment at `url` (HTTP mode) or for Socket Mode (no URLs)."""
    request_url = None if socket_mode else url.rstrip("/") + EVENTS_PATH
    with_url = {"request_url": request_url} if request_url else {}
    usage = " | ".join(dict.fromkeys(s.name for s in coe.SUBCOMMANDS))
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Roundtable",
            "description": "Who owns what across silos, which efforts overlap, who is missing.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "Roundtable", "always_online": True},
            "slash_commands": [
                {
                    "command": command,
                    **({"url": request_url} if request_url else {}),
                    "description": "Claim efforts, find overlaps, bring silos together",
                    "usage_hint": usage,
                    "should_escape": True,
                }
                for command in COMMANDS
            ],
        },
        "oauth_config": {"scopes": {"bot": bot_scopes()}},
        "settings": {
            "event_subscriptions": {**with_url, "bot_events": sorted(EVENTS)},
            "interactivity": {"is_enabled": True, **with_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def render(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2) + "\n"
