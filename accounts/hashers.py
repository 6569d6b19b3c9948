"""The hasher for initial passwords handed out on paper (roster imports); see docs/security.md.

An initial password is random (about 50 bits), not chosen by a person, so it needs far less stretching than a
password someone made up: 20,000 PBKDF2 rounds instead of Django's 1,000,000 make a 2,000-student import take
seconds instead of ten minutes, and still cost an attacker with a stolen database decades of GPU time per password.
The hasher is listed after the default in PASSWORD_HASHERS, so Django rehashes the password with the default one
the first time the student signs in.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000
