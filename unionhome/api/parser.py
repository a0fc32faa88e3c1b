"""Request bodies: JSON only, small, and well-formed, or a clear 4xx."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from unionhome.api.errors import ApiProblem

# Every API body is a small JSON object; anything much larger is refused before it is parsed.
MAX_JSON_BYTES = 16 * 1024
JSON_TYPES = ("application/json",)


class JsonOnlyParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        content_type = (request.content_type or "").lower()
        if content_type not in JSON_TYPES and not (
            content_type.startswith("application/") and content_type.endswith("+json")
        ):
            raise ApiProblem(
                415, "unsupported_media_type", _("Send the request body as JSON (Content-Type: application/json).")
            )
        if len(request.body) > MAX_JSON_BYTES:
            raise ApiProblem(413, "too_large", _("The request body is too large."))
        return super().parse_body(request)
