"""Role codes: lane names in diagrams are these codes (DOMAIN.md §2.3)."""

from flask_babel import lazy_gettext as _l

ROLES = {
    "admin": _l("Administrator"),
    "designer": _l("Process designer"),
    "leader": _l("Leader"),
    "county_dispatcher": _l("County dispatcher"),
    "township_dispatcher": _l("Township dispatcher"),
    "hotline_operator": _l("12345 operator"),
    "grid_worker": _l("Grid worker"),
    "grid_leader": _l("Grid leader"),
    "grid_guide": _l("Grid guide"),
    "volunteer": _l("Volunteer grid worker"),
    "village_staff": _l("Village staff"),
    "department_staff": _l("Department staff"),
    "township_enforcer": _l("Township enforcement officer"),
    "department_enforcer": _l("Department enforcement officer"),
    "fire_safety_inspector": _l("Fire-safety inspector"),
    "police_liaison": _l("Police liaison"),
    "peoples_mediator": _l("People's mediator"),
    "admin_mediator": _l("Administrative mediator"),
    "judicial_mediator": _l("Judicial mediator"),
    "intake_channel": _l("Intake channel (system account)"),
}

# Roles that oversee the work of a jurisdiction: they may (re)assign its tasks.
SUPERVISOR_ROLES = frozenset({"admin", "leader", "county_dispatcher", "township_dispatcher"})


def role_label(code: str) -> str:
    return str(ROLES.get(code, code))


def role_labels() -> dict[str, str]:
    """Every role's label in the current language, translated once for a whole list."""
    return {code: str(label) for code, label in ROLES.items()}


# Roles whose work needs citizens' phone and ID numbers in full (calling back, mediating);
# everyone else sees them masked and may reveal them, which is logged.
PERSONAL_DATA_ROLES = frozenset({"hotline_operator", "peoples_mediator", "admin_mediator", "judicial_mediator"})

# Roles that open the command-centre dashboard and its statistics, over their units' subtrees.
DASHBOARD_ROLES = frozenset({"admin", "leader", "county_dispatcher", "township_dispatcher"})

# Roles that keep the grid base data (people and market entities) of their area.
REGISTER_WRITER_ROLES = frozenset({"grid_worker", "village_staff", "admin"})

# Roles that keep the event taxonomy and its admission list (事项准入): the county command centre.
TAXONOMY_ROLES = frozenset({"admin", "county_dispatcher"})

# Roles that write the knowledge base of policy answers; operators and handlers read it.
KNOWLEDGE_EDITOR_ROLES = frozenset({"admin", "county_dispatcher"})

# Roles that take 12345 calls at the operator desk.
DESK_ROLES = frozenset({"hotline_operator"})

# Routes matters from the triage queue to a grid: the dispatchers of an area, and its admins.
TRIAGE_ROLES = frozenset({"admin", "county_dispatcher", "township_dispatcher"})

# A system account standing for an intake channel (an Open311 client): it may start any case type in its
# unit's subtree and nothing else (no lane names it, it never signs in).
INTAKE_CHANNEL_ROLE = "intake_channel"
