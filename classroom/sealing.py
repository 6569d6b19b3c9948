"""Secrets the server must keep for a while and hand back later (initial passwords), encrypted at rest.

Fernet (AES-128-CBC with an HMAC-SHA256 tag) from `cryptography`, with a key derived from SECRET_KEY by HKDF and a
purpose string, so a token sealed for one purpose opens for no other. Keys in SECRET_KEY_FALLBACKS still open
tokens sealed before a key rotation.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "seal", "unseal"]


def _key(secret: str, purpose: str) -> Fernet:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=f"quizcast:{purpose}".encode()).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _fernet(purpose: str) -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_key(secret, purpose) for secret in secrets])


def seal(data: bytes, *, purpose: str) -> str:
    return _fernet(purpose).encrypt(data).decode("ascii")


def unseal(token: str, *, purpose: str) -> bytes:
    """The data sealed for `purpose`; raises InvalidToken when it was sealed otherwise or the key is gone."""
    return _fernet(purpose).decrypt(token.encode("ascii"))
