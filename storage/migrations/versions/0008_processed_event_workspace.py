"""Processed events belong to a workspace like every other row (org-wide installs had no team)

A delivery recorded before this revision is kept when one workspace has its team_id; the rest
only guarded Slack's retries of the last few minutes and are dropped.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_event") as batch:
        batch.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE processed_event SET workspace_id = (SELECT min(workspace.id) FROM workspace"
        " WHERE workspace.team_id = processed_event.team_id)"
    )
    op.execute("DELETE FROM processed_event WHERE workspace_id IS NULL")
    with op.batch_alter_table("processed_event") as batch:
        batch.alter_column("workspace_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_processed_event_workspace_id_workspace",
            "workspace",
            ["workspace_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_processed_event_workspace_id", ["workspace_id"])
        batch.drop_column("team_id")


def downgrade() -> None:
    with op.batch_alter_table("processed_event") as batch:
        batch.add_column(
            sa.Column(
                "team_id",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )
        )
    op.execute(
        "UPDATE processed_event SET team_id = (SELECT workspace.team_id FROM workspace"
        " WHERE workspace.id = processed_event.workspace_id)"
    )
    with op.batch_alter_table("processed_event") as batch:
        batch.alter_column("team_id", server_default=None)
        batch.drop_index("ix_processed_event_workspace_id")
        batch.drop_constraint("fk_processed_event_workspace_id_workspace", type_="foreignkey")
        batch.drop_column("workspace_id")
