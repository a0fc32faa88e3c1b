"""Fixtures for API tests: a JSON client and bearer tokens issued by the real service."""

import json

import pytest

from unionhome.accounts.services import api_token_issue


@pytest.fixture(autouse=True)
def _english(settings):
    """English messages (the root conftest makes password hashing quick)."""
    settings.LANGUAGE_CODE = "en"


class ApiClient:
    """The Django test client speaking JSON to /api/v1/ with an optional bearer token."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def _headers(token: str | None, headers: dict | None) -> dict:
        out = dict(headers or {})
        if token is not None:
            out["Authorization"] = f"Bearer {token}"
        return out

    def get(self, path: str, token: str | None = None, *, headers: dict | None = None, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(token, headers))

    def post(self, path: str, body=None, token: str | None = None, *, raw: bytes | str | None = None, **kwargs):
        content_type = kwargs.pop("content_type", "application/json")
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}",
            data=data,
            content_type=content_type,
            headers=self._headers(token, kwargs.pop("headers", None)),
            **kwargs,
        )


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def token_for(db):
    """``token_for(user)``: a raw bearer token for ``user``, as /auth/token would give."""
    return lambda user: api_token_issue(user=user)[0]
