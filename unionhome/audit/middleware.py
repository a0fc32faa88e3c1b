import uuid

from unionhome.audit.context import RequestContext, current_request


class RequestContextMiddleware:
    """Make the client address and a request id available to ``audit.recorder.record``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(
            RequestContext(
                ip_address=request.META.get("REMOTE_ADDR") or None,
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
                request_id=uuid.uuid4().hex,
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
