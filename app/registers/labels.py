"""Display names of the register choices."""

from flask_babel import lazy_gettext as _l

ENTITY_KINDS = {
    "restaurant": _l("Restaurant"),
    "food_shop": _l("Food shop"),
    "market_stall": _l("Market stall"),
    "small_workshop": _l("Small workshop"),
    "canteen": _l("Canteen"),
    "enterprise": _l("Enterprise"),
    "school": _l("School"),
    "other": _l("Other"),
}
RISK_LEVELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
SPECIAL_GROUPS = {
    "none": _l("None"),
    "elderly_alone": _l("Elderly living alone"),
    "disabled": _l("Disabled"),
    "community_correction": _l("Community correction"),
    "left_behind_child": _l("Left-behind child"),
    "severe_mental_illness": _l("Severe mental illness"),
    "drug_user": _l("Drug user"),
    "released_prisoner": _l("Released prisoner"),
}
BUILDING_KINDS = {
    "residential": _l("Residential building"),
    "self_built_house": _l("Self-built house"),
    "commercial": _l("Commercial building"),
    "mixed_use": _l("Mixed use"),
    "factory": _l("Factory"),
    "warehouse": _l("Warehouse"),
    "public": _l("Public building"),
    "other": _l("Other"),
}
