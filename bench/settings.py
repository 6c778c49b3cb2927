"""Settings for the benchmarks: the production settings plus a plain view to compare with."""

from gesprekstafels.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": True}
