"""Settings for the benchmarks: the production settings plus a plain view to compare with."""

import os

from gesprekstafels.settings import *  # noqa: F403

# poll_bench.py --session-engine compares session engines (e.g. the former signed cookies).
SESSION_ENGINE = os.environ.get("BENCH_SESSION_ENGINE") or SESSION_ENGINE  # noqa: F405

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": True}

# live_bench.py memory: count every database query this process runs (BENCH_COUNT_QUERIES=1),
# read through /bench/queries/ (bench/urls.py), which itself runs none.
if os.environ.get("BENCH_COUNT_QUERIES") == "1":
    import threading

    from django.db.backends.signals import connection_created

    # One process-wide count (a list, so the view reads the very object the wrapper updates).
    BENCH_QUERIES_SEEN = [0]
    _bench_queries_lock = threading.Lock()

    def _count_query(execute, sql, params, many, context):
        with _bench_queries_lock:
            BENCH_QUERIES_SEEN[0] += 1
        return execute(sql, params, many, context)

    def _install_query_counter(sender, connection, **kwargs):
        if _count_query not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count_query)

    connection_created.connect(_install_query_counter, dispatch_uid="bench-count-queries")
