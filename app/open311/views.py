"""/open311/v2/: GeoReport v2 discovery, services, service definitions and requests, in JSON or XML."""

from typing import Any

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.clock import utcnow
from app.errors import DomainError, NotFoundError
from app.extensions import csrf, db
from app.intake.catalog import category_name
from app.open311.clients import client_for_key
from app.open311.formats import FORMATS, render, render_errors
from app.open311.requests import find_requests, one_request, requests_json
from app.open311.service import Service, create_request, service, services

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFoundError(_("Formats: json or xml."))
    return fmt


@bp.errorhandler(DomainError)
def domain_error(err: DomainError) -> Response:
    """Errors per the spec: a list of {code, description}; 400, 403 or 404, in the requested format. The spec has no
    place for fields, so an error naming fields (as the app's checks of every request do) names them in the text."""
    status = {401: 403, 403: 403, 404: 404}.get(err.status, 400)
    problems = "; ".join(f"{name}: {why}" for name, why in sorted(err.fields.items()))
    return render_errors((request.view_args or {}).get("fmt", "xml"), status, problems or err.message)


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException) -> Response:
    status = err.code if err.code in (403, 404) else 400
    return render_errors((request.view_args or {}).get("fmt", "xml"), status, err.description or "")


@bp.get("/discovery.<fmt>")
def discovery(fmt: str) -> Response:
    endpoint = {
        "specification": SPECIFICATION,
        "url": url_for("open311.discovery", fmt="xml", _external=True).rsplit("/", 1)[0],
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    body = {
        "changeset": CHANGESET,
        "contact": _("The county's 12345 hotline"),
        "key_service": _("Ask the county's administrator for an api_key."),
        "endpoints": [endpoint],
    }
    return render(_format(fmt), body, root="discovery")


def _service_json(found: Service) -> dict[str, Any]:
    return {
        "service_code": found.category.code,
        "service_name": category_name(found.category),
        "description": _(
            "%(group)s: %(name)s", group=category_name(found.category.parent), name=category_name(found.category)
        ),
        "metadata": False,
        "type": "realtime",
        "keywords": found.category.initials,
        "group": category_name(found.group),
    }


@bp.get("/services.<fmt>")
def list_services(fmt: str) -> Response:
    return render(_format(fmt), [_service_json(s) for s in services()], root="services", item="service")


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str) -> Response:
    _format(fmt)
    found = service(code)
    return render(fmt, {"service_code": found.category.code, "attributes": []}, root="service_definition")


@bp.post("/requests.<fmt>")
def post_request(fmt: str) -> Response:
    _format(fmt)
    client = client_for_key(request.form.get("api_key"))
    case = create_request(client, request.form.to_dict(), now=utcnow())
    notice = _("Your report was received and will be handled by %(unit)s.", unit=case.org_unit.name)
    body = [
        {
            "service_request_id": case.number,
            "service_notice": notice,
            "account_id": request.form.get("account_id") or "",
        }
    ]
    # The reply is built before the case is saved: a reply failing after the commit would be a 500 to a request
    # that was filed, and the client's retry would file it again.
    reply = render(fmt, body, root="service_requests", item="request", status=201)
    db.session.commit()
    return reply


@bp.get("/requests.<fmt>")
def get_requests(fmt: str) -> Response:
    _format(fmt)
    body = requests_json(find_requests(request.args, now=utcnow()))
    return render(fmt, body, root="service_requests", item="request")


@bp.get("/requests/<request_id>.<fmt>")
def get_request(request_id: str, fmt: str) -> Response:
    _format(fmt)
    body = requests_json([one_request(request_id)])
    return render(fmt, body, root="service_requests", item="request")


@bp.get("/tokens/<token>.<fmt>")
def get_token(token: str, fmt: str) -> Response:
    """Requests get their service_request_id at once, so no token ever exists (the spec's 404)."""
    _format(fmt)
    raise NotFoundError(_("No such token: %(token)s", token=token))
