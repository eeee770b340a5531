"""The demo county of ARCHITECTURE.md §7: demo only, never in production."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.intake.places import DEMO_PLACES, load_places
from app.org.models import Membership, OrgKind, OrgUnit, User
from app.org.service import unit_path

DEMO_PASSWORD = "gridcase-demo"  # noqa: S105 - documented demo password
COUNTY_CODE = "360123000000"


@dataclass(frozen=True)
class UnitSeed:
    code: str
    name: str
    kind: OrgKind
    children: tuple["UnitSeed", ...] = ()


def _grids(village_code: str, village_name: str) -> tuple[UnitSeed, ...]:
    return tuple(UnitSeed(f"{village_code}{n:03d}", f"{village_name}第{n}网格", OrgKind.GRID) for n in (1, 2))


def _village(code: str, name: str) -> UnitSeed:
    return UnitSeed(code, name, OrgKind.VILLAGE, _grids(code, name))


DEMO_COUNTY = UnitSeed(COUNTY_CODE, "青山县", OrgKind.COUNTY, (
    UnitSeed("360123001000", "东城街道", OrgKind.TOWNSHIP, (
        _village("360123001001", "桃源社区"), _village("360123001002", "柳湾社区"))),
    UnitSeed("360123101000", "西河镇", OrgKind.TOWNSHIP, (
        _village("360123101201", "石桥村"), _village("360123101202", "枫林村"))),
))  # fmt: skip

# role -> the kind of unit where its holders sit
COUNTY_ROLES = ("admin", "designer", "leader", "county_dispatcher", "hotline_operator", "department_staff",
                "department_enforcer", "fire_safety_inspector", "judicial_mediator")  # fmt: skip
TOWNSHIP_ROLES = ("township_dispatcher", "township_enforcer", "admin_mediator", "police_liaison")
VILLAGE_ROLES = ("peoples_mediator", "village_staff")
GRID_ROLES = ("grid_worker", "grid_leader")

DISPLAY_NAMES = {
    "admin": "系统管理员", "designer": "流程设计员", "leader": "县领导", "county_dispatcher": "县指挥中心调度员",
    "hotline_operator": "12345话务员", "department_staff": "部门工作人员", "department_enforcer": "部门执法人员",
    "fire_safety_inspector": "消防监督员", "judicial_mediator": "司法调解员", "township_dispatcher": "乡镇调度员",
    "township_enforcer": "乡镇执法队员", "admin_mediator": "行政调解员", "police_liaison": "社区民警",
    "peoples_mediator": "人民调解员", "village_staff": "村社区工作人员", "grid_worker": "网格员", "grid_leader": "网格长",
}  # fmt: skip


def seed_demo_county(*, now: datetime) -> bool:
    """Create the demo county and accounts once; False when it is already there."""
    if db.session.scalars(select(OrgUnit).where(OrgUnit.code == COUNTY_CODE)).first() is not None:
        return False
    levels: dict[OrgKind, list[OrgUnit]] = {}
    _create(DEMO_COUNTY, None, levels)
    shared_hash = generate_password_hash(DEMO_PASSWORD)  # hash once: every demo account shares it
    for roles, kind in ((COUNTY_ROLES, OrgKind.COUNTY), (TOWNSHIP_ROLES, OrgKind.TOWNSHIP),
                        (VILLAGE_ROLES, OrgKind.VILLAGE), (GRID_ROLES, OrgKind.GRID)):  # fmt: skip
        units = levels[kind]
        for role in roles:
            for n, unit in enumerate(units, start=1):
                username = role if kind is OrgKind.COUNTY else f"{role}_{n}"
                name = DISPLAY_NAMES[role] if kind is OrgKind.COUNTY else f"{unit.name}{DISPLAY_NAMES[role]}"
                user = User(username=username, display_name=name, password_hash=shared_hash,
                            created_at=now)  # fmt: skip
                user.memberships.append(Membership(role=role, org_unit=unit))
                db.session.add(user)
    db.session.flush()
    load_places(
        DEMO_PLACES.read_text(encoding="utf-8")
    )  # the demo gazetteer: street and landmark names of the demo grids
    return True


def _create(seed: UnitSeed, parent: OrgUnit | None, levels: dict[OrgKind, list[OrgUnit]]) -> None:
    unit = OrgUnit(code=seed.code, name=seed.name, kind=seed.kind, parent=parent, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = unit_path(parent, unit.id)
    unit.boundary = _square(len(levels.get(seed.kind, [])), seed.kind)
    levels.setdefault(seed.kind, []).append(unit)
    for child in seed.children:
        _create(child, unit, levels)


def _square(index: int, kind: OrgKind) -> dict[str, object] | None:
    """A made-up polygon for each demo grid, side by side near 115.9°E 28.7°N."""
    if kind is not OrgKind.GRID:
        return None
    x, y, side = 115.90 + (index % 4) * 0.01, 28.70 + (index // 4) * 0.01, 0.01
    ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, role, unit name) for the README and `make run`'s banner."""
    stmt = select(User).order_by(User.id)
    return [(u.username, m.role, m.org_unit.name) for u in db.session.scalars(stmt) for m in u.memberships]
