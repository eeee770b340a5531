"""case_day_stat: the dashboard's counts pre-aggregated per local day, unit subtree and case type; map points index

Created empty: run `flask stats rebuild` once after this migration to fill it from the case history (the
application keeps it up to date from then on; see README "Statistics"). Also a partial index of open cases with a
point, newest first, for the dashboard map's case markers.

Revision ID: e3c1a9d7b5f2
Revises: 9750660f7fea
Create Date: 2026-11-26 14:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "e3c1a9d7b5f2"
down_revision = "9750660f7fea"
branch_labels = None
depends_on = None

OPEN_POINT = "status = 'open' AND latitude IS NOT NULL"
COUNTS = ("received", "accepted", "open_cases", "closed", "closed_on_time", "returned", "visits", "satisfied")


def upgrade():
    op.create_table(
        "case_day_stat",
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("case_type", sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_case_day_stat_org_unit_id_org_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_unit_id", "day", "case_type", name=op.f("pk_case_day_stat")),
    )

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_open_point",
            ["opened_at", "id"],
            unique=False,
            postgresql_where=sa.text(OPEN_POINT),
            sqlite_where=sa.text(OPEN_POINT),
        )


def downgrade():
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index("ix_case_open_point")
    op.drop_table("case_day_stat")
