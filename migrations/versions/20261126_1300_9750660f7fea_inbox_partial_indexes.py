"""inbox partial indexes in display order

Revision ID: 9750660f7fea
Revises: 5d1e7c2a9b40
Create Date: 2026-11-26 13:00:00

The inbox reads one branch at a time (my claimed tasks; the unclaimed tasks of one role at one
unit), each in display order, so each branch is one ordered index range over open tasks only.
They replace the two general inbox indexes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9750660f7fea'
down_revision = '5d1e7c2a9b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_inbox_candidate')
        batch_op.drop_index('ix_task_inbox_assignee')
        batch_op.create_index(
            'ix_task_open_assignee', ['assignee_id', 'due_at', 'created_at', 'id'], unique=False,
            postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"),
            postgresql_include=['warn_at'],
        )
        batch_op.create_index(
            'ix_task_open_candidate', ['role', 'org_unit_id', 'due_at', 'created_at', 'id'], unique=False,
            postgresql_where=sa.text("status = 'open' AND assignee_id IS NULL"),
            sqlite_where=sa.text("status = 'open' AND assignee_id IS NULL"),
            postgresql_include=['warn_at'],
        )


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_candidate')
        batch_op.drop_index('ix_task_open_assignee')
        batch_op.create_index('ix_task_inbox_assignee', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_task_inbox_candidate', ['status', 'role', 'org_unit_id'], unique=False)
