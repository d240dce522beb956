"""Work claims: the run fetching a feed or a page, and until when (storage.claims).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("feeds", "entries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True)))
            batch_op.add_column(sa.Column("claimed_by", sa.String(length=64)))
        # Only rows a run holds: a run hands its claims back by owner at its end.
        op.create_index(
            f"ix_{table}_claimed_by",
            table,
            ["claimed_by"],
            sqlite_where=sa.text("claimed_by IS NOT NULL"),
            postgresql_where=sa.text("claimed_by IS NOT NULL"),
        )


def downgrade() -> None:
    for table in ("feeds", "entries"):
        op.drop_index(f"ix_{table}_claimed_by", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("claimed_by")
            batch_op.drop_column("claimed_until")
