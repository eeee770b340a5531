"""case reporters: further reporters merged into a case as duplicates

Revision ID: c4d8e2f6a1b3
Revises: 5b1e0c7a9d21
Create Date: 2026-11-26 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2f6a1b3'
down_revision = '5b1e0c7a9d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_reporter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_case_reporter_added_by_id_user')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_reporter_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_case_reporter_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reporter'))
    )
    with op.batch_alter_table('case_reporter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_reporter_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_reporter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reporter_case_id'))
    op.drop_table('case_reporter')
