"""Settings from the environment and `.env`: precedence, clear errors, masked secrets."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from config.settings import (
    ENV_NAMES,
    Settings,
    SettingsError,
    load_settings,
    normalize_database_url,
)


def test_environment_wins_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("SLACK_SIGNING_SECRET=from-file\nROUNDTABLE_HUB_CHANNEL=C0FILE0001\n")
    settings = load_settings({"SLACK_SIGNING_SECRET": "from-env"}, dotenv)
    assert settings.slack_signing_secret == "from-env"
    assert settings.hub_channel == "C0FILE0001"


def test_defaults_need_nothing():
    settings = load_settings({}, None)
    assert settings.database_url == "sqlite+aiosqlite:///roundtable.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/rt", "postgresql+asyncpg://u:p@db:5432/rt"),
        ("postgresql://u@db/rt", "postgresql+asyncpg://u@db/rt"),
        ("sqlite:///data/rt.db", "sqlite+aiosqlite:///data/rt.db"),
    ],
)
def test_database_url_forms_from_hosting_platforms(given, expected):
    assert normalize_database_url(given) == expected


@pytest.mark.parametrize("bad", ["localhost:5432", "mysql://db/rt", "postgres://"])
def test_malformed_database_url_says_what_form_is_expected(bad):
    with pytest.raises(SettingsError, match=r"DATABASE_URL.*postgresql://user:password@host"):
        normalize_database_url(bad)


def test_serve_names_the_missing_secret_and_where_slack_shows_it():
    problems = load_settings({}, None).problems_for_serve()
    assert any("SLACK_SIGNING_SECRET" in p and "Basic Information" in p for p in problems)
    assert any("SLACK_BOT_TOKEN" in p and "OAuth & Permissions" in p for p in problems)


def test_socket_mode_needs_the_app_token():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}, None)
    assert [p.split(" ")[0] for p in settings.problems_for_socket()] == ["SLACK_APP_TOKEN"]


def test_secrets_show_only_that_they_are_set_and_the_token_type():
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-123456789-secretpart",
            "SLACK_SIGNING_SECRET": "fromdotenv123",
            "SLACK_CLIENT_SECRET": "c0ffee",
            "DATABASE_URL": "postgres://app:hunter2@db.internal:5432/rt",
        },
        None,
    )
    shown = settings.masked()
    assert shown["SLACK_BOT_TOKEN"] == "xoxb-… set (25 chars)"
    assert shown["SLACK_SIGNING_SECRET"] == "set (13 chars)"
    assert shown["SLACK_CLIENT_SECRET"] == "set (6 chars)"
    assert shown["SLACK_APP_TOKEN"] == "(not set)"
    assert shown["DATABASE_URL"] == "postgresql+asyncpg://app:***@db.internal:5432/rt"


def test_every_setting_is_shown_and_documented_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("## Configuration reference", 1)[1].split("\n\n", 2)[1]
    assert set(ENV_NAMES) == {field.name for field in fields(Settings)}
    assert list(load_settings({}, None).masked()) == list(ENV_NAMES.values())
    assert [name for name in ENV_NAMES.values() if f"`{name}`" not in table] == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ROUNDTABLE_HUB_CHANNEL", "#general", "expected a Slack channel ID such as C0123ABCD"),
        ("LOG_LEVEL", "verbose", "one of DEBUG, INFO, WARNING, ERROR"),
        ("DATABASE_URL", "postgresql://host:notaport/db", "postgresql://user:password@host"),
    ],
)
def test_values_serve_would_refuse_are_refused_when_settings_are_read(name, value, expected):
    with pytest.raises(SettingsError, match=name) as refused:
        load_settings({name: value}, None)
    assert expected in str(refused.value)


def test_hub_channel_id_and_log_level_in_any_case_are_accepted():
    settings = load_settings({"ROUNDTABLE_HUB_CHANNEL": "C0HUB00001", "LOG_LEVEL": "debug"}, None)
    assert (settings.hub_channel, settings.log_level) == ("C0HUB00001", "DEBUG")


@pytest.mark.parametrize(("name", "value"), [("PORT", "http"), ("SLACK_API_URL", "localhost:4010")])
def test_bad_values_are_named(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, None)
