"""Accounts tests read pages in English (so messages can be asserted) and log in through the real form."""

import pytest
from django.test import Client
from django.utils import translation

from unionhome.accounts.tests.login_steps import english


@pytest.fixture(autouse=True)
def _english(client):
    english(client)
    with translation.override("en"):  # services called directly speak English too
        yield


@pytest.fixture
def new_client():
    """Another browser: its own cookies, pages in English."""
    return lambda **kwargs: english(Client(**kwargs))
