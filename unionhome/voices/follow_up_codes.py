"""The follow-up code of an anonymous appeal: made once, shown once, kept only as a keyed digest.

A code is 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as four groups of
four (``K7QM-3XWP-HT9A-C4RN``): about 79 bits, far beyond guessing. Only its HMAC-SHA256 digest is stored
(``Appeal.code_digest``), keyed by a key derived from ``SECRET_KEY`` for this one purpose: a copy of the
database alone does not let anyone test codes.

Guessing is limited (``attempt_allowed`` / ``attempt_failed``): per client address at most
``PER_CLIENT_FAILURES`` wrong codes, and across the whole site at most ``OVERALL_FAILURES``, within
``WINDOW_SECONDS``; past either, even a right code is refused until the window has passed. The counters
live in small files under ``UNIONHOME_PRIVATE_ROOT/voices-code-attempts`` updated under an exclusive
``flock``, so that every gunicorn worker process of the machine counts against the same limits (a
per-process cache would multiply them by the number of workers). The client address is kept only as a
keyed digest, and only wrong codes are counted: a right code leaves no trace.
"""

import fcntl
import hashlib
import hmac
import os
import secrets
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 16
GROUP = 4
PER_CLIENT_FAILURES = 10
OVERALL_FAILURES = 300
WINDOW_SECONDS = 15 * 60
FOLDER = "voices-code-attempts"


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"unionhome.voices.{purpose}:".encode() + settings.SECRET_KEY.encode()).digest()


def code_make() -> str:
    """A new random code, grouped for reading and writing down."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(text: object) -> str | None:
    """The code's 16 characters from what a person typed (any case, spaces or dashes), or None."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    raw = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def code_digest(code: str) -> str | None:
    """The stored digest of ``code`` (None for anything that cannot be a code)."""
    raw = normalise(code)
    if raw is None:
        return None
    return hmac.new(_key("follow-up-code"), raw.encode(), hashlib.sha256).hexdigest()


# --- guessing limits -----------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(settings.UNIONHOME_PRIVATE_ROOT) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _client_bucket(client: str) -> str:
    return "c-" + hmac.new(_key("code-client"), (client or "-").encode(), hashlib.sha256).hexdigest()[:32]


@contextmanager
def _locked():
    """An exclusive lock shared by every process of the machine."""
    folder = _folder()
    with open(folder / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _window(now: float) -> int:
    return int(now // WINDOW_SECONDS)


def _read(path: Path) -> int:
    try:
        return int(path.read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _counts(folder: Path, client: str, window: int) -> tuple[Path, Path]:
    return folder / f"{_client_bucket(client)}.{window}", folder / f"all.{window}"


def attempt_allowed(client: str, *, now: float | None = None) -> bool:
    """Whether a code may be tried now from ``client`` (its address): neither limit is reached."""
    window = _window(now if now is not None else time.time())
    with _locked() as folder:
        mine, overall = _counts(folder, client, window)
        return _read(mine) < PER_CLIENT_FAILURES and _read(overall) < OVERALL_FAILURES


def attempt_failed(client: str, *, now: float | None = None) -> None:
    """Count a wrong code from ``client``; counters of past windows are removed on the way."""
    window = _window(now if now is not None else time.time())
    with _locked() as folder:
        mine, overall = _counts(folder, client, window)
        for path in (mine, overall):
            path.write_text(str(_read(path) + 1))
        for old in folder.iterdir():
            suffix = old.suffix[1:]
            if suffix.isdigit() and int(suffix) < window:
                with suppress(FileNotFoundError):
                    os.unlink(old)
