"""case rows leave room on their page for the next step's version

Revision ID: b8f4d2c6e1a7
Revises: a7c3e9f1b2d4
Create Date: 2026-11-27 09:00:00

Every engine step rewrites its case's row (the engine state, its version). On a full page PostgreSQL
writes the new version elsewhere and adds an entry to each of the case's eleven indexes; with room on the
same page, and no indexed column changed, the update is "heap-only" and touches no index. A timer
worker's write of fifty fired cases took about a fifth less time on PostgreSQL with a fill factor of 70
(bench/README.md, "Eleventh pass"). Pages already written keep their fill until the table is rewritten
(VACUUM FULL, pg_repack); new cases get the room. PostgreSQL only: SQLite has no such setting.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8f4d2c6e1a7'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE "case" SET (fillfactor = 70)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE "case" RESET (fillfactor)')
