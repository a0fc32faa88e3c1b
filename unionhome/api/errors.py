"""One shape for every API error, translated at request time.

Errors answer ``{"detail": "<message>", "code": "<machine code>"}``; input that fails validation
answers 422 with ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}], "code": "invalid"}``.
Nothing that a client sends may end in a 500: each failure the API knows of has a handler here.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.audit.recorder import record

logger = logging.getLogger("unionhome.api")


class ApiProblem(Exception):
    """An error answered as ``{"detail": detail, "code": code}`` with ``status``."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


class ErrorOut(Schema):
    detail: str
    code: str


class ProblemItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ProblemItem]
    code: str


def problem_response(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> HttpResponse:
    response = JsonResponse({"detail": detail, "code": code}, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_authenticated(code: str = "not_authenticated", detail: str | None = None) -> ApiProblem:
    return ApiProblem(
        401,
        code,
        detail or _("Send a valid bearer token in the Authorization header. Ask for one at /api/v1/auth/token."),
        {"WWW-Authenticate": 'Bearer realm="api"'},
    )


# --- validation messages -------------------------------------------------------------------------


def validation_message(error: dict[str, Any]) -> str:
    """A translated message for one pydantic error (pydantic's own messages are English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # raised by our validators, already translated
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("Use at most %(max_length)s characters.") % {"max_length": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Use at least %(min_length)s characters.") % {"min_length": ctx.get("min_length")}
    if kind == "string_pattern_mismatch":
        return _("This value has the wrong format.")
    if kind in {"string_type", "string_unicode"}:
        return _("Send text here.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Send a whole number here.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("The smallest allowed value is %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("The largest allowed value is %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Send a JSON object here.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    return _("This value is not valid.")


def _validation_response(errors: list[dict[str, Any]]) -> HttpResponse:
    items = [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": validation_message(error),
            "type": str(error.get("type", "invalid")),
        }
        for error in errors
    ]
    return JsonResponse({"detail": items, "code": "invalid"}, status=422, json_dumps_params={"ensure_ascii": False})


# --- handlers ---------------------------------------------------------------------------------


def _record_denial(request: HttpRequest, permission: str) -> None:
    """The same audit entry as ``access.middleware.PermissionDeniedMiddleware`` writes for pages."""
    user = getattr(request, "user", None)
    if user is None:
        return
    record(user, "access.denied", None, path=request.path[:200], method=request.method, permission=permission)


def _on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem_response(exc.status, exc.code, exc.detail, exc.headers)


def _on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _validation_response(list(exc.errors))


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, ApiProblem):  # raised by our body parser, wrapped by Ninja
        return _on_problem(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return _on_too_big(request, cause)
    if isinstance(cause, ValueError | RecursionError | UnicodeDecodeError):
        return problem_response(400, "malformed_json", _("The request body is not valid JSON."))
    if isinstance(exc, AuthenticationError):
        return _on_problem(request, not_authenticated())
    if isinstance(exc, Throttled):
        return problem_response(429, "throttled", _("Too many requests. Wait a moment and try again."))
    if exc.status_code == 400:
        return problem_response(400, "bad_request", _("The request could not be understood."))
    return problem_response(exc.status_code, "error", _("The request could not be completed."))


def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    if isinstance(exc, OutOfScope):
        _record_denial(request, "")
    return problem_response(404, "not_found", _("Not found, or not in your part of the union."))


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    permission = exc.permission if isinstance(exc, PermissionRefused) else ""
    _record_denial(request, permission)
    # A refusal that explains itself (a missing permission, "only representatives can vote") says so.
    detail = str(exc) if isinstance(exc, PermissionRefused) or exc.args else _("You may not do this.")
    return problem_response(403, "permission_denied", detail)


def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the input: 422 in the same shape as schema validation."""
    if hasattr(exc, "error_dict"):
        items = [
            {"loc": ["body", field], "msg": message, "type": "value_error"}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        items = [{"loc": ["body"], "msg": message, "type": "value_error"} for message in exc.messages]
    return JsonResponse({"detail": items, "code": "invalid"}, status=422, json_dumps_params={"ensure_ascii": False})


def _on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(413, "too_large", _("The request body is too large."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: log it, tell listeners (the test client re-raises it), answer JSON rather than an HTML page."""
    logger.error("Unhandled API error on %s %s", request.method, request.path, exc_info=exc)
    got_request_exception.send(sender=None, request=request)
    return problem_response(500, "server_error", _("Something went wrong on our side. Please try again later."))


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(Exception, _on_unexpected)
    api.add_exception_handler(ApiProblem, _on_problem)
    api.add_exception_handler(NinjaValidationError, _on_validation)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
    api.add_exception_handler(DjangoValidationError, _on_django_validation)
    api.add_exception_handler(RequestDataTooBig, _on_too_big)
