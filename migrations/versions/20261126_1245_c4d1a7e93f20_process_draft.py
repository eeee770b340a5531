"""process draft: a case type's diagram saved from the browser modeler

Revision ID: c4d1a7e93f20
Revises: 03f04ec4b8ef
Create Date: 2026-11-26 12:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d1a7e93f20'
down_revision = '03f04ec4b8ef'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['saved_by_id'], ['user.id'], name=op.f('fk_process_draft_saved_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_draft')),
    sa.UniqueConstraint('key', name=op.f('uq_process_draft_key'))
    )


def downgrade():
    op.drop_table('process_draft')
