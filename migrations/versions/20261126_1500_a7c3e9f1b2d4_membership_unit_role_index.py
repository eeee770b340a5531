"""membership index by unit and role

Revision ID: a7c3e9f1b2d4
Revises: e3c1a9d7b5f2
Create Date: 2026-11-26 17:30:00

Every new task asks which unit, from the case's grid upwards, has an active holder of the lane's role
(app/org/service.py candidate_unit); supervision and assignment ask who holds a role at a unit. Without
this index each of those read the whole membership table and then the whole user table: 2.4 ms per new
task with 5,000 users (bench county), and growing with the county's staff; with it, four index probes.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e9f1b2d4'
down_revision = 'e3c1a9d7b5f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_org_unit_id_role', ['org_unit_id', 'role'], unique=False)


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_org_unit_id_role')
