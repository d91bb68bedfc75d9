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
from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaMismatch(RuntimeError):
    """The database schema is not the one the code needs; the message says how to fix it."""


class DatabaseUnreachable(RuntimeError):
    """No connection to the database; the message says where and why, on one line."""


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str
    newer_than_code: bool = False  # at a revision this code has no migration for

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if self.up_to_date:
            return f"schema up to date (revision {self.head})"
        if self.newer_than_code:
            return (
                f"the database schema (revision {self.current}) is newer than this version of "
                f"Roundtable (which knows up to revision {self.head}): upgrade Roundtable to the "
                "version that migrated this database"
            )
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
        async with self._connection() as conn:
            current = await conn.run_sync(_current_revision)
        revisions = _revisions()
        newer = current not in {None, *revisions}
        return SchemaStatus(current, head=revisions[0], newer_than_code=newer)

    async def require_current_schema(self) -> None:
        status = await self.schema_status()
        if not status.up_to_date:
            raise SchemaMismatch(status.describe())

    async def migrate(self) -> SchemaStatus:
        """Upgrade to the newest revision; SchemaMismatch when the database is already newer."""
        status = await self.schema_status()
        if status.newer_than_code:
            raise SchemaMismatch(status.describe())
        async with self._connection() as conn, conn.begin():
            await conn.run_sync(_upgrade_to_head)
        return await self.schema_status()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        try:
            conn = await self.engine.connect()
        except (OSError, SQLAlchemyError) as error:
            where = make_url(self.url).render_as_string(hide_password=True)
            # SQLAlchemy's messages add a line with a link; the driver's own first line is enough.
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise DatabaseUnreachable(f"the database {where} is unreachable: {reason}") from error
        try:
            yield conn
        finally:
            await conn.close()

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


def _revisions() -> list[str]:
    """Every revision in storage/migrations, the newest first."""
    script = ScriptDirectory.from_config(_alembic_config())
    revisions = [revision.revision for revision in script.walk_revisions()]
    assert revisions, "storage/migrations has no revisions"
    return revisions


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")
