"""Fixtures for disclosure: the union's congress office (publishes), workers of both stations with logins,
and a private root in a temporary folder for attachments."""

import pytest
from django.utils import translation

from tests import factories


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    return tmp_path / "private"


@pytest.fixture
def english(settings):
    """Pages in English (they default to Chinese), for tests that read the page's words."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def office(union, people):
    """``people`` plus: ``office`` (congress office of the union: publishes), ``branch_office`` (congress
    office of station 1 only), workers with logins ``worker`` (张三, station 1 group 1), ``worker_b``
    (李四, station 1 group 2) and ``worker_s2`` (王五, station 2). ``cadre`` is station 1's branch cadre
    (answers and follows receipts there), ``cadre2`` station 2's."""
    return {
        **people,
        "union": union,
        "office": factories.user("office", roles=(("congress_office", union["union"]),)),
        "branch_office": factories.user("office-s1", roles=(("congress_office", union["s1"]),)),
        "worker": people["member"],
        "worker_b": factories.user("worker-b", member=people["other_s1"]),
        "worker_s2": factories.user("worker-s2", member=people["s2_member"]),
    }
