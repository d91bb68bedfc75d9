"""INSERT ... ON CONFLICT, which SQLite and PostgreSQL each spell with their own dialect."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

# Rows per statement: well under both engines' limits on bound parameters.
BATCH = 500


def insert(session: AsyncSession, table: Any):
    """An INSERT into `table` that can take an ON CONFLICT clause in the session's dialect."""
    return (pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(table)


async def upsert(
    session: AsyncSession,
    table: Any,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    changing: Sequence[str],
    computed: Callable[[Any], dict[str, Any]] | None = None,
) -> None:
    """Insert `rows`; where a row with the same `keys` exists, update its `changing` columns,
    and the columns `computed` returns, given the proposed row (`excluded`), as expressions
    that may also read the stored row. Safe when two processes write the same row at once.
    Does not commit."""
    statement = insert(session, table)
    proposed = statement.excluded
    set_ = {column: proposed[column] for column in changing}
    set_.update(computed(proposed) if computed else {})
    statement = statement.on_conflict_do_update(index_elements=list(keys), set_=set_)
    for start in range(0, len(rows), BATCH):
        await session.exec(statement.values(rows[start : start + BATCH]))
