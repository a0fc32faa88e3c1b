"""Encryption at rest for the most sensitive free text (health notes, hardship narratives, children's ID
numbers) and for uploaded case documents.

Values are Fernet tokens (AES-128-CBC + HMAC-SHA256). ``UNIONHOME_FIELD_KEYS`` holds one or more
url-safe base64 Fernet keys separated by commas: the first encrypts, all decrypt, so a key can be
rotated by putting the new one first and re-saving. Outside production a key is derived from
``SECRET_KEY``; the production profile refuses to start without explicit keys (settings).

Encrypted columns cannot be searched or sorted; where a lookup is needed (one application per child
and campaign), store ``keyed_digest`` of the value beside it.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.UNIONHOME_FIELD_KEYS if k.strip()]
    if not keys:
        derived = hashlib.sha256(b"unionhome-field-key:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet().decrypt(token)


def keyed_digest(value: str) -> str:
    """A stable HMAC-SHA256 of ``value`` (hex), for uniqueness checks on encrypted values."""
    key = hashlib.sha256(b"unionhome-digest:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; reads give the plain text back. Empty stays empty (not encrypted)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt_bytes(value.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt a field: the encryption keys do not match this database") from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt_bytes(value.encode()).decode()
