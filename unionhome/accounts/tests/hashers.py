"""Argon2 with small parameters for the tests: the same algorithm and code path, a fraction of the work.

Production parameters (100 MiB, 2 passes) cost about 0.3 s per hash on a small machine, which the many
logins of these tests would pay hundreds of times. ``test_passwords_are_stored_as_argon2`` checks the
real settings.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
