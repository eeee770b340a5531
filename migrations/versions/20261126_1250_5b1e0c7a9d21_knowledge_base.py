"""knowledge base: kb_entry and its category links

Revision ID: 5b1e0c7a9d21
Revises: 2b09b1fa9e44
Create Date: 2026-11-26 12:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7a9d21'
down_revision = '2b09b1fa9e44'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kb_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('keywords', sa.String(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_kb_entry_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_entry'))
    )
    op.create_table('kb_entry_category',
    sa.Column('kb_entry_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_kb_entry_category_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kb_entry_id'], ['kb_entry.id'], name=op.f('fk_kb_entry_category_kb_entry_id_kb_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kb_entry_id', 'category_id', name=op.f('pk_kb_entry_category'))
    )
    with op.batch_alter_table('kb_entry_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_entry_category_category_id'), ['category_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kb_entry_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_entry_category_category_id'))
    op.drop_table('kb_entry_category')
    op.drop_table('kb_entry')
