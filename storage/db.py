"""One async engine per process, sessions, and the schema version check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutdated(RuntimeError):
    """The database schema is behind the code; `python -m bot migrate` fixes it."""


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if self.up_to_date:
            return f"schema up to date (revision {self.head})"
        at = f"revision {self.current}" if self.current else "an empty database"
        return (
            f"the database schema is out of date ({at}, the code needs revision {self.head}): "
            "run `python -m bot migrate`"
        )


class Database:
    def __init__(self, url: str, *, search_path: str | None = None, echo: bool = False) -> None:
        """`search_path` confines PostgreSQL to one schema (the tests give each test its own)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict = {} if self.is_sqlite else {"pool_pre_ping": True}
        if search_path:
            options["connect_args"] = {"server_settings": {"search_path": search_path}}
        self.engine: AsyncEngine = create_async_engine(url, echo=echo, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def ping(self) -> None:
        """Raises when the database cannot be reached."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def schema_status(self) -> SchemaStatus:
        async with self.engine.connect() as conn:
            current = await conn.run_sync(_current_revision)
        return SchemaStatus(current=current, head=_head_revision())

    async def require_current_schema(self) -> None:
        status = await self.schema_status()
        if not status.up_to_date:
            raise SchemaOutdated(status.describe())

    async def migrate(self) -> SchemaStatus:
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade_to_head)
        return await self.schema_status()

    async def dispose(self) -> None:
        await self.engine.dispose()


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    # SQLite's own lower() folds ASCII only, so "Équipe" would never match "équipe" as it
    # does on PostgreSQL; every case-insensitive comparison goes through lower().
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head, "storage/migrations has no revisions"
    return head


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")
