"""How the member's voices API finds an appeal and acts on it: by id for a named appeal (anyone else's is the
ordinary 404), by follow-up code for an anonymous one. Refusals of the services (``ValidationError`` 422,
``PermissionDenied`` 403, ``Http404``) are answered by the shared handlers of ``unionhome.api.errors``; the one
mapping of this API's own, a refused code, is made here once: 404 ``unknown_code`` or 429 ``too_many_attempts``,
recorded nowhere (an ordinary 404 would write a refusal naming the caller to the audit trail)."""

from collections.abc import Callable

from django.http import HttpRequest

from unionhome.api.errors import ApiProblem
from unionhome.voices.api.appeal_out import fresh_out
from unionhome.voices.api.appeal_schemas import AppealIn
from unionhome.voices.models import Appeal
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.services.appeals import appeal_submit

RETRY_AFTER_SECONDS = 900


def send_appeal(request: HttpRequest, payload: AppealIn, *, anonymous: bool) -> tuple[Appeal, str]:
    """Send the caller's appeal; the follow-up code of an anonymous one (shown once), "" for a named one."""
    return appeal_submit(
        actor=request.auth,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        body=payload.body,
        anonymous=anonymous,
    )


def own_appeal(request: HttpRequest, appeal_id: int) -> Appeal:
    return selectors.own_appeal(request.auth, appeal_id)


def appeal_by_code(request: HttpRequest, code: str) -> Appeal:
    try:
        return selectors.appeal_by_code(code, client=request.META.get("REMOTE_ADDR", "") or "")
    except selectors.CodeRefused as exc:
        if exc.code == "too_many":
            raise ApiProblem(
                429, "too_many_attempts", exc.messages[0], {"Retry-After": str(RETRY_AFTER_SECONDS)}
            ) from None
        raise ApiProblem(404, "unknown_code", exc.messages[0]) from None


def act_on_own(request: HttpRequest, appeal_id: int, service: Callable[..., object], **fields) -> dict:
    """Run ``service`` (``appeal_follow_up``, ``appeal_rate``…) on the caller's appeal; answer the appeal after."""
    appeal = own_appeal(request, appeal_id)
    service(actor=request.auth, appeal=appeal, **fields)
    return fresh_out(appeal)


def act_by_code(request: HttpRequest, code: str, service: Callable[..., object], **fields) -> dict:
    """The same for the anonymous appeal of a follow-up code (the service checks the code again)."""
    appeal = appeal_by_code(request, code)
    service(actor=request.auth, appeal=appeal, code=code, **fields)
    return fresh_out(appeal)
