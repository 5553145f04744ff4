"""The hash of the one-time passwords user administration hands out (core.accounts)."""

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with few iterations, for generated passwords only: each is random (about 70 bits), so
    guessing it costs the same whatever the hash, and it is replaced by the user's own password at
    the first login (must_change_password)."""

    algorithm = "pbkdf2_sha256_onetime"
    iterations = 20_000


def one_time_hasher() -> str:
    """The one-time hasher's name when it is configured, else the default hasher's (the tests use a
    fast hasher for everything)."""
    configured = [path.rsplit(".", 1)[-1] for path in settings.PASSWORD_HASHERS]
    if "OneTimePasswordHasher" in configured:
        return OneTimePasswordHasher.algorithm
    return "default"
