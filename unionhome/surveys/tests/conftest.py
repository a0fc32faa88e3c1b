"""Fixtures of surveys: ``people`` (root conftest) with the chair as the survey builder."""

import pytest

from unionhome.surveys.tests.builders import open_survey


@pytest.fixture
def builder(people):
    """The union chair: builds surveys for the whole union."""
    return people["chair"]


@pytest.fixture
def named_survey(builder, union):
    return open_survey(builder, union["union"])


@pytest.fixture
def anonymous_survey(builder, union):
    return open_survey(builder, union["union"], anonymous=True)
