"""Settings from the environment and `.env`: precedence, clear errors, masked secrets."""

from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings, normalize_database_url


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


def test_secrets_are_masked():
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-123456789-secretpart",
            "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
            "DATABASE_URL": "postgres://app:hunter2@db.internal:5432/rt",
        },
        None,
    )
    shown = " ".join(settings.masked().values())
    for secret in ("secretpart", "abcd99yyyzzz", "hunter2"):
        assert secret not in shown
    assert "postgresql+asyncpg://app:***@db.internal:5432/rt" in shown


@pytest.mark.parametrize(("name", "value"), [("PORT", "http"), ("SLACK_API_URL", "localhost:4010")])
def test_bad_values_are_named(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, None)
