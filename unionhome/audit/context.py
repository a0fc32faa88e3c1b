"""Where the current request came from, for audit events written anywhere below the view."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""


_NO_REQUEST = RequestContext()
current_request: ContextVar[RequestContext] = ContextVar("unionhome_request", default=_NO_REQUEST)  # noqa: B039
