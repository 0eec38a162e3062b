"""JSON errors for every failure of the API: 400 for bad or unknown parameters, 404, 405, 414, 429, 500."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

logger = logging.getLogger(__name__)

# Below gunicorn's default request-line limit (4,094 bytes with the method and protocol), so that up to here the
# answer is the API's JSON; no parameter needs more than a few hundred characters.
MAX_URL_LENGTH = 4000


def _location(error: dict) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
    return loc[-1] if loc else ""


def _message(error: dict) -> str:
    message = str(error.get("msg", "Invalid value."))
    # Our own validators' messages are whole sentences; pydantic prefixes them with its error type.
    return message.removeprefix("Value error, ")


def validation_errors(errors: list[dict]) -> list[dict]:
    """Pydantic's errors as ``{"parameter", "message"}`` pairs, without the input echoed back."""
    return [{"parameter": _location(e), "message": _message(e)} for e in errors]


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so that no error is HTML, a traceback, or a 422."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = validation_errors(exc.errors)
        first = errors[0] if errors else {"parameter": "", "message": "Invalid request."}
        detail = (
            f"Invalid value for {first['parameter']}: {first['message']}" if first["parameter"] else first["message"]
        )
        return api.create_response(request, {"detail": detail, "errors": errors}, status=400)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc) if exc.args and isinstance(exc.args[0], str) else "Not found."
        return api.create_response(request, {"detail": message}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(OverflowError)
    def id_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # SQLite cannot even compare an id beyond 64 bits; no object can have it.
        return api.create_response(request, {"detail": "Not found: the id is out of range."}, status=404)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path, exc_info=exc)
        return api.create_response(
            request, {"detail": "Server error: the problem has been logged. Please try again later."}, status=500
        )
