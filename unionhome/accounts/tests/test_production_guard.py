"""The production profile refuses to start while demo accounts exist (``unionhome.wsgi`` and ``check --deploy``).

Each check runs in a fresh Python process against its own SQLite file, as the server would start.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
REFUSAL = "Refusing to start: demo accounts exist in the production profile."


def run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def environments(tmp_path_factory):
    """A migrated SQLite database, and the environment of a development and a production process using it."""
    var = tmp_path_factory.mktemp("var")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "UNIONHOME_", "DJANGO_"))}
    base.update({"UNIONHOME_VAR_DIR": str(var), "UNIONHOME_SQLITE_PATH": str(var / "unionhome.sqlite3")})
    development = {**base, "UNIONHOME_PROFILE": "development"}
    production = {
        **base,
        "UNIONHOME_PROFILE": "production",
        "UNIONHOME_SECRET_KEY": "test-only-" + "k" * 60,
        "UNIONHOME_FIELD_KEYS": "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI=",
        "UNIONHOME_ALLOWED_HOSTS": "union.example",
    }
    migrated = run(["manage.py", "migrate", "--noinput", "-v0"], development)
    assert migrated.returncode == 0, migrated.stderr
    return development, production


DEMO_ACCOUNT_PRESENT = """
import django
django.setup()
from unionhome.accounts.models import User
if not User.objects.filter(is_demo=True).exists():
    User.objects.create_user("demo-member", "unionhome-demo", is_demo=True)
"""
DEMO_ACCOUNT_ABSENT = """
import django
django.setup()
from unionhome.accounts.models import User
User.objects.filter(is_demo=True).delete()
"""


def set_demo_account(development: dict[str, str], present: bool) -> None:
    code = DEMO_ACCOUNT_PRESENT if present else DEMO_ACCOUNT_ABSENT
    done = run(["-c", code], {**development, "DJANGO_SETTINGS_MODULE": "unionhome.settings"})
    assert done.returncode == 0, done.stderr


def test_production_starts_without_demo_accounts_and_refuses_with_them(environments):
    development, production = environments
    set_demo_account(development, present=False)
    started = run(["-c", "import unionhome.wsgi"], production)
    assert started.returncode == 0, started.stderr
    deploy = run(["manage.py", "check", "--deploy"], production)
    assert "unionhome.E001" not in deploy.stdout + deploy.stderr

    set_demo_account(development, present=True)
    refused = run(["-c", "import unionhome.wsgi"], production)
    assert refused.returncode != 0
    assert REFUSAL in refused.stderr
    deploy = run(["manage.py", "check", "--deploy"], production)
    assert deploy.returncode != 0
    assert "unionhome.E001" in deploy.stderr
    assert "Demo accounts exist in the production profile." in deploy.stderr


def test_development_profile_runs_with_demo_accounts(environments):
    development, _ = environments
    set_demo_account(development, present=True)
    started = run(["-c", "import unionhome.wsgi"], development)
    assert started.returncode == 0, started.stderr
    deploy = run(["manage.py", "check", "--deploy"], development)
    assert "unionhome.E001" not in deploy.stdout + deploy.stderr
