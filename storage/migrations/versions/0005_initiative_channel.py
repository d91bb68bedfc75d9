"""An initiative's working channel (channel efforts keep their own channel_id)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("effort") as batch:
        batch.add_column(
            sa.Column(
                "working_channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("effort") as batch:
        batch.drop_column("working_channel_id")
