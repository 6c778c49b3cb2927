"""Requests per second of the unchanged live poll against a plain Django view, one run.

Usage (after `make install`; needs Debian's wrk: `apt-get install -y wrk`):

    .venv/bin/python bench/poll_bench.py [--seconds 10] [--connections 20] [--workers 2] [--database-url URL]
                                         [--session-engine django.contrib.sessions.backends.signed_cookies]

It builds a database in a temporary folder (or uses --database-url), plans a session from
Gesprekstafel 1 with 200 notes, starts gunicorn on 127.0.0.1, and runs wrk against
/bench/plain/ (no work at all), /bench/signed-in/ (loads the user, as every page must) and
/sessies/<id>/stand/?view=run&v=<current> (the 204 answer every client
gets every 2 s), then prints both figures and their ratio. Only loopback is used.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ["fixtures/kader.json", "fixtures/draaiboeken.json"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env):
    """Migrate, load fixtures, create a running session; return (session id, version, cookie)."""
    code = (
        f"FIXTURES = {FIXTURES!r}\n"
        + """
import django; django.setup()
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
call_command("migrate", verbosity=0)
call_command("loaddata", *FIXTURES, verbosity=0)
from django.contrib.auth.models import Group, User
from draaiboeken.models import Script
from kader.models import Phase, ResearchProject
from sessies import harvest, roles, timeline
from sessies.planning import create_session
roles.ensure_role_groups()
user = User.objects.create_user("bench-facilitator", password="x")
user.groups.add(Group.objects.get(name=roles.FACILITATORS))
project = ResearchProject.objects.create(title="Bench", current_phase=Phase.objects.get(number=1))
session = create_session(script=Script.objects.get(slug="gesprekstafel-1-start"), project=project, title="Bench",
                         starts_at=timezone.now(), facilitator=user, secretary=user)
session = timeline.start(session.pk, session.timeline_version)
block = session.current_block
for i in range(200):
    harvest.add_note(session, block_id=block.pk, text=f"Notitie {i}", tag="opbrengst", author=user)
session.refresh_from_db()
client = Client()
client.force_login(user)
print("RESULT", session.pk, session.version, client.cookies["sessionid"].value)
"""
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    _, pk, version, cookie = next(line for line in out.stdout.splitlines() if line.startswith("RESULT")).split()
    return pk, version, cookie


def wrk(url, cookie, seconds, connections):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Cookie: sessionid={cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(non_2xx.group(1)) if non_2xx else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--session-engine", default="", help="instead of the settings' SESSION_ENGINE")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    workdir = Path(tempfile.mkdtemp(prefix="gt-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "PYTHONPATH": str(ROOT),
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "BENCH_SESSION_ENGINE": args.session_engine,
    }
    (workdir / "static").mkdir()
    pk, version, cookie = prepare(env)
    port = free_port()
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "gesprekstafels.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        plain_rps, plain_errors = wrk(f"{base}/bench/plain/", cookie, args.seconds, args.connections)
        signed_rps, signed_errors = wrk(f"{base}/bench/signed-in/", cookie, args.seconds, args.connections)
        poll_rps, poll_errors = wrk(
            f"{base}/sessies/{pk}/stand/?view=run&v={version}", cookie, args.seconds, args.connections
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    database = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    engine = (args.session_engine or "settings' SESSION_ENGINE").rsplit(".", 1)[-1]
    print(
        f"gunicorn {args.workers} workers, wrk 2 threads × {args.connections} connections × {args.seconds} s, {database}, sessions: {engine}"
    )
    print(f"plain Django view      : {plain_rps:8.0f} requests/s  (non-2xx: {plain_errors})")
    print(f"signed-in Django view  : {signed_rps:8.0f} requests/s  (non-2xx: {signed_errors})")
    print(f"unchanged poll (204)   : {poll_rps:8.0f} requests/s  (non-2xx: {poll_errors})")
    print(f"poll / plain           : {poll_rps / plain_rps:8.2f}")
    print(f"poll / signed-in       : {poll_rps / signed_rps:8.2f}")


if __name__ == "__main__":
    main()
