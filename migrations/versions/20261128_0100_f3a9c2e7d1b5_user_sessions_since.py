"""user.sessions_since: page sessions signed in before it are over

Revision ID: f3a9c2e7d1b5
Revises: e7b3c1d9f4a6
Create Date: 2026-11-28 01:00:00

Page sessions are signed cookies, which the server cannot take back from a browser that kept a copy: a copy made
before signing out, or before an admin reset the password or deactivated the account, still opened the pages. Each
session now notes when it signed in, and a user's sessions from before `sessions_since` are refused
(app/auth/session.py). Null: none ended yet.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c2e7d1b5'
down_revision = 'e7b3c1d9f4a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('sessions_since', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('sessions_since')
