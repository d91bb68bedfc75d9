"""Members of the private channels Roundtable is in, who alone may see them

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("person_slack_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "channel_id", "person_slack_id"),
    )
    op.create_index("ix_channel_member_workspace_id", "channel_member", ["workspace_id"])
    op.create_index("ix_channel_member_person_slack_id", "channel_member", ["person_slack_id"])


def downgrade() -> None:
    op.drop_index("ix_channel_member_person_slack_id", table_name="channel_member")
    op.drop_index("ix_channel_member_workspace_id", table_name="channel_member")
    op.drop_table("channel_member")
