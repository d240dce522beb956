"""Feed health, adaptive schedule, conditional-GET counts, host budgets, robots.txt,
feed-summary fallback articles.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("schedule_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("redirect_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(
            sa.Column("redirect_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("moved_from", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("publish_interval", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("last_entry_at", sa.DateTime(timezone=True), nullable=True))
        for name in ("fetch_count", "not_modified_count", "unchanged_count"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("bytes_saved", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("last_body_bytes", sa.Integer(), nullable=True))
    # The two states of the first schema, in the new vocabulary.
    op.execute("UPDATE feeds SET status = 'healthy' WHERE status = 'ok'")
    op.execute("UPDATE feeds SET status = 'degraded' WHERE status = 'failing'")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("text_source", sa.String(length=16), nullable=False, server_default="page")
        )

    op.create_table(
        "host_budgets",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("next_request_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("crawl_delay", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_host_budgets")),
    )
    op.create_table(
        "host_leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_leases")),
    )
    with op.batch_alter_table("host_leases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_host_leases_domain"), ["domain"], unique=False)
    op.create_table(
        "robots_files",
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_robots_files")),
    )


def downgrade() -> None:
    op.drop_table("robots_files")
    with op.batch_alter_table("host_leases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_host_leases_domain"))
    op.drop_table("host_leases")
    op.drop_table("host_budgets")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("text_source")
    op.execute("UPDATE feeds SET status = 'ok' WHERE status = 'healthy'")
    op.execute("UPDATE feeds SET status = 'failing' WHERE status <> 'ok'")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        for name in (
            "last_body_bytes",
            "bytes_saved",
            "unchanged_count",
            "not_modified_count",
            "fetch_count",
            "last_entry_at",
            "publish_interval",
            "moved_from",
            "redirect_count",
            "redirect_url",
            "failing_since",
            "schedule_reason",
            "status_reason",
        ):
            batch_op.drop_column(name)
