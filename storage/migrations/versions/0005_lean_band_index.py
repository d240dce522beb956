"""A lean near-duplicate index: band rows are only (key, article), site lines age out.

lsh_bands loses created_at, its index and its foreign key (pruning goes through the
signatures, which keep their dates); site_lines gains seen_at, so lines no article has
used within the dedup window can be pruned. On SQLite both tables become WITHOUT
ROWID: the primary key is the table, not a second B-tree beside it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(now)
        return
    op.drop_index(op.f("ix_lsh_bands_created_at"), table_name="lsh_bands")
    op.drop_constraint(op.f("fk_lsh_bands_article_id_articles"), "lsh_bands", type_="foreignkey")
    op.drop_column("lsh_bands", "created_at")
    op.add_column(
        "site_lines",
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.alter_column("site_lines", "seen_at", server_default=None)
    op.create_index(op.f("ix_site_lines_seen_at"), "site_lines", ["seen_at"], unique=False)


def _rebuild_sqlite(now: datetime) -> None:
    # SQLite cannot change a table's primary-key storage in place: copy into the new
    # shape, drop the old table (nothing references either), and take its name.
    op.create_table(
        "lsh_bands_new",
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("band_key", "article_id", name="pk_lsh_bands"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO lsh_bands_new (band_key, article_id) SELECT band_key, article_id FROM lsh_bands"
    )
    op.drop_table("lsh_bands")
    op.rename_table("lsh_bands_new", "lsh_bands")

    op.create_table(
        "site_lines_new",
        sa.Column("site", sa.String(length=255), nullable=False),
        sa.Column("line_hash", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site", "line_hash", name="pk_site_lines"),
        sqlite_with_rowid=False,
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO site_lines_new (site, line_hash, count, seen_at) "
            "SELECT site, line_hash, count, :now FROM site_lines"
        ),
        # Stored as naive UTC, as storage.models.UTCDateTime does on SQLite.
        {"now": now.replace(tzinfo=None)},
    )
    op.drop_table("site_lines")
    op.rename_table("site_lines_new", "site_lines")
    op.create_index(op.f("ix_site_lines_seen_at"), "site_lines", ["seen_at"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("0005: the band index cannot be given its dates back")
