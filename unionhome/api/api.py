"""The UnionHome API: Django Ninja under /api/v1/, OpenAPI at /api/v1/openapi.json.

Endpoints live with their apps (``accounts/api.py``, ``org/api.py``) and call selectors and
services only; this module holds the API object, bearer authentication and the error handlers,
so that every answer, including unknown addresses and wrong methods, is JSON.
"""

from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from unionhome.accounts.api import router as accounts_router
from unionhome.api import errors
from unionhome.api.auth import BearerAuth
from unionhome.api.parser import JsonOnlyParser
from unionhome.assistance.api import router as assistance_router
from unionhome.congress.api import router as congress_router
from unionhome.disclosure.api import router as disclosure_router
from unionhome.notify.api import router as notify_router
from unionhome.org.api import router as org_router
from unionhome.satisfaction.api import router as satisfaction_router
from unionhome.surveys.api import router as surveys_router
from unionhome.surveys.api_answer import router as surveys_answer_router
from unionhome.voices.api import router as voices_router
from unionhome.workdays.api import router as workdays_router


def _json_for_unrouted(view):
    """Answer a wrong method (405) or a view's bare Http404 as JSON rather than Django's pages."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _unknown_path(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            return errors.problem_response(
                405, "method_not_allowed", _("This address does not accept this method."), {"Allow": allowed}
            )
        return response

    return wrapped


@csrf_exempt
def _unknown_path(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return errors.problem_response(404, "not_found", _("There is no such API address."))


class UnionHomeAPI(NinjaAPI):
    def _get_urls(self):
        urls = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern):
                pattern = URLPattern(
                    pattern.pattern, _json_for_unrouted(pattern.callback), pattern.default_args, pattern.name
                )
            urls.append(pattern)
        urls.append(re_path(r"^.*$", _unknown_path, name="unknown"))
        return urls


api = UnionHomeAPI(
    title="UnionHome API",
    version="1",
    description=(
        "The UnionHome (职工之家) API for mobile clients and integrations. Ask for a bearer token at "
        "POST /auth/token and send it as `Authorization: Bearer <token>`. Every answer follows the same "
        "permission policy as the pages; errors are JSON `{detail, code}`."
    ),
    urls_namespace="api",
    auth=BearerAuth(),
    parser=JsonOnlyParser(),
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", org_router)
api.add_router("/assistance", assistance_router)
api.add_router("/congress", congress_router)
api.add_router("/disclosure", disclosure_router)
api.add_router("/voices", voices_router)
api.add_router("/workdays", workdays_router)
api.add_router("", notify_router)
api.add_router("/satisfaction", satisfaction_router)
api.add_router("/satisfaction/surveys", surveys_router)
api.add_router("/satisfaction", surveys_answer_router)
