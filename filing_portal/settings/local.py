"""`make run` on a bare machine: DEBUG on, SQLite and the filesystem broker unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret-3c1f0a9b7e2d4c6a8f0e1d2c3b4a5968"  # noqa: F405
