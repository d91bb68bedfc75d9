"""The schema, migrations and event deduplication, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from storage import directory, efforts, events, leases
from storage.db import Database, DatabaseUnreachable, SchemaMismatch, _alembic_config
from storage.models import Claim, Effort, Workspace


async def test_migrated_database_is_current(db: Database):
    status = await db.schema_status()
    assert status.up_to_date
    await db.require_current_schema()


async def test_outdated_schema_is_refused_with_the_fixing_command(db: Database):
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with pytest.raises(SchemaMismatch, match="python -m bot migrate"):
        await db.require_current_schema()


async def test_a_schema_newer_than_the_code_says_to_upgrade_roundtable_not_to_migrate(
    db: Database,
):
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    newer = "revision 9999.* newer than this version of Roundtable.*upgrade Roundtable"
    with pytest.raises(SchemaMismatch, match=newer) as refused:
        await db.require_current_schema()
    assert "python -m bot migrate" not in str(refused.value)
    with pytest.raises(SchemaMismatch, match=newer):
        await db.migrate()


async def test_an_unreachable_database_is_named_on_one_line():
    db = Database("postgresql+asyncpg://app:hunter2@127.0.0.1:9/rt")
    with pytest.raises(DatabaseUnreachable) as unreachable:
        await db.schema_status()
    await db.dispose()
    message = str(unreachable.value)
    assert message.startswith(
        "the database postgresql+asyncpg://app:***@127.0.0.1:9/rt is unreachable"
    )
    assert "\n" not in message and "hunter2" not in message


async def test_rows_are_scoped_to_their_workspace(db: Database):
    async with db.session() as session:
        first, second = Workspace(team_id="T1"), Workspace(team_id="T2")
        session.add_all([first, second])
        await session.commit()
        session.add_all(
            [
                Effort(workspace_id=first.id, kind="channel", channel_id="C1", title="social"),
                Effort(workspace_id=second.id, kind="channel", channel_id="C1", title="social"),
            ]
        )
        await session.commit()
        session.add(Effort(workspace_id=first.id, kind="channel", channel_id="C1", title="again"))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_org_wide_install_is_keyed_by_enterprise(db: Database):
    async with db.session() as session:
        session.add_all(
            [Workspace(enterprise_id="E1"), Workspace(enterprise_id="E1", team_id="T1")]
        )
        await session.commit()
        session.add(Workspace(enterprise_id="E1"))
        with pytest.raises(IntegrityError):
            await session.commit()


async def _begin(db: Database, event_id: str, stale_after=timedelta(minutes=5)) -> bool:
    async with db.session() as session:
        workspace = await directory.workspace_id(session, "", "T1")
        return await events.begin_delivery(
            session, workspace, event_id, "app_home_opened", stale_after
        )


async def _finish(db: Database, event_id: str, error: str | None = None) -> None:
    async with db.session() as session:
        await events.finish_delivery(session, event_id, error)


async def test_completed_event_is_not_done_again(db: Database):
    assert await _begin(db, "Ev1")
    await _finish(db, "Ev1")
    assert not await _begin(db, "Ev1")


async def test_event_in_progress_is_not_taken_over(db: Database):
    assert await _begin(db, "Ev1")
    assert not await _begin(db, "Ev1")


async def test_failed_event_is_done_again_on_retry(db: Database):
    assert await _begin(db, "Ev1")
    await _finish(db, "Ev1", error="SlackFailure: views.publish failed: internal_error")
    assert await _begin(db, "Ev1")
    async with db.session() as session:
        row = await events.get_delivery(session, "Ev1")
    assert (row.status, row.attempts) == ("started", 2)


async def test_attempt_of_a_dead_process_is_taken_over(db: Database):
    assert await _begin(db, "Ev1")
    assert await _begin(db, "Ev1", stale_after=timedelta(seconds=-1))


async def test_migrations_match_the_models(db: Database):
    """Every table and column the code declares is what `python -m bot migrate` creates."""

    def differences(connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            diff
            for diff in compare_metadata(context, SQLModel.metadata)
            if "slack_" not in str(diff)  # slack_sdk's OAuth store tables live beside ours
        ]

    async with db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_a_lease_is_held_by_one_worker_at_a_time(db: Database):
    async with db.session() as session:
        assert await leases.acquire(session, "overlap-scan", "worker-1", timedelta(minutes=5))
        assert not await leases.acquire(session, "overlap-scan", "worker-2", timedelta(minutes=5))
        await leases.finish(session, "overlap-scan", "worker-1")
        assert await leases.last_finished(session, "overlap-scan") is not None
        assert await leases.acquire(session, "overlap-scan", "worker-2", timedelta(minutes=5))


async def test_an_expired_lease_can_be_taken_over(db: Database):
    async with db.session() as session:
        assert await leases.acquire(session, "overlap-scan", "dead-worker", timedelta(seconds=-1))
        assert await leases.acquire(session, "overlap-scan", "worker-2", timedelta(minutes=5))


async def test_one_standing_claim_migration_folds_what_racing_requests_duplicated(db: Database):
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "0006"))
    async with db.session() as session:
        ws = await directory.workspace_id(session, "", "T1")
        first, twin = (
            Effort(workspace_id=ws, kind="initiative", title=t) for t in ("Zeta", "zeta")
        )
        session.add_all([first, twin])
        await session.commit()
        owners = [(first, "U1"), (twin, "U1"), (twin, "U1"), (twin, "U2")]
        session.add_all(Claim(workspace_id=ws, effort_id=e.id, owner_slack_id=o) for e, o in owners)
        await session.commit()
    await db.migrate()
    async with db.session() as session:
        merged = await session.get(Effort, twin.id)
        standing = await efforts.active_claims(session, [first.id, twin.id])
        history = await efforts.history(session, first.id)
    assert (merged.status, merged.merged_into_id) == ("merged", first.id)
    assert sorted((c.effort_id, c.owner_slack_id) for c in standing) == [
        (first.id, "U1"),
        (first.id, "U2"),
    ]
    assert [e.action for e in history] == ["merged"] * 3
