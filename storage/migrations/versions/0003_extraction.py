"""Raw HTML archive (pages), canonical identity and date provenance of articles,
extraction method, confidence and metadata.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: New nullable columns of articles, in order (SQLite adds them in place: no copy).
_ARTICLE_COLUMNS = (
    ("link", sa.String(length=2048)),
    ("page_canonical_url", sa.String(length=2048)),
    ("updated_at", sa.DateTime(timezone=True)),
    ("date_source", sa.String(length=16)),
    ("date_notes", sa.Text()),
    ("language_source", sa.String(length=16)),
    ("tags", sa.Text()),
    ("license", sa.Text()),
    ("method", sa.String(length=32)),
    ("confidence", sa.Float()),
    ("extracted_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # Only ADD COLUMN: SQLite does it in place. A batch "recreate" of articles would
    # DROP the old table, and with foreign keys on that deletes through the ON DELETE
    # actions of entries and content_hashes (https://www.sqlite.org/lang_droptable.html).
    with op.batch_alter_table("articles", schema=None) as batch_op:
        for name, type_ in _ARTICLE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    # What the first schemas knew: extracted when fetched; the method from the version.
    op.execute("UPDATE articles SET extracted_at = fetched_at")
    op.execute(
        "UPDATE articles SET method = CASE WHEN extractor = 'feed-summary' THEN 'feed-summary' "
        "WHEN extractor LIKE 'trafilatura/%' THEN 'trafilatura' END"
    )

    op.create_table(
        "pages",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("charset", sa.Text(), nullable=True),
        sa.Column("encoding", sa.String(length=16), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_pages_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_pages")),
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pages_fetched_at"), ["fetched_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pages_fetched_at"))
    op.drop_table("pages")
    op.execute("UPDATE entries SET state = 'given_up' WHERE state = 'not_article'")
    # DROP COLUMN in place (SQLite 3.35+, PostgreSQL), not a batch copy: see upgrade().
    for name, _type in reversed(_ARTICLE_COLUMNS):
        op.execute(f"ALTER TABLE articles DROP COLUMN {name}")
