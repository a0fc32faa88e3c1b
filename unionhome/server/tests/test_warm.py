"""The warm-up of a web worker: every template compiled once, the URLconf loaded, no database connection left
open for the forked workers to share, and pages still served afterwards."""

import gc

import pytest
from django.db import connection
from django.template import engines

from unionhome.server.warm import template_dirs, warmed


@pytest.mark.django_db
def test_warmed_compiles_every_template_and_pages_are_served_after(client):
    compiled = warmed()
    assert gc.get_freeze_count() > 10_000  # what was loaded is out of the collector's sight
    gc.unfreeze()  # the test run's objects stay collectable
    html = sum(len(list(d.rglob("*.html"))) for engine in engines.all() for d in template_dirs(engine))
    assert compiled >= 100 and compiled >= html * 0.9
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's in-memory test database is never closed")
def test_warmed_leaves_no_connection_open(transactional_db):
    from unionhome.accounts.models import User

    User.objects.exists()  # a connection in use, as the production check at startup leaves one
    assert connection.connection is not None
    warmed()
    gc.unfreeze()
    assert connection.connection is None
    assert User.objects.exists() is False  # and the next query opens one again
