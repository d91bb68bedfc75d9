"""The start-up sync runs beside the app: when it cannot be done, the operator gets one line
saying why and what to run, not a traceback."""

from __future__ import annotations

import logging

import pytest

from bot.services import Services
from bot.startup import start_background_sync
from config.settings import Settings
from storage.db import Database

CLOSED_PORT_API = "http://127.0.0.1:9/api/"  # nothing listens on the discard port here


async def test_a_start_up_sync_that_cannot_reach_slack_says_so_in_one_line(
    db: Database, caplog: pytest.LogCaptureFixture
):
    settings = Settings(database_url=db.url, slack_api_url=CLOSED_PORT_API)
    services = Services.build(settings, db=db)
    with caplog.at_level(logging.ERROR, logger="bot.startup"):
        await start_background_sync(services, "xoxb-unused-in-this-test")
    [said] = [record for record in caplog.records if record.name == "bot.startup"]
    assert said.exc_info is None
    assert said.getMessage().startswith(f"start-up sync failed: {CLOSED_PORT_API} is unreachable (")
    assert said.getMessage().endswith("run `python -m bot sync` to retry")
