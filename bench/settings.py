"""Settings for the benchmarks: the production settings plus a plain view to compare with."""

import os

from gesprekstafels.settings import *  # noqa: F403

# poll_bench.py --session-engine compares session engines (e.g. the former signed cookies).
SESSION_ENGINE = os.environ.get("BENCH_SESSION_ENGINE") or SESSION_ENGINE  # noqa: F405

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": True}
