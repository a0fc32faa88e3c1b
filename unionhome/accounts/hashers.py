"""The password hasher: Argon2id with OWASP's minimum parameters instead of Django's defaults.

Django 5.2's ``Argon2PasswordHasher`` uses 100 MiB of memory, 2 passes and 8 lanes: about 0.25 s of
CPU per hash on a 2-core server, so a congress of 2,000 representatives logging in within a minute
(33 logins a second) would need eight cores for hashing alone. OWASP's password storage cheat sheet
gives five equally strong Argon2id settings; we take its first: **19 MiB of memory, 2 passes, 1 lane**
(m=19456 KiB, t=2, p=1), about 30 ms per hash on this machine (``bench/RESULTS.md``, issue 4). It is
memory-hard enough that a guessing rig pays for 19 MiB per attempt, and one lane keeps one login on
one core, so that concurrent logins do not fight over the cores.

The stored hash names its own parameters (``argon2$argon2id$v=19$m=19456,t=2,p=1$…``), so hashes
made with other parameters still verify, and Django re-hashes them with these on the next successful
login (``must_update``). Keep ``Argon2PasswordHasher`` listed after this one in ``PASSWORD_HASHERS``.
See docs/deploy.md ("Password hashing").
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
