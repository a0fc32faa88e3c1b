import pytest


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Test accounts are built by the dozen: hashing their passwords with argon2's production cost
    would dominate the run. Nothing here tests password hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
