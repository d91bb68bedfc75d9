"""One standing claim per person and effort, one active initiative per title

Requests that raced before these indexes existed left duplicates; they are folded first: a
duplicate initiative is merged into the first one registered (its claims move there, each with
a "merged" history event), then a person's extra standing claims on one effort are ended.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE_INITIATIVE = "kind = 'initiative' AND status = 'active'"
STANDING = "ended_at IS NULL"


def upgrade() -> None:
    connection = op.get_bind()
    _merge_duplicate_initiatives(connection)
    _end_duplicate_claims(connection)
    op.create_index(
        "uq_effort_active_initiative_title",
        "effort",
        ["workspace_id", sa.text("lower(title)")],
        unique=True,
        sqlite_where=sa.text(ACTIVE_INITIATIVE),
        postgresql_where=sa.text(ACTIVE_INITIATIVE),
    )
    op.create_index(
        "uq_claim_standing",
        "claim",
        ["effort_id", "owner_slack_id"],
        unique=True,
        sqlite_where=sa.text(STANDING),
        postgresql_where=sa.text(STANDING),
    )


def downgrade() -> None:
    op.drop_index("uq_claim_standing", table_name="claim")
    op.drop_index("uq_effort_active_initiative_title", table_name="effort")


def _merge_duplicate_initiatives(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text(
            f"SELECT id, workspace_id, lower(title) FROM effort WHERE {ACTIVE_INITIATIVE} "
            "ORDER BY id"
        )
    )
    by_title: dict[tuple[int, str], list[int]] = defaultdict(list)
    for effort_id, workspace_id, title in rows:
        by_title[(workspace_id, title)].append(effort_id)
    for (workspace_id, _), (kept, *duplicates) in by_title.items():
        for duplicate in duplicates:
            _merge(connection, workspace_id, duplicate, kept)


def _merge(connection: sa.Connection, workspace_id: int, duplicate: int, kept: int) -> None:
    moved = connection.execute(
        sa.text(
            f"SELECT owner_slack_id, silo_id FROM claim WHERE effort_id = :duplicate AND {STANDING}"
        ),
        {"duplicate": duplicate},
    ).all()
    connection.execute(
        sa.text(f"UPDATE claim SET effort_id = :kept WHERE effort_id = :duplicate AND {STANDING}"),
        {"kept": kept, "duplicate": duplicate},
    )
    for owner, silo_id in moved:
        connection.execute(
            sa.text(
                "INSERT INTO claim_event (workspace_id, effort_id, action, silo_id, "
                "person_slack_id, reason, at) VALUES (:workspace_id, :kept, 'merged', :silo_id, "
                ":owner, :reason, :at)"
            ),
            {
                "workspace_id": workspace_id,
                "kept": kept,
                "silo_id": silo_id,
                "owner": owner,
                "reason": f"merged from effort {duplicate}: the same title, registered twice",
                "at": datetime.now(UTC),
            },
        )
    connection.execute(
        sa.text(
            "UPDATE effort SET status = 'merged', merged_into_id = :kept, updated_at = :at "
            "WHERE id = :duplicate"
        ),
        {"kept": kept, "duplicate": duplicate, "at": datetime.now(UTC)},
    )


def _end_duplicate_claims(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text(f"SELECT id, effort_id, owner_slack_id FROM claim WHERE {STANDING} ORDER BY id")
    )
    first_seen: set[tuple[int, str]] = set()
    extra = []
    for claim_id, effort_id, owner in rows:
        if (effort_id, owner) in first_seen:
            extra.append(claim_id)
        first_seen.add((effort_id, owner))
    if extra:
        connection.execute(
            sa.text("UPDATE claim SET ended_at = :at WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"at": datetime.now(UTC), "ids": extra},
        )
