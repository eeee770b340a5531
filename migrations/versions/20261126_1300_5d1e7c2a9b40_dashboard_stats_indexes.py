"""dashboard statistics indexes

The dashboard counts cases by opening and closing time over a unit subtree, and case events by kind and time.
Covering indexes let PostgreSQL answer those counts with index-only scans: period first for a whole county,
unit first for a township or smaller (one range scan per unit). Verified with EXPLAIN on the bench county.

Revision ID: 5d1e7c2a9b40
Revises: c4d8e2f6a1b3
Create Date: 2026-11-26 13:00:00

"""
from alembic import op


revision = '5d1e7c2a9b40'
down_revision = 'c4d8e2f6a1b3'
branch_labels = None
depends_on = None

CASE_INDEXES = {
    'ix_case_stats_opened': ['opened_at', 'org_unit_id', 'status', 'closed_at', 'case_type'],
    'ix_case_stats_unit_opened': ['org_unit_id', 'opened_at', 'status', 'closed_at', 'case_type'],
    'ix_case_stats_closed': ['closed_at', 'org_unit_id', 'status', 'case_type'],
    'ix_case_stats_unit_closed': ['org_unit_id', 'closed_at', 'status', 'case_type'],
}


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name, columns in CASE_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_kind_at', ['kind', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_kind_at')
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name in CASE_INDEXES:
            batch_op.drop_index(name)
