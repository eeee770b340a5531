"""Domain errors and the one handler that answers them as HTML or JSON."""

from typing import Any

from flask import Flask, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.extensions import db


class DomainError(Exception):
    status, code = 400, "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.fields = message, fields or {}


class BadRequestError(DomainError):
    status, code = 400, "bad_request"


class UnauthorizedError(DomainError):
    status, code = 401, "unauthorized"


class ForbiddenError(DomainError):
    status, code = 403, "forbidden"


class NotFoundError(DomainError):
    status, code = 404, "not_found"


class ConflictError(DomainError):
    status, code = 409, "conflict"


class ValidationError(DomainError):
    status, code = 422, "invalid"


class TooManyAttemptsError(DomainError):
    status, code = 429, "too_many_attempts"


def flash_errors(err: DomainError) -> None:
    """A refused form that cannot be shown again as typed (a file chosen, a password): its errors as messages on the
    page the user is sent back to."""
    for message in err.fields.values() or [err.message]:
        flash(message, "error")


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> ResponseReturnValue:
    if wants_json():
        body: dict[str, Any] = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return body, status
    return render_template("errors/error.html", status=status, message=message, fields=fields or {}), status


def handle_domain_error(err: DomainError) -> ResponseReturnValue:
    db.session.rollback()  # the error page must not use a failed transaction
    return error_response(err.status, err.code, err.message, err.fields)


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "too_many_attempts"}  # fmt: skip


def _request_megabytes() -> str:
    from flask import current_app

    return f"{(current_app.config.get('MAX_CONTENT_LENGTH') or 0) / 1024 / 1024:g}"


def handle_http_error(err: HTTPException) -> ResponseReturnValue:
    db.session.rollback()
    status = err.code or 500
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large: at most %(mb)s MB can be sent at once.", mb=_request_megabytes()),
    }
    message = messages.get(status, err.description or _("Something went wrong."))
    if err.description and status == 400 and "CSRF" in err.description:
        message = _("The form has expired or was not sent from this site; please try again.")
    return error_response(status, _HTTP_CODES.get(status, "error"), message)


def handle_unexpected_error(err: Exception) -> ResponseReturnValue:
    db.session.rollback()
    from flask import current_app

    current_app.logger.error("unhandled error", exc_info=err)
    return error_response(500, "internal", _("Something went wrong on our side; nothing was saved."))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
