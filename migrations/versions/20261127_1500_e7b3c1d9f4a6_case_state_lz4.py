"""case engine state compressed with lz4 on PostgreSQL

Revision ID: e7b3c1d9f4a6
Revises: d5a1f7c3e9b2
Create Date: 2026-11-27 15:00:00

Every engine step rewrites its case's engine state (4-6 KB of JSON), which PostgreSQL compresses before storing:
with its default pglz an UPDATE of such a row cost 0.06-0.07 ms of PostgreSQL's CPU, with lz4 0.024 ms (same
compressed size, ~1.5 KB, still kept in the row); lz4 also decompresses faster when a step reads the state back.
A task completion writes one state, the timer worker fifty per batch (bench/README.md, "Fourteenth pass"). Rows
already stored keep pglz until their next step rewrites them. PostgreSQL built without lz4 (it is optional) keeps
pglz; SQLite has no such setting.
"""
from alembic import op
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = 'e7b3c1d9f4a6'
down_revision = 'd5a1f7c3e9b2'
branch_labels = None
depends_on = None

HAS_LZ4 = text(
    "SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))"
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and bind.execute(HAS_LZ4).scalar():
        op.execute('ALTER TABLE "case" ALTER COLUMN state SET COMPRESSION lz4')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE "case" ALTER COLUMN state SET COMPRESSION default')
