"""What both benchmarks share: fresh databases, a populated sandbox, and printing figures."""

from __future__ import annotations

import math
import resource
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text

from bot.sandbox import Sandbox
from config.settings import normalize_database_url
from storage.db import Database

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_KINDS = ("sqlite", "postgresql")
SILOS = ("Marketing", "PR", "Customer Support", "Legal", "Sales", "Product", "Finance", "People")


@dataclass(frozen=True)
class Member:
    slack_id: str
    name: str
    silo: str

    @property
    def title(self) -> str:
        return title_in(self.silo)


@dataclass(frozen=True)
class Room:
    channel_id: str
    name: str
    purpose: str
    creator: str


@dataclass(frozen=True)
class Population:
    """Who and what was added to the sandbox, in the order they were added."""

    people: list[Member]
    channels: list[Room]


def title_in(silo: str) -> str:
    """A profile title that names the silo, as people's titles often do."""
    return f"{silo} specialist"


def populate(sandbox: Sandbox, people: int, channels: int) -> Population:
    """Add `people` people (titles spread over SILOS) and `channels` public channels."""
    members = []
    for i in range(people):
        silo = SILOS[i % len(SILOS)]
        name = f"person{i:05d}"
        members.append(Member(sandbox.add_user(name, title=title_in(silo)), name, silo))
    rooms = []
    for i in range(channels):
        name, purpose, creator = f"effort-{i:05d}", f"Work stream {i}", members[i % people].slack_id
        channel_id = sandbox.add_channel(name, creator=creator, purpose=purpose)
        rooms.append(Room(channel_id, name, purpose, creator))
    return Population(members, rooms)


def fresh_database(kind: str, postgres_url: str) -> AbstractAsyncContextManager[Database]:
    """A migrated, empty database: a SQLite file in a temporary folder, or a PostgreSQL schema
    of its own (dropped afterwards)."""
    if kind == "sqlite":
        return _sqlite_file()
    return _postgres_schema(normalize_database_url(postgres_url))


@asynccontextmanager
async def _sqlite_file() -> AsyncIterator[Database]:
    with tempfile.TemporaryDirectory(prefix="roundtable-bench-") as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
        try:
            await db.migrate()
            yield db
        finally:
            await db.dispose()


@asynccontextmanager
async def _postgres_schema(url: str) -> AsyncIterator[Database]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = Database(url)
    await _ddl(admin, f'CREATE SCHEMA "{schema}"')
    db = Database(url, search_path=schema)
    try:
        await db.migrate()
        yield db
    finally:
        await db.dispose()
        await _ddl(admin, f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


async def _ddl(db: Database, statement: str) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text(statement))


def percentile(samples: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least q% of samples at or below."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def peak_rss_mib() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain-text table, right-aligned, ready to paste into Markdown as a code block."""
    cells = [list(map(str, headers)), *([str(cell) for cell in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
