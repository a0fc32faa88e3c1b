"""The other features' fixtures the report's tests build on: the centre (assistance) and a congress term."""

import pytest

from unionhome.assistance.tests.conftest import centre  # noqa: F401
from unionhome.congress.tests.conftest import congress  # noqa: F401


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.SATISFACTION_MIN_GROUP = 5
