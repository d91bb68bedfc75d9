"""Settings from the environment and an optional `.env` file (the real environment wins)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from config.policy import CHANNEL_ID

SLACK_API_DEFAULT = "https://slack.com/api/"
DATABASE_DEFAULT = "sqlite+aiosqlite:///roundtable.db"
SECRET_FIELDS = frozenset(
    {"slack_bot_token", "slack_signing_secret", "slack_client_secret", "slack_app_token"}
)
# Each setting's variable in the environment, in the order of the README's configuration table.
ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_client_id": "SLACK_CLIENT_ID",
    "slack_client_secret": "SLACK_CLIENT_SECRET",
    "slack_api_url": "SLACK_API_URL",
    "database_url": "DATABASE_URL",
    "policy_path": "ROUNDTABLE_POLICY",
    "hub_channel": "ROUNDTABLE_HUB_CHANNEL",
    "host": "HOST",
    "port": "PORT",
    "log_level": "LOG_LEVEL",
}
# The type prefix of a Slack token says which token it is and is no secret.
TOKEN_PREFIXES = ("xoxb-", "xapp-")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

_DATABASE_FORMS = (
    "expected sqlite:///path/to/file.db, postgresql://user:password@host:5432/dbname "
    "or postgres://... as hosting platforms give it"
)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which one and how to fix it."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    database_url: str = DATABASE_DEFAULT
    policy_path: Path | None = None
    hub_channel: str | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    log_level: str = "INFO"

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    def problems_for_serve(self) -> list[str]:
        """What stops the HTTP app from starting, one line each."""
        problems = []
        if not self.slack_signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET is not set: copy it from your app's page at "
                "api.slack.com/apps > Basic Information > App Credentials > Signing Secret."
            )
        if not self.slack_bot_token and not self.oauth_enabled:
            problems.append(
                "SLACK_BOT_TOKEN is not set: install the app to your workspace, then copy the "
                "Bot User OAuth Token (xoxb-...) from api.slack.com/apps > OAuth & Permissions "
                "(or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install into many "
                "workspaces through OAuth)."
            )
        return problems

    def problems_for_socket(self) -> list[str]:
        problems = [p for p in self.problems_for_serve() if "SLACK_BOT_TOKEN" in p]
        if not self.slack_app_token:
            problems.append(
                "SLACK_APP_TOKEN is not set: create an app-level token (xapp-...) with the "
                "connections:write scope at api.slack.com/apps > Basic Information > App-Level "
                "Tokens, and turn on Socket Mode."
            )
        return problems

    def masked(self) -> dict[str, str]:
        """Every setting as text by its variable's name, secrets reduced to a hint that they
        are set."""
        shown = {}
        for field, env_name in ENV_NAMES.items():
            value = getattr(self, field)
            if field in SECRET_FIELDS and value:
                value = _secret_hint(value)
            elif field == "database_url":
                value = mask_database_url(value)
            shown[env_name] = "(not set)" if value is None else str(value)
        return shown


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """Read settings from `environ` (default: the process environment) over the `.env` file."""
    values: dict[str, str] = {}
    if dotenv_path and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    policy = get("ROUNDTABLE_POLICY")
    return Settings(
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_client_id=get("SLACK_CLIENT_ID"),
        slack_client_secret=get("SLACK_CLIENT_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        slack_api_url=_api_url(get("SLACK_API_URL")),
        database_url=normalize_database_url(get("DATABASE_URL") or DATABASE_DEFAULT),
        policy_path=Path(policy) if policy else None,
        hub_channel=_hub_channel(get("ROUNDTABLE_HUB_CHANNEL")),
        host=get("HOST") or "0.0.0.0",
        port=_port(get("PORT")),
        log_level=_log_level(get("LOG_LEVEL")),
    )


def normalize_database_url(url: str) -> str:
    """Turn the URL forms operators paste into the async driver URL SQLAlchemy needs."""
    url = url.strip()
    parsed = _parse_database_url(url)
    scheme, rest = parsed.drivername.lower(), url.partition("://")[2]
    if scheme in {"postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg2"}:
        if not parsed.host and not parsed.database:
            raise SettingsError(f"DATABASE_URL has no host or database name: {_DATABASE_FORMS}.")
        return f"postgresql+asyncpg://{rest}"
    if scheme in {"sqlite", "sqlite+aiosqlite"}:
        return f"sqlite+aiosqlite://{rest}"
    raise SettingsError(f"DATABASE_URL uses the unsupported scheme '{scheme}': {_DATABASE_FORMS}.")


def _parse_database_url(url: str) -> URL:
    malformed = SettingsError(f"DATABASE_URL is malformed: {_DATABASE_FORMS}.")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise malformed from None
    if not url.partition("://")[2]:
        raise malformed
    return parsed


def mask_database_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def _api_url(value: str | None) -> str:
    url = value or SLACK_API_DEFAULT
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"SLACK_API_URL must start with http:// or https://, got {url!r}.")
    return url if url.endswith("/") else url + "/"


def _secret_hint(value: str) -> str:
    prefix = next((p for p in TOKEN_PREFIXES if value.startswith(p)), "")
    return f"{prefix}… set ({len(value)} chars)" if prefix else f"set ({len(value)} chars)"


def _hub_channel(value: str | None) -> str | None:
    if value is not None and not CHANNEL_ID.fullmatch(value):
        raise SettingsError(
            f"ROUNDTABLE_HUB_CHANNEL is {value!r}: expected a Slack channel ID such as C0123ABCD, "
            "not its name (Slack shows the ID at the bottom of the channel's details)."
        )
    return value


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}.")
    return level


def _port(value: str | None) -> int:
    if value is None:
        return 3000
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, got {value!r}.")
    return int(value)
