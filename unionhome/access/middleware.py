from django.core.exceptions import PermissionDenied

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.audit.recorder import record


class PermissionDeniedMiddleware:
    """Record every refused request in the audit trail, then let Django render the 403/404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied | OutOfScope) and getattr(request, "user", None) is not None:
            permission = exception.permission if isinstance(exception, PermissionRefused) else ""
            record(
                request.user,
                "access.denied",
                None,
                path=request.path[:200],
                method=request.method,
                permission=permission,
            )
        return None
