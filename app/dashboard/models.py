"""case_day_stat: the dashboard's counts pre-aggregated per local day, unit subtree and case type.

A row holds what happened on one local day (GRIDCASE_TIMEZONE) to the cases of one unit's *whole subtree* (a case
counts in the row of its own unit and of every ancestor), so a unit's figures for a period are a sum over at most
days x case types rows, and a breakdown by child unit reads the children's rows. Maintained in the same
transaction as the events that change it (app/dashboard/rollup.py); `flask stats rebuild` recomputes it.
"""

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Base

# The counted figures, in the order of the table's columns (definitions: app/dashboard/service.py).
STAT_FIELDS = ("received", "accepted", "open_cases", "closed", "closed_on_time", "returned", "visits", "satisfied")


class CaseDayStat(Base):
    __tablename__ = "case_day_stat"

    # Unit first: every query reads one unit's (or its children's) rows over a range of days.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    case_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    # By opening day: cases received; those not cancelled; those of them still open now.
    received: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    open_cases: Mapped[int] = mapped_column(default=0)
    # By closing day: cases closed; those with no task completed after its due time.
    closed: Mapped[int] = mapped_column(default=0)
    closed_on_time: Mapped[int] = mapped_column(default=0)
    # By event day: returns, return visits, satisfied visits.
    returned: Mapped[int] = mapped_column(default=0)
    visits: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)
