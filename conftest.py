"""Fixtures shared by every test: a small union, users per role, verified clients, the task worker."""

import json

import pytest
from django.db import connection
from django.utils import translation

from tests import factories

pytest_plugins = ["tests.servers"]


@pytest.fixture(autouse=True)
def _quick_argon2(settings):
    """Argon2 with small parameters (see unionhome/accounts/tests/hashers.py); the real ones are tested there."""
    settings.PASSWORD_HASHERS = ["unionhome.accounts.tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code called directly by a test (services, commands) speaks English, so messages can be asserted;
    pages still follow the request's language (Chinese by default). Chinese is tested explicitly."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_working_day_calendar():
    """The calendar's exceptions are cached per process for a minute: each test starts from its own data."""
    from unionhome.workdays.calendar import calendar_changed

    calendar_changed()
    yield
    calendar_changed()


@pytest.fixture(autouse=True, scope="session")
def _audit_flush_allowed():
    """Transactional tests empty tables with TRUNCATE/DELETE; the append-only audit triggers refuse that,
    so a flush lifts them and restores them right after. Patched on the backend class for the whole run:
    the connection that flushes may not be the one seen here (with Playwright's event loop running,
    Django's connections are per context, not per thread), and pytest-django may set up the
    transactional database before any fixture of ours."""
    from unionhome.audit import append_only

    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if "audit_auditevent" not in tables:
            return statements
        vendor = self.connection.vendor
        return [*append_only.drop(vendor), *statements, *append_only.create(vendor)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "sql_flush", sql_flush)
        yield


@pytest.fixture
def union(db):
    """A union with two branches (stations) of two groups each, and a few members in each group."""
    u = factories.unit(None, "技术中心工会", "union", code="TC")
    s1 = factories.unit(u, "第一检验站分工会", "branch", code="S01", district="城区")
    s2 = factories.unit(u, "第二检验站分工会", "branch", code="S02", district="云溪区")
    g11 = factories.unit(s1, "一站甲班", "group", code="S01-G1")
    g12 = factories.unit(s1, "一站乙班", "group", code="S01-G2")
    g21 = factories.unit(s2, "二站甲班", "group", code="S02-G1")
    return {"union": u, "s1": s1, "s2": s2, "g11": g11, "g12": g12, "g21": g21}


@pytest.fixture
def people(union):
    """Members and users: a member, a branch cadre of station 1, a chair, an auditor, an admin."""
    m_self = factories.member(union["g11"], "张三", gender="M")
    m_other_s1 = factories.member(union["g12"], "李四", gender="F")
    m_s2 = factories.member(union["g21"], "王五", gender="M")
    return {
        "member_record": m_self,
        "other_s1": m_other_s1,
        "s2_member": m_s2,
        "member": factories.user("member", member=m_self),
        "cadre": factories.user("cadre1", roles=(("branch_cadre", union["s1"]),)),
        "cadre2": factories.user("cadre2", roles=(("branch_cadre", union["s2"]),)),
        "chair": factories.user("chair", roles=(("chair", union["union"]),)),
        "auditor": factories.user("auditor", roles=(("auditor", union["union"]),)),
        "admin": factories.user("admin", roles=(("platform_admin", union["union"]),), is_staff=True),
    }


@pytest.fixture
def login_as(client):
    """``login_as(user)`` logs the test client in, past the second factor where the role needs one."""
    return lambda user: factories.log_in_verified(client, user)


@pytest.fixture
def api_get(client):
    """``api_get(user, url, **params)``: a GET of the API with a bearer token of ``user``, in English."""
    from unionhome.accounts.services import api_token_issue

    def get(user, url, **params):
        token = api_token_issue(user=user)[0]
        return client.get(url, params, headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})

    return get


@pytest.fixture
def run_tasks():
    """Run every queued background task now, in the real database worker."""
    from unionhome.server.task_worker import task_worker

    def run() -> None:
        task_worker(worker_id="pytest", batch=True, interval=0.05).run()

    return run


_openapi_document: dict[str, bytes] = {}
OPENAPI_PATH = "/api/v1/openapi.json"


@pytest.fixture
def api_schema(db):
    """The API's OpenAPI schema for schemathesis; its requests go to Django's real WSGI handler in the test's
    transaction. The document is fetched from the server once per run (building it takes a second or more),
    then parsed afresh for each test, so no test sees another's schema object."""
    import schemathesis
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections
    from django.test import Client

    if "json" not in _openapi_document:
        response = Client().get(OPENAPI_PATH)  # before the signals below: the test client reconnects them
        assert response.status_code == 200, response.content[:500]
        _openapi_document["json"] = response.content
    # Like Django's test client: keep the test's connection (and its transaction) across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_dict(json.loads(_openapi_document["json"]))
        schema.app, schema.location = WSGIHandler(), OPENAPI_PATH  # as schemathesis.openapi.from_wsgi does
        yield schema
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
