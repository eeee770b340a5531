"""the worker's deadline sweep reads only the tasks it may alert; overdue open tasks counted by their own index

Revision ID: d5a1f7c3e9b2
Revises: b8f4d2c6e1a7
Create Date: 2026-11-27 12:00:00

Every second the worker asks for open tasks that entered their warning time, or passed their deadline, and whose
holders were not yet told. Nothing indexed the warning time, so that question read the whole task table each
second (every finished task of the county too); the overdue one read every open overdue task, told or not, to
skip those told. Each index here holds only the open tasks not yet told of its state, by when they reach it.

ix_task_open_due becomes an index on an open task's deadline (NULL for any other task), which also gives the
planner that expression's statistics: finished tasks, whose deadlines have nearly all passed, made PostgreSQL
expect several times the overdue open tasks there are, and it read whole tables to count them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a1f7c3e9b2'
down_revision = 'b8f4d2c6e1a7'
branch_labels = None
depends_on = None

TO_WARN = "status = 'open' AND alerted = 'normal'"
TO_MARK_OVERDUE = "status = 'open' AND alerted <> 'overdue'"
OPEN_DUE = "(CASE WHEN (status = 'open') THEN due_at END)"


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_due')
        batch_op.create_index('ix_task_open_due', [sa.text(OPEN_DUE)], unique=False)
        batch_op.create_index(
            'ix_task_to_warn', ['warn_at'], unique=False,
            postgresql_where=sa.text(TO_WARN), sqlite_where=sa.text(TO_WARN),
        )
        batch_op.create_index(
            'ix_task_to_mark_overdue', ['due_at'], unique=False,
            postgresql_where=sa.text(TO_MARK_OVERDUE), sqlite_where=sa.text(TO_MARK_OVERDUE),
        )


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_to_mark_overdue')
        batch_op.drop_index('ix_task_to_warn')
        batch_op.drop_index('ix_task_open_due')
        batch_op.create_index('ix_task_open_due', ['status', 'due_at'], unique=False)
