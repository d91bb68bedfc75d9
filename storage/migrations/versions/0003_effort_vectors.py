"""Effort vectors for semantic overlap detection; efforts indexed by last change

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "effort_vector",
        sa.Column("effort_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["effort_id"], ["effort.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("effort_id"),
    )
    op.create_index("ix_effort_vector_workspace_id", "effort_vector", ["workspace_id"])
    op.create_index("ix_effort_workspace_updated", "effort", ["workspace_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_effort_workspace_updated", table_name="effort")
    op.drop_index("ix_effort_vector_workspace_id", table_name="effort_vector")
    op.drop_table("effort_vector")
