"""The tuned Argon2 hasher (unionhome/accounts/hashers.py): new hashes use it, older ones upgrade at login."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, identify_hasher, make_password

import unionhome.settings as project_settings
from tests import factories
from unionhome.accounts.hashers import TunedArgon2PasswordHasher
from unionhome.accounts.models import User
from unionhome.accounts.tests.login_steps import logged_in_user_id, post_login

pytestmark = pytest.mark.django_db
PASSWORD = factories.PASSWORD
TUNED = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def real_hashers(settings):
    """The project's hashers instead of the tests' quick one (see conftest.py)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_the_project_hashes_with_the_tuned_parameters_first(real_hashers):
    assert project_settings.PASSWORD_HASHERS[0] == "unionhome.accounts.hashers.TunedArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in project_settings.PASSWORD_HASHERS[1:]
    user = User.objects.create_user("tuned-check", PASSWORD)
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith(TUNED)
    assert identify_hasher(stored).algorithm == TunedArgon2PasswordHasher.algorithm == "argon2"


@pytest.mark.parametrize(
    "old_hasher",
    [Argon2PasswordHasher, PBKDF2PasswordHasher],
    ids=["django-default-argon2", "pbkdf2"],
)
def test_an_older_hash_is_upgraded_at_the_next_login(real_hashers, client, people, old_hasher):
    member = people["member"]
    old = make_password(PASSWORD, hasher=old_hasher())
    User.objects.filter(pk=member.pk).update(password=old)
    assert not old.startswith(TUNED)

    response = post_login(client, people["member_record"].employee_no, PASSWORD)

    assert response.status_code == 302 and logged_in_user_id(client) == str(member.pk)
    upgraded = User.objects.get(pk=member.pk).password
    assert upgraded.startswith(TUNED) and upgraded != old
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)


def test_a_wrong_password_upgrades_nothing(real_hashers, client, people):
    member = people["member"]
    old = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    User.objects.filter(pk=member.pk).update(password=old)

    response = post_login(client, people["member_record"].employee_no, PASSWORD + "-wrong")

    assert response.status_code == 200 and logged_in_user_id(client) is None
    assert User.objects.get(pk=member.pk).password == old
