"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the Slack harness."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from config.settings import normalize_database_url
from storage.db import Database

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("ROUNDTABLE_REQUIRE_POSTGRES") == "1"

# The Acme workspace fixture, shared by end-to-end tests; Prism for the contract pass.
pytest_plugins = ["tests.contract.prism", "tests.e2e.acme"]


_postgres_probe: list[str | None] = []


async def postgres_problem() -> str | None:
    """None when PostgreSQL answers, else why not (asked once per test session)."""
    if not _postgres_probe:
        db = Database(normalize_database_url(POSTGRES_URL))
        try:
            await asyncio.wait_for(db.ping(), timeout=5)
            _postgres_probe.append(None)
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            _postgres_probe.append(f"PostgreSQL at {POSTGRES_URL} is unreachable ({reason})")
        finally:
            await db.dispose()
    return _postgres_probe[0]


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:
    """A freshly migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        await database.migrate()
        yield database
        await database.dispose()
        return
    async for database in _postgres_database():
        yield database


async def _postgres_database() -> AsyncIterator[Database]:
    problem = await postgres_problem()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{problem}; ROUNDTABLE_REQUIRE_POSTGRES=1 forbids skipping")
        pytest.skip(f"{problem}; set TEST_DATABASE_URL to run the PostgreSQL tests")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = Database(normalize_database_url(POSTGRES_URL))
    await _ddl(admin, f'CREATE SCHEMA "{schema}"')
    database = Database(normalize_database_url(POSTGRES_URL), search_path=schema)
    try:
        await database.migrate()
        yield database
    finally:
        await database.dispose()
        await _ddl(admin, f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


async def _ddl(database: Database, statement: str) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(text(statement))
