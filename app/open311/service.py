"""Open311 services from the taxonomy, and a citizen's request becoming a case like any other.

A start form says how an Open311 request fills it with a top-level `"x-open311"` object: form field →
source, or a list of sources tried in turn. A source is one of the request's fields (`description`,
`address_string`, `lat`, `long`, `email`, `phone`, `first_name`, `last_name`, `device_id`, `account_id`,
`media_url`, `service_code`), or `name` (first and last name), `location` (the address, else "lat,long"),
`service_name`, or a constant written `=text`. A new business line needs only that object in its form.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.events import add_event
from app.cases.models import Case
from app.cases.service import Whereabouts, start_case
from app.casetypes.models import ProcessVersion
from app.casetypes.registry import deployed_version, latest_version
from app.errors import BadRequestError, NotFoundError, ValidationError
from app.extensions import db
from app.intake.models import Category
from app.intake.routing import route
from app.open311.clients import client_unit
from app.open311.models import Open311Client

MAPPING_KEY = "x-open311"
FALLBACK_CASE_TYPE = "hotline_matter"  # the 12345 line takes what no other line's form can (一号受理)
TEXT_LIMITS = {"description": 4000, "address_string": 200, "email": 200, "phone": 40, "first_name": 60,
               "last_name": 60, "device_id": 120, "account_id": 120, "media_url": 500}  # fmt: skip


@dataclass(frozen=True)
class Service:
    category: Category
    group: Category | None
    version: ProcessVersion
    mapping: dict[str, Any]


def _mapping(version: ProcessVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    deployed = deployed_version(version)
    form = deployed.form(deployed.definition.start_form)
    mapping = form[0].get(MAPPING_KEY) if form is not None else None
    return mapping if isinstance(mapping, dict) and mapping else None


def _service_for(category: Category, groups: dict[int, Category]) -> Service | None:
    """The leaf's own case type when its start form maps Open311 fields; else the 12345 line."""
    fallback = str(current_app.config.get("GRIDCASE_OPEN311_FALLBACK") or FALLBACK_CASE_TYPE)
    for key in (category.case_type, fallback):
        version = latest_version(key) if key else None
        mapping = _mapping(version)
        if version is not None and mapping is not None:
            middle = groups.get(category.parent_id or 0)
            return Service(category, groups.get(middle.parent_id or 0) if middle else None, version, mapping)
    return None


def services() -> list[Service]:
    """Every active leaf of the taxonomy that some case type can take, by code."""
    rows = list(db.session.scalars(select(Category).where(Category.active).order_by(Category.code)))
    groups = {c.id: c for c in rows if c.level < 3}
    found = (_service_for(c, groups) for c in rows if c.level == 3)
    return [s for s in found if s is not None]


def service(code: str) -> Service:
    category = db.session.scalars(select(Category).where(Category.code == code, Category.level == 3)).first()
    if category is not None and category.active:
        parents = select(Category).where(Category.level < 3)
        found = _service_for(category, {c.id: c for c in db.session.scalars(parents)})
        if found is not None:
            return found
    raise NotFoundError(_("No such service: %(code)s", code=code))


def _text_fields(form: dict[str, str]) -> dict[str, str]:
    fields = {}
    for name, limit in TEXT_LIMITS.items():
        value = (form.get(name) or "").strip()
        if len(value) > limit:
            raise BadRequestError(_("%(field)s: at most %(n)d characters.", field=name, n=limit))
        fields[name] = value
    if fields["media_url"] and not _web_address(fields["media_url"]):
        raise BadRequestError(_("%(field)s: must be an http(s) URL.", field="media_url"))
    return fields


def _coordinate(form: dict[str, str], name: str, bound: float) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -bound <= value <= bound:
        raise BadRequestError(_("%(field)s: must be a number from -%(n)d to %(n)d.", field=name, n=int(bound)))
    return value


def request_fields(form: dict[str, str]) -> tuple[dict[str, str], float | None, float | None]:
    """The request's text fields, latitude and longitude; 400 naming the field when one is wrong."""
    fields = _text_fields(form)
    lat, long = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    if (lat is None) != (long is None):
        raise BadRequestError(_("%(field)s: lat and long go together.", field="lat" if lat is None else "long"))
    if lat is None and not fields["address_string"]:
        raise BadRequestError(_("lat/long or address_string: a location is required."))
    fields["name"] = " ".join(p for p in (fields["first_name"], fields["last_name"]) if p)
    fields["location"] = fields["address_string"] or f"{lat},{long}"
    fields["lat"], fields["long"] = ("" if lat is None else str(lat)), ("" if long is None else str(long))
    return fields, lat, long


def form_data(mapping: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field, spec in mapping.items():
        for source in spec if isinstance(spec, list) else [spec]:
            value = str(source)[1:] if str(source).startswith("=") else fields.get(str(source), "")
            if value != "":
                data[field] = value
                break
    return data


def _source_of(mapping: dict[str, Any], field: str) -> str:
    spec = mapping.get(field)
    sources = [s for s in (spec if isinstance(spec, list) else [spec]) if isinstance(s, str) and s[:1] != "="]
    return sources[0] if sources else field


def create_request(client: Open311Client, form: dict[str, str], *, now: datetime) -> Case:
    """Start the case for a POSTed request, routed by its point or address within the client's unit."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise BadRequestError(_("service_code: this field is required."))
    found = service(code)
    fields, lat, long = request_fields(form)
    fields["service_code"], fields["service_name"] = code, found.category.name
    data = form_data(found.mapping, fields)
    where = route(latitude=lat, longitude=long, address=fields["address_string"] or None, within=client_unit(client))
    try:
        located = Whereabouts(found.category, lat, long, fields["address_string"] or None, where)
        change = start_case(found.version, where.unit, data, actor=client.user, now=now, channel="open311",
                            where=located)  # fmt: skip
    except ValidationError as err:
        problems = "; ".join(f"{_source_of(found.mapping, f)}: {m}" for f, m in sorted(err.fields.items()))
        raise BadRequestError(problems or err.message) from err
    case = change.case
    add_event(case, "open311_received", actor=client.user, now=now,
              payload={"client": client.name, "service_code": code, "description": fields["description"],
                       "media_url": fields["media_url"] or None, "account_id": fields["account_id"] or None})  # fmt: skip
    db.session.flush()
    return case


def _web_address(value: str) -> bool:
    """An http(s) URL with a host and nothing a URL cannot hold unescaped: no spaces, quotes or angle brackets,
    which would break out of an attribute wherever a client shows it (RFC 3986)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c in value for c in " \"<>'\\`{}|^")
