"""The live push (server-sent events) measured: how fast a change reaches the screens, what it costs, idle costs.

Usage (after `make install`; --pg and two-servers need PostgreSQL 15: `apt-get install -y postgresql-15`):

    .venv/bin/python bench/live_bench.py propagation --sessions 10 100 500 [--seconds 20] [--warmup 5]
                                                     [--workers 1] [--processes 1] [--pg | --database-url URL]
                                                     [--drivers 2]
    .venv/bin/python bench/live_bench.py two-servers [--sessions 10] [--seconds 20] [--database-url URL]
    .venv/bin/python bench/live_bench.py cost [--notes 10 200 1000] [--repeat 30] [--pg | --database-url URL]
    .venv/bin/python bench/live_bench.py memory [--streams 1000] [--idle-seconds 60]
    .venv/bin/python bench/live_bench.py phones [--phones 30] [--seconds 30] [--warmup 5] [--answer-every 30 60]
                                                [--extend-every 5] [--pg | --database-url URL]

Each subcommand builds its own database (SQLite in a temporary folder; with --pg a throw-away
PostgreSQL cluster it initdb's and starts on a free loopback port, as .ci/run does; or
--database-url), starts uvicorn (`gesprekstafels.asgi`, bench.settings, DEBUG off) on 127.0.0.1
where it needs a server, and removes all of it at the end, Ctrl-C included.

propagation  For each N: N running sessions, three streams each (run view as the facilitator,
             notes as the secretary, projector as the facilitator), and a driver that makes one
             change per session per second, spread evenly over the second: 4 of 5 a note, 1 of 5
             "extend the block by 5 minutes". Latency = the moment the stream client parsed the
             event carrying the change's version (its `id:`) - the moment the change committed.
             On SQLite only the server process reaches its own hub, so the driver POSTs to the
             server (commit time = when the POST's answer arrived, a little after the real commit,
             so that latency is understated by up to the POST's round trip and can even be
             negative; "p95 from start" counts from when the POST was sent: an upper bound); on PostgreSQL the driver processes call the
             domain functions (sessies.harvest.add_note, sessies.timeline.extend_current_block)
             themselves and the server hears the NOTIFY. Goal: p95 <= 0.5 s.
two-servers  PostgreSQL: streams on server B, notes POSTed to server A; latency A -> B (commit time
             = the POST's answer from A). Goal: p95 <= 0.5 s.
cost         In-process, per note count: server time and bytes of what each screen gets for a new
             note and for a timeline move (sessies.screens.render_push), against the whole live
             state a poll answered before; and the note-save answer (POST through the test client)
             against the whole harvest. Goal at 1,000 notes: <= 20 ms and <= 10 KiB per screen.
memory       One uvicorn process (SQLite): RSS before and after opening K streams, then an idle
             period: server CPU, heartbeat bytes received, and the database queries the server ran
             (bench.settings with BENCH_COUNT_QUERIES=1, read at /bench/queries/). Goal: 0 queries.
phones       Participants' phones in one running session, in its first block with questions and opened
             to participants. The team's three streams stay open throughout; three phases of the same
             length each get the same changes as propagation (one a second over HTTP: notes POSTed as
             the secretary, every --extend-every-th an "extend" POSTed as the facilitator): "none"
             without phones, "idle" with --phones phones joined (a GET of the join page gives each its
             CSRF and signed device cookies) and their streams open, "active" with those phones each
             POSTing an answer every 30-60 s (within the rate limits, left as they are). Per phase:
             commit-to-screen on the team's screens ("from click" = from when the POST was sent, an
             upper bound; "from answer" as propagation), the move and note POSTs' latency, the
             answers' POST latency, whether every phone got every move, server CPU and RSS. A note's
             version is the one the secretary's stream saw it arrive with (the phones bump the version
             too). Goal: p95 <= 0.5 s in every phase, and no slower than "none": each phase's shift
             with a 95% bootstrap interval (changes resampled); slower = the interval above 0.

The stream clients are raw asyncio HTTP/1.1 (one process: this one); the driver runs in one (HTTP)
or --drivers (PostgreSQL, threads inside) processes. Clients, driver(s) and the server share the
machine's cores, which the output says; a client or driver that falls behind shows as latency too.
"""

import argparse
import asyncio
import bisect
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ["fixtures/kader.json", "fixtures/draaiboeken.json"]
SCRIPT_SLUG = "gesprekstafel-1-start"
SCREENS = ("run", "notes", "projector")
# A bench note's client token, as its text carries it (http_driver): "[bench-<pk>-<k>-<hex>]".
NOTE_MARK = re.compile(rb"\[(bench-\d+-\d+-[0-9a-f]+)\]")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
GOAL_P95_SECONDS = 0.5
GOAL_RENDER_MS = 20
GOAL_RENDER_BYTES = 10 * 1024
HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
PG_MAX_CONNECTIONS = 2500


# Processes, databases and their cleanup


class Interrupted(KeyboardInterrupt):
    pass


def _raise_interrupted(signum, frame):
    raise Interrupted()


class Resources:
    """A temporary folder plus everything started in it, undone in reverse order on exit (Ctrl-C included)."""

    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="gt-live-bench-"))
        self.secret_key = secrets.token_urlsafe(50)
        self._undo = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def on_exit(self, undo):
        self._undo.append(undo)

    def close(self):
        while self._undo:
            undo = self._undo.pop()
            try:
                undo()
            except Exception as error:  # noqa: BLE001 - cleanup goes on whatever one step raises
                print(f"cleanup: {error}", file=sys.stderr)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def spawn(self, args, env, **kwargs):
        """A subprocess in its own process group (Ctrl-C reaches only us), stopped on exit by its id."""
        process = subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True, **kwargs)
        self.on_exit(lambda: stop_process(process))
        return process

    def env(self, database_url, **extra):
        static = self.workdir / "static"
        static.mkdir(exist_ok=True)
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
            "DJANGO_STATIC_ROOT": str(static),
            **extra,
        }

    def database(self, args):
        """The database URL: --database-url, a throw-away PostgreSQL (--pg), or a new SQLite file."""
        if getattr(args, "database_url", ""):
            return args.database_url
        if getattr(args, "pg", False):
            return start_postgres(self)
        return f"sqlite:///{self.workdir / 'bench.sqlite3'}"


def stop_process(process, grace=8):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_postgres(res):
    """initdb + pg_ctl start in a temporary folder on a free port (as .ci/run); stopped and removed on exit."""
    if not (PG_BIN / "initdb").exists():
        sys.exit("PostgreSQL 15 is missing: apt-get install -y postgresql-15")
    pgdir = Path(tempfile.mkdtemp(prefix="gt-live-pg-"))
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(pgdir, "postgres")

    def run(command):
        argv = ["su", "postgres", "-c", command] if as_root else ["sh", "-c", command]
        subprocess.run(argv, check=True, capture_output=True)

    port = free_port()
    data = pgdir / "data"

    def stop():
        if (data / "postmaster.pid").exists():
            run(f"{PG_BIN}/pg_ctl -D {data} -m fast -w stop")
        shutil.rmtree(pgdir, ignore_errors=True)

    res.on_exit(stop)
    run(f"{PG_BIN}/initdb -D {data} -A trust -U postgres")
    # Every open stream holds a connection of its own (see the report), so far more than the default 100.
    options = f"-p {port} -k {pgdir} -h {HOST} -c max_connections={PG_MAX_CONNECTIONS}"
    run(f"{PG_BIN}/pg_ctl -D {data} -o '{options}' -l {pgdir}/log -w start")
    return f"postgres://postgres@{HOST}:{port}/postgres"


def start_uvicorn(res, env, port, workers=1):
    uvicorn = Path(sys.executable).parent / "uvicorn"
    process = res.spawn(
        [
            str(uvicorn),
            "gesprekstafels.asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "2",
        ],
        env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"uvicorn on port {port} exited with {process.returncode}")
        try:
            status, _, _ = arun(http_get(port, "/bench/plain/"))
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"uvicorn on port {port} did not answer within 60 s")


def run_internal(env, *args):
    """This script's internal subcommand in a fresh Django process; returns its JSON answer."""
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode:
        sys.exit(f"{' '.join(args[:1])} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# /proc readings


def process_tree(pid):
    """`pid` and all its descendants (uvicorn --workers N runs N children)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    return total


def busy_seconds():
    """CPU seconds all of the machine's cores have been busy (not idle or waiting for I/O) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS  # up to steal; guest time is in user already


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total


# Minimal HTTP/1.1 over asyncio


def arun(coroutine):
    """asyncio.run on uvloop when installed (it is, with uvicorn[standard]), else the default loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return asyncio.run(coroutine, loop_factory=uvloop.new_event_loop)


async def read_head(reader):
    status_line = await reader.readuntil(b"\r\n")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readuntil(b"\r\n")
        if line == b"\r\n":
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":  # one header per cookie: all of them, as a list
            headers.setdefault(name, []).append(value)
        else:
            headers[name] = value


async def read_body(reader, headers):
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if not size:
                return b"".join(parts)
            parts.append(chunk[:-2])
    return await reader.read()


def request_bytes(method, path, port, headers=(), body=b""):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", *headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def http_get(port, path, headers=()):
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request_bytes("GET", path, port, [*headers, "Connection: close"]))
        status, response_headers = await read_head(reader)
        return status, response_headers, await read_body(reader, response_headers)
    finally:
        writer.close()


class HttpPool:
    """Keep-alive connections to one server, at most `size` requests at a time."""

    def __init__(self, port, size):
        self.port = port
        self.idle = []
        self.slots = asyncio.Semaphore(size)

    async def post(self, path, fields, cookie, extra_headers=()):
        body = urlencode(fields).encode()
        headers = [
            f"Cookie: {cookie}",
            "HX-Request: true",
            "Content-Type: application/x-www-form-urlencoded",
            *extra_headers,
        ]
        async with self.slots:
            while True:
                reused = bool(self.idle)
                connection = self.idle.pop() if reused else await asyncio.open_connection(HOST, self.port)
                reader, writer = connection
                try:
                    writer.write(request_bytes("POST", path, self.port, headers, body))
                    status, response_headers = await read_head(reader)
                    content = await read_body(reader, response_headers)
                    break
                except (ConnectionError, asyncio.IncompleteReadError) as error:
                    writer.close()
                    if reused and not getattr(error, "partial", b""):
                        # The server closed it while it was idle (its keep-alive timeout): as a browser
                        # does, the request goes again on a new connection.
                        continue
                    raise
                except BaseException:
                    writer.close()
                    raise
            if response_headers.get("connection", "").lower() == "close":
                writer.close()
            else:
                self.idle.append(connection)
            return status, content

    def close(self):
        for _, writer in self.idle:
            writer.close()
        self.idle = []


# The stream client


class Stream:
    """One EventSource: GET /sessies/<pk>/stroom/ (or `path`), events parsed as they arrive, reconnecting like a browser.

    Given `marks` (a dict) it also notes, for every bench note it sees (NOTE_MARK), the first
    event id that carried it: the version that note's change got.
    """

    def __init__(self, port, session_pk, screen, cookie, version, *, path=None):
        self.port = port
        self.session_pk = session_pk
        self.screen = screen
        self.cookie = cookie
        self.path = path or f"/sessies/{session_pk}/stroom/?view={screen}"
        self.marks = None
        self.last_id = version
        self.ids = []  # the highest id seen so far, per event with an id
        self.times = []  # when that event was parsed (time.time())
        self.bytes = 0
        self.pings = 0
        self.gone = 0
        self.resyncs = 0  # events whose id skipped a version (the whole state sent)
        self.reconnects = 0
        self.error = None
        self.ready = asyncio.get_running_loop().create_future()
        self.stopping = False
        self.writer = None
        self._buffer = b""

    async def run(self, connect_slots):
        while not self.stopping:
            try:
                async with connect_slots:
                    reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=2**24)
                    path = f"{self.path}&v={self.last_id}"
                    headers = [f"Cookie: {self.cookie}", "Accept: text/event-stream"]
                    if self.reconnects:
                        headers.append(f"Last-Event-ID: {self.last_id}")
                    self.writer.write(request_bytes("GET", path, self.port, headers))
                    status, headers = await read_head(reader)
                if status != 200:
                    self.error = f"HTTP {status}"
                    break
                await self._read(reader, headers)
            except (OSError, asyncio.IncompleteReadError) as error:
                if self.stopping:
                    break
                self.error = repr(error)
            if self.stopping:
                break
            self.reconnects += 1
            await asyncio.sleep(1)
        if not self.ready.done():
            self.ready.set_result(False)

    async def _read(self, reader, headers):
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        while True:
            if chunked:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                data = await reader.readexactly(size + 2)
                if not size:
                    return
                data = data[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    return
            self._feed(data, time.time())

    def _feed(self, data, now):
        self.bytes += len(data)
        self._buffer += data
        while True:
            end = self._buffer.find(b"\n\n")
            if end < 0:
                return
            block, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
            event_id = kind = None
            for line in block.split(b"\n"):
                if line.startswith(b"id:"):
                    event_id = int(line[3:])
                elif line.startswith(b"event:"):
                    kind = line[6:].strip()
            if kind == b"ready":
                if not self.ready.done():
                    self.ready.set_result(True)
            elif kind == b"ping":
                self.pings += 1
            elif kind == b"gone":
                self.gone += 1
            if event_id is not None:
                if event_id > self.last_id + 1 and self.ids:
                    self.resyncs += 1
                self.last_id = max(self.last_id, event_id)
                self.ids.append(self.last_id)
                self.times.append(now)
                if self.marks is not None:
                    for mark in NOTE_MARK.findall(block):
                        self.marks.setdefault(mark.decode(), self.last_id)

    def reached(self, version):
        """When this stream first had `version` (an event with that id or a later one); None if never."""
        index = bisect.bisect_left(self.ids, version)
        return self.times[index] if index < len(self.ids) else None

    def stop(self):
        self.stopping = True
        if self.writer is not None:
            self.writer.close()


def team_streams(port, sessions, cookies):
    """The team's three streams per session: run view and projector as the facilitator, notes as the secretary."""
    # One port, or several (one uvicorn process each): sessions are spread over them in turn,
    # as a proxy balancing on connections would.
    ports = port if isinstance(port, list) else [port]
    streams = []
    for index, session in enumerate(sessions):
        for screen in SCREENS:
            cookie = cookies["notes" if screen == "notes" else "run"]
            target = ports[index % len(ports)]
            streams.append(Stream(target, session["pk"], screen, cookie, session["version"]))
    return streams


class Streams:
    """Stream clients of one run, in this process's event loop."""

    def __init__(self, streams):
        self.streams = streams
        self.tasks = []

    async def open(self, timeout=240, parallel=50):
        slots = asyncio.Semaphore(parallel)
        self.tasks = [asyncio.create_task(stream.run(slots)) for stream in self.streams]
        await asyncio.wait([stream.ready for stream in self.streams], timeout=timeout)
        return sum(1 for stream in self.streams if stream.ready.done() and stream.ready.result())

    async def close(self):
        for stream in self.streams:
            stream.stop()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def catch_up(self, version, timeout=10):
        """Wait (at most `timeout` s) until every stream has `version` (a dict: per session pk); True if all did."""
        deadline = time.time() + timeout
        while not all(s.last_id >= version.get(s.session_pk, 0) for s in self.streams):
            if time.time() > deadline:
                return False
            await asyncio.sleep(0.25)
        return True

    def total(self, name):
        return sum(getattr(stream, name) for stream in self.streams)

    def errors(self):
        return [f"{s.session_pk}/{s.screen}: {s.error}" for s in self.streams if s.error]


def percentile(values, q):
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# Internal subcommands (run in their own Django process)


def internal_setup(args):
    """Migrate, load the fixtures, plan and start `--sessions` sessions; print their ids, versions, cookies.

    With --participants each session moves on to its first block with questions and is opened to
    participants' phones; its link's token is printed with it. With --collectstatic the static files
    are collected first, as in production, so whole pages render (DEBUG off needs their manifest).
    """
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from draaiboeken.models import Script
    from kader.models import Phase, ResearchProject
    from sessies import roles
    from sessies.models import Session

    if args.collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    roles.ensure_role_groups()
    facilitator = User.objects.create_user("bench-facilitator", first_name="Fenna")
    facilitator.groups.add(Group.objects.get(name=roles.FACILITATORS))
    secretary = User.objects.create_user("bench-secretary", first_name="Sam")
    secretary.groups.add(Group.objects.get(name=roles.SECRETARIES))
    project = ResearchProject.objects.create(title="Bench", current_phase=Phase.objects.get(number=1))
    script = Script.objects.get(slug=SCRIPT_SLUG)
    sessions = []
    tokens = {}
    with transaction.atomic():
        for number in range(args.sessions):
            session = create_running_session(
                script, project, facilitator, secretary, args.notes, title=f"Bench {number}"
            )
            sessions.append(session.pk)
            if args.participants:
                tokens[session.pk] = open_to_phones(session, facilitator)
    rows = Session.objects.filter(pk__in=sessions).order_by("pk")
    answer = {
        "sessions": [
            {"pk": s.pk, "version": s.version, "timeline_version": s.timeline_version, "block": s.current_block_id}
            | ({"token": tokens[s.pk]} if s.pk in tokens else {})
            for s in rows
        ],
        "cookies": {},
    }
    csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
    for screen, user in (("run", facilitator), ("notes", secretary)):
        client = Client()
        client.force_login(user)
        answer["cookies"][screen] = f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"
    answer["csrf"] = csrf
    print(json.dumps(answer))


def open_to_phones(session, facilitator):
    """Move a running session on to its first block with questions, open it to participants; the link's token."""
    from sessies import participation, timeline

    while not session.current_block.outline.main_questions():
        session = timeline.advance_to_next_block(session.pk, session.timeline_version, by=facilitator)
    return participation.open_for_participants(session, by=facilitator).token


def add_notes_quickly(session, count, author, Note):
    """`count` notes spread over the session's blocks and their questions (one in 20 starred), in one insert."""
    from draaiboeken.models import StepKind

    places = []
    for block in session.blocks.prefetch_related("steps"):
        places.append((block, None))
        places.extend((block, step) for step in block.steps.all() if step.kind == StepKind.QUESTION)
    Note.objects.bulk_create(
        Note(
            session=session,
            block=places[i % len(places)][0],
            question=places[i % len(places)][1],
            text=f"Notitie {i}: wat de deelnemers zeiden over dit onderwerp, in een paar zinnen samengevat.",
            tag="opbrengst",
            is_key=i % 20 == 0,
            author=author,
        )
        for i in range(count)
    )


def internal_versions(args):
    import django

    django.setup()
    from sessies.models import Session

    rows = Session.objects.order_by("pk").values("pk", "version", "timeline_version", "current_block_id")
    print(
        json.dumps(
            [
                {
                    "pk": r["pk"],
                    "version": r["version"],
                    "timeline_version": r["timeline_version"],
                    "block": r["current_block_id"],
                }
                for r in rows
            ]
        )
    )


def plan_slots(cfg):
    """(slot time offset, session index, k, measured) for every change asked of this driver."""
    total = cfg["warmup"] + cfg["seconds"]
    return sorted(
        (k + session["offset"], index, k, k >= cfg["warmup"])
        for k in range(total)
        for index, session in enumerate(cfg["sessions"])
    )


def change_kind(cfg, session, k):
    every = cfg["extend_every"]
    return "extend" if every and (k + session["index"]) % every == every - 1 else "note"


def internal_driver(args):
    cfg = json.loads(Path(args.config).read_text())
    result = {"changes": [], "asked": 0, "late": 0, "busy": 0, "failed": 0, "lags": [], "errors": []}
    if cfg["mode"] == "http":
        print("READY", flush=True)
        t0 = float(sys.stdin.readline())
        arun(http_driver(cfg, t0, result))
    else:
        t0 = direct_driver(cfg, result)
    # Stay alive a moment past the measured window, so the parent reads this process's CPU time in it.
    time.sleep(max(0, t0 + cfg["warmup"] + cfg["seconds"] + 1 - time.time()))
    Path(cfg["out"]).write_text(json.dumps(result))


async def http_driver(cfg, t0, result):
    """SQLite: every change is a POST to the server, as the secretary's and facilitator's pages send it."""
    pool = HttpPool(cfg["port"], cfg["concurrency"])
    total = cfg["warmup"] + cfg["seconds"]
    csrf = cfg["csrf"]

    async def one_session(session):
        pk, version, timeline_version = session["pk"], session["version"], session["timeline_version"]
        for k in range(total):
            slot = t0 + k + session["offset"]
            delay = slot - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            measured = k >= cfg["warmup"]
            result["asked"] += measured
            lag = time.time() - slot
            if lag > 1.0:  # a whole second behind: this change is not made
                result["late"] += measured
                continue
            if measured:
                result["lags"].append(lag)
            kind = change_kind(cfg, session, k)
            token = f"bench-{pk}-{k}-{secrets.token_hex(4)}" if kind == "note" else ""
            sent = time.time()
            try:
                if kind == "note":
                    fields = {
                        "block": session["block"],
                        "question": "",
                        "tag": "opbrengst",
                        # The token in the text lets a stream tell which version this note got (NOTE_MARK).
                        "text": f"Bench-notitie {k} van sessie {pk} [{token}]",
                        "client_token": token,
                        "csrfmiddlewaretoken": csrf,
                    }
                    status, body = await pool.post(f"/sessies/{pk}/notities/", fields, cfg["cookies"]["notes"])
                    committed = time.time()
                    if status == 200:
                        version += 1
                else:
                    fields = {"version": timeline_version, "csrfmiddlewaretoken": csrf}
                    status, body = await pool.post(f"/sessies/{pk}/regie/verleng/", fields, cfg["cookies"]["run"])
                    committed = time.time()
                    text = body.decode("utf-8", "replace")
                    seen = re.search(r'id="poller" data-version="(\d+)"', text)
                    timelines = re.findall(r'name="version" value="(\d+)"', text)
                    if status == 200 and seen:
                        version = int(seen.group(1))
                    if timelines:
                        timeline_version = int(timelines[0])
            except (OSError, asyncio.IncompleteReadError) as error:
                result["failed"] += measured
                result["errors"].append(repr(error))
                continue
            if status != 200:
                result["failed"] += measured
                result["errors"].append(f"{kind} HTTP {status}")
                continue
            result["changes"].append([pk, version, committed, kind, measured, sent, token])

    await asyncio.gather(*(one_session(session) for session in cfg["sessions"]))
    pool.close()


def direct_driver(cfg, result):
    """PostgreSQL: the domain functions called in this process; threads so a slow commit holds up one change only."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection

    from sessies import harvest, timeline
    from sessies.models import Session

    objects = Session.objects.in_bulk([s["pk"] for s in cfg["sessions"]])
    secretary = User.objects.get(username="bench-secretary")
    facilitator = User.objects.get(username="bench-facilitator")
    connection.close()
    state = [{"version": s["version"], "timeline_version": s["timeline_version"]} for s in cfg["sessions"]]
    busy = [False] * len(cfg["sessions"])
    lock = threading.Lock()
    print("READY", flush=True)
    t0 = float(sys.stdin.readline())

    def change(index, k, slot, measured):
        session = cfg["sessions"][index]
        try:
            lag = time.time() - slot
            if lag > 1.0:
                with lock:
                    result["late"] += measured
                return
            if measured:
                result["lags"].append(lag)
            kind = change_kind(cfg, session, k)
            sent = time.time()
            try:
                if kind == "note":
                    harvest.add_note(
                        objects[session["pk"]],
                        block_id=session["block"],
                        text=f"Bench-notitie {k} van sessie {session['pk']}",
                        tag="opbrengst",
                        author=secretary,
                    )
                    committed = time.time()
                    state[index]["version"] += 1  # this driver is the session's only writer
                else:
                    moved = timeline.extend_current_block(
                        session["pk"], state[index]["timeline_version"], by=facilitator
                    )
                    committed = time.time()
                    state[index]["version"] = moved.version
                    state[index]["timeline_version"] = moved.timeline_version
            except (timeline.StaleVersion, timeline.TransitionRefused) as error:
                with lock:
                    result["failed"] += measured
                    result["errors"].append(repr(error))
                current = Session.objects.get(pk=session["pk"])
                state[index].update(version=current.version, timeline_version=current.timeline_version)
                return
            result["changes"].append([session["pk"], state[index]["version"], committed, kind, measured, sent])
        except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
            with lock:
                result["failed"] += measured
                result["errors"].append(repr(error))
        finally:
            busy[index] = False

    with ThreadPoolExecutor(cfg["threads"]) as pool:
        for offset, index, k, measured in plan_slots(cfg):
            slot = t0 + offset
            delay = slot - time.time()
            if delay > 0:
                time.sleep(delay)
            result["asked"] += measured
            if busy[index]:  # its previous change has not committed yet
                result["busy"] += measured
                continue
            busy[index] = True
            pool.submit(change, index, k, slot, measured)
    return t0


# propagation and two-servers


async def start_drivers(res, env, cfgs, name="driver"):
    """The driver processes, one per config, started and ready; `release_drivers` sets them off."""
    drivers = []
    for number, cfg in enumerate(cfgs):
        path = res.workdir / f"{name}-{number}.json"
        cfg["out"] = str(res.workdir / f"{name}-{number}-result.json")
        path.write_text(json.dumps(cfg))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "_driver",
            "--config",
            str(path),
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        res.on_exit(lambda process=process: _kill_async(process))
        drivers.append(process)
    for process in drivers:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if line.strip() != b"READY":
            sys.exit(f"driver did not start: {line!r}")
    return drivers


def _kill_async(process):
    if process.returncode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def release_drivers(drivers):
    """Tell the drivers when to begin (a second from now): t0, from which their schedule counts."""
    t0 = time.time() + 1.0
    for process in drivers:
        process.stdin.write(f"{t0}\n".encode())
        await process.stdin.drain()
    return t0


async def measured_window(t0, warmup, seconds, server_pids, driver_pids):
    """Wait through the warm-up and the measured seconds; CPU seconds used in the latter by the server, this
    process (the clients), the drivers and the whole machine, the window's length ("seconds") and the server's
    RSS at its end."""

    def now():
        return {
            "server": cpu_seconds(server_pids),
            "client": cpu_seconds([os.getpid()]),
            "driver": cpu_seconds(driver_pids),
            "machine": busy_seconds(),
            "seconds": time.time(),
        }

    await asyncio.sleep(max(0, t0 + warmup - time.time()))
    start = now()
    await asyncio.sleep(max(0, t0 + warmup + seconds - time.time()))
    end = now()
    return {name: end[name] - start[name] for name in end} | {"server_rss": rss_kib(server_pids)}


async def driver_results(drivers, cfgs):
    """What the drivers wrote once done (a driver that hangs is killed after 2 minutes and has none)."""
    for process in drivers:
        try:
            await asyncio.wait_for(process.wait(), 120)
        except TimeoutError:
            _kill_async(process)
    return [json.loads(Path(cfg["out"]).read_text()) for cfg in cfgs if Path(cfg["out"]).exists()]


def last_versions(changes):
    """Per session pk, the highest version the changes made."""
    last = {}
    for pk, version, *_ in changes:
        if version is not None:
            last[pk] = max(last.get(pk, 0), version)
    return last


def arrivals(made, stream_of):
    """Per screen, when each made change reached it: ({screen: [event parsed - commit]}, {screen: [- begun]}).

    `stream_of(pk, screen)` is the stream that screen of that session has; a change whose version is
    unknown (None) or that never arrived counts as missing.
    """
    latencies = {screen: [] for screen in SCREENS}
    from_start = {screen: [] for screen in SCREENS}
    for pk, version, committed, _kind, _measured, sent, *_ in made:
        for screen in SCREENS:
            reached = stream_of(pk, screen).reached(version) if version is not None else None
            if reached is not None:
                latencies[screen].append(reached - committed)
                from_start[screen].append(reached - sent)
    return latencies, from_start


async def measure(
    res, env, *, sessions, cookies, csrf, stream_port, server_pids, mode, target_port, args, extend_every
):
    """Open three streams per session, drive the changes, return what arrived when."""
    streams = Streams(team_streams(stream_port, sessions, cookies))
    opened_at = time.time()
    opened = await streams.open()
    open_seconds = time.time() - opened_at
    n = len(sessions)
    base = {
        "warmup": args.warmup,
        "seconds": args.seconds,
        "extend_every": extend_every,
        "mode": mode,
        "port": target_port,
        "cookies": cookies,
        "csrf": csrf,
        "concurrency": 32,
        "threads": 8,
    }
    driver_count = 1 if mode == "http" else max(1, args.drivers)
    cfgs = [
        {
            **base,
            "sessions": [
                {**s, "index": i, "offset": i / n} for i, s in enumerate(sessions) if i % driver_count == number
            ],
        }
        for number in range(driver_count)
    ]
    drivers = await start_drivers(res, env, cfgs)
    t0 = await release_drivers(drivers)
    used = await measured_window(t0, args.warmup, args.seconds, server_pids, [p.pid for p in drivers])
    connections = database_connections(env["DATABASE_URL"])
    results = await driver_results(drivers, cfgs)
    changes = [change for result in results for change in result["changes"]]
    await streams.catch_up(last_versions(changes))
    await streams.close()

    by_key = {(s.session_pk, s.screen): s for s in streams.streams}
    made = [c for c in changes if c[4]]
    # from_start: the same, counted from when the change was begun (an upper bound on HTTP)
    latencies, from_start = arrivals(made, lambda pk, screen: by_key[(pk, screen)])
    return {
        "sessions": n,
        "streams": len(streams.streams),
        "opened": opened,
        "open_seconds": open_seconds,
        "asked": sum(r["asked"] for r in results),
        "made": len(made),
        "late": sum(r["late"] for r in results),
        "busy": sum(r["busy"] for r in results),
        "failed": sum(r["failed"] for r in results),
        "errors": [e for r in results for e in r["errors"]][:5],
        "lag_p95": percentile([lag for r in results for lag in r["lags"]], 0.95),
        "latencies": latencies,
        "from_start": [v for values in from_start.values() for v in values],
        "resyncs": streams.total("resyncs"),
        "reconnects": streams.total("reconnects"),
        "stream_errors": streams.errors()[:5],
        "server_cpu": 100 * used["server"] / used["seconds"],
        "client_cpu": 100 * used["client"] / used["seconds"],
        "driver_cpu": 100 * used["driver"] / used["seconds"],
        "drivers": driver_count,
        "db_connections": connections,
    }


def database_connections(database_url):
    """Client connections PostgreSQL has open right now (None on SQLite)."""
    if not database_url.startswith("postgres"):
        return None
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        query = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        return conn.execute(query).fetchone()[0] - 1  # not this one


def ms(value):
    return "   -  " if math.isnan(value) else f"{value * 1000:6.0f}"


def verdict(row, p95, received):
    """'yes' only when the load was carried: a fast p95 over a few changes the server managed to make is no pass."""
    if row["made"] < 0.95 * row["asked"]:
        return "NO (load not carried)"
    if len(received) < 3 * row["made"]:
        return "NO (events missing)"
    return "yes" if p95 <= GOAL_P95_SECONDS else "NO"


def print_propagation(rows, title, notes):
    print(title)
    for note in notes:
        print(f"  {note}")
    print()
    print(
        "sessions streams opened | asked   made  late busy fail | events exp   got  | p50 ms p95 ms max ms |"
        " p95 from start | server CPU client CPU driver CPU | p95<=0.5s"
    )
    for row in rows:
        everything = [v for values in row["latencies"].values() for v in values]
        p95 = percentile(everything, 0.95)
        print(
            f"{row['sessions']:8d} {row['streams']:7d} {row['opened']:6d} | {row['asked']:5d} {row['made']:6d}"
            f" {row['late']:5d} {row['busy']:4d} {row['failed']:4d} | {3 * row['made']:10d} {len(everything):5d} |"
            f" {ms(percentile(everything, 0.5))} {ms(p95)} {ms(max(everything, default=math.nan))} |"
            f" {ms(percentile(row['from_start'], 0.95)):>14s} |"
            f" {row['server_cpu']:9.0f}% {row['client_cpu']:9.0f}% {row['driver_cpu']:9.0f}% |"
            f" {verdict(row, p95, everything)}"
        )
    print()
    print("  goal met = p95 <= 0.5 s, with at least 95% of the asked changes made and every expected event received")
    print()
    print("sessions screen    | events exp   got | p50 ms p95 ms max ms min ms")
    for row in rows:
        for screen in SCREENS:
            values = row["latencies"][screen]
            print(
                f"{row['sessions']:8d} {screen:9s} | {row['made']:10d} {len(values):5d} |"
                f" {ms(percentile(values, 0.5))} {ms(percentile(values, 0.95))}"
                f" {ms(max(values, default=math.nan))} {ms(min(values, default=math.nan))}"
            )
    print()
    for row in rows:
        extra = (
            f"N={row['sessions']}: streams opened in {row['open_seconds']:.1f} s; driver start lag p95"
            f" {ms(row['lag_p95']).strip()} ms; whole-state resyncs {row['resyncs']}, reconnects {row['reconnects']}"
        )
        if row["db_connections"] is not None:
            extra += f"; PostgreSQL client connections open at the end of the window: {row['db_connections']}"
        print(extra)
        for error in row["errors"]:
            print(f"    driver error: {error}")
        for error in row["stream_errors"]:
            print(f"    stream error: {error}")


def cmd_propagation(args):
    with Resources() as res:
        database_url = res.database(args)
        postgres = database_url.startswith("postgres")
        env = res.env(database_url)
        started = time.time()
        setup = run_internal(env, "_setup", "--sessions", str(max(args.sessions)), "--notes", str(args.base_notes))
        setup_seconds = time.time() - started
        rows = []
        for n in args.sessions:
            current = run_internal(env, "_versions")[:n]
            ports = [free_port() for _ in range(args.processes)]
            servers = [start_uvicorn(res, env, port, args.workers) for port in ports]
            row = arun(
                measure(
                    res,
                    env,
                    sessions=current,
                    cookies=setup["cookies"],
                    csrf=setup["csrf"],
                    stream_port=ports if len(ports) > 1 else ports[0],
                    server_pids=[pid for server in servers for pid in process_tree(server.pid)],
                    mode="direct" if postgres else "http",
                    target_port=ports[0],
                    args=args,
                    extend_every=5,
                )
            )
            for server in servers:
                stop_process(server)
            rows.append(row)
            print(f"[N={n} done: {row['made']} changes, {sum(map(len, row['latencies'].values()))} events]", flush=True)
        database = "PostgreSQL 15" if postgres else "SQLite"
        driver = (
            f"{rows[0]['drivers']} driver process(es) calling add_note/extend_current_block directly (8 threads each)"
            if postgres
            else "1 driver process POSTing over HTTP (32 keep-alive connections)"
        )
        print_propagation(
            rows,
            f"propagation: {database}, {args.processes} x uvicorn --workers {args.workers}, warm-up {args.warmup} s,"
            f" measured {args.seconds} s, {args.base_notes} notes per session to start with",
            [
                f"one change per session per second (4 of 5 a note, 1 of 5 extend by 5 min); {driver}",
                "streams: 1 client process (this one, asyncio) holds all of them: run+projector as the facilitator,"
                " notes as the secretary",
                f"all processes share this machine's {CORES} cores; CPU% is of one core (100% = one core busy)",
                "latency = event parsed by the client - change committed"
                + (
                    ""
                    if postgres
                    else " (commit = when the POST's answer arrived, a little after the real commit: the latency shown"
                    " is understated by up to the POST's round trip; 'p95 from start' counts from the moment the"
                    " POST was sent, an upper bound)"
                ),
                "asked = changes the schedule asked for in the measured seconds; made = committed; late = skipped,"
                " more than 1 s past its slot (on HTTP: usually the session's previous POST still waiting for its"
                " answer); busy = skipped, the session's previous change still running (PostgreSQL driver)",
                f"setup of {max(args.sessions)} sessions took {setup_seconds:.0f} s",
            ],
        )


def cmd_two_servers(args):
    with Resources() as res:
        args.pg = True
        database_url = res.database(args)
        env = res.env(database_url)
        setup = run_internal(env, "_setup", "--sessions", str(args.sessions), "--notes", str(args.base_notes))
        port_a, port_b = free_port(), free_port()
        server_a = start_uvicorn(res, env, port_a, 1)
        server_b = start_uvicorn(res, env, port_b, 1)
        row = arun(
            measure(
                res,
                env,
                sessions=setup["sessions"],
                cookies=setup["cookies"],
                csrf=setup["csrf"],
                stream_port=port_b,
                server_pids=[server_a.pid, server_b.pid],
                mode="http",
                target_port=port_a,
                args=args,
                extend_every=0,
            )
        )
        print_propagation(
            [row],
            f"two-servers: PostgreSQL 15, server A and server B (uvicorn, 1 worker each), warm-up {args.warmup} s,"
            f" measured {args.seconds} s",
            [
                "streams (3 per session) on B; one note per session per second POSTed to A (1 driver process);"
                " B hears A's NOTIFY on its LISTEN connection",
                "latency = event parsed on B's stream - A's answer to the POST arrived (a little after the commit)",
                f"server CPU = A + B; all processes share this machine's {CORES} cores; CPU% is of one core",
            ],
        )


# cost


def cmd_cost(args):
    with Resources() as res:
        database_url = res.database(args)
        os.environ.update(res.env(database_url))
        import django

        django.setup()
        run_cost(args, database_url)


def run_cost(args, database_url):
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from draaiboeken.models import Script
    from kader.models import Phase, ResearchProject
    from sessies import harvest, push, roles, timeline
    from sessies.models import Note, Session, SessionBlock
    from sessies.screens import Screen, load_live_session, notes_page_context, render_push
    from sessies.views.stream import _event

    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    roles.ensure_role_groups()
    facilitator = User.objects.create_user("bench-facilitator")
    facilitator.groups.add(Group.objects.get(name=roles.FACILITATORS))
    secretary = User.objects.create_user("bench-secretary")
    secretary.groups.add(Group.objects.get(name=roles.SECRETARIES))
    project = ResearchProject.objects.create(title="Bench", current_phase=Phase.objects.get(number=1))
    script = Script.objects.get(slug=SCRIPT_SLUG)
    users = {Screen.RUN: facilitator, Screen.NOTES: secretary, Screen.PROJECTOR: facilitator}
    team = list(users)  # the team's screens; a participant's phone is not rendered by render_push
    factory = RequestFactory()
    client = Client()
    client.force_login(secretary)

    def request_for(session_pk, screen):
        request = factory.get(f"/sessies/{session_pk}/stroom/?view={screen.value}")
        request.user = users[screen]
        request.session = SessionStore()
        request.LANGUAGE_CODE = "nl"
        return request

    def timed(function, repeat):
        """(median ms, result of the last call, queries of one call)."""
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            out = function()
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            function()
        return statistics.median(times), out, len(queries)

    rows = []
    for count in args.notes:
        session = create_running_session(script, project, facilitator, secretary, count)
        pk = session.pk
        block = session.current_block_id
        requests = {screen: request_for(pk, screen) for screen in team}

        def push_bytes(html, version):
            return len(_event(version, html).encode())

        with translation.override("nl"):
            # A new note: one per repetition, rendered for the three screens, then removed again.
            note_times = {screen: [] for screen in team}
            note_sizes = {}
            note_queries = {}
            for _ in range(args.repeat):
                note = harvest.add_note(
                    session, block_id=block, text="Een nieuwe notitie.", tag="opbrengst", author=secretary
                )
                version = Session.objects.get(pk=pk).version
                event = push.Event(pk, version, push.note_change(note.pk))
                # A stream keeps the session it read at the last timeline change; a note reuses it.
                kept = load_live_session(pk)
                for screen in team:
                    started = time.perf_counter()
                    html, _, _ = render_push(pk, screen, event, request=requests[screen], session=kept)
                    note_times[screen].append((time.perf_counter() - started) * 1000)
                    note_sizes[screen] = push_bytes(html, version)
                    if screen not in note_queries:
                        with CaptureQueriesContext(connection) as queries:
                            render_push(pk, screen, event, request=requests[screen], session=kept)
                        note_queries[screen] = len(queries)
                Note.objects.filter(pk=note.pk).delete()
            for screen in team:
                rows.append(
                    (
                        count,
                        "new note",
                        screen.value,
                        statistics.median(note_times[screen]),
                        note_sizes[screen],
                        note_queries[screen],
                    )
                )

            def measure_move(event, moved, times, sizes, query_counts, pk=pk, requests=requests):
                for screen in team:
                    started = time.perf_counter()
                    html, _, _ = render_push(pk, screen, event, request=requests[screen])
                    times[screen].append((time.perf_counter() - started) * 1000)
                    sizes[screen] = push_bytes(html, moved.version)
                    if screen not in query_counts:
                        with CaptureQueriesContext(connection) as queries:
                            render_push(pk, screen, event, request=requests[screen])
                        query_counts[screen] = len(queries)

            def append_moves(label, times, sizes, query_counts, count=count):
                for screen in team:
                    rows.append(
                        (
                            count,
                            label,
                            screen.value,
                            statistics.median(times[screen]),
                            sizes[screen],
                            query_counts[screen],
                        )
                    )

            # A timeline move: extend the current block, then what each screen gets.
            move_times = {screen: [] for screen in team}
            move_sizes = {}
            move_queries = {}
            for _ in range(args.repeat):
                current = Session.objects.get(pk=pk)
                try:
                    moved = timeline.extend_current_block(pk, current.timeline_version, by=facilitator)
                except timeline.TransitionRefused:  # at the longest a block may take: back to 30 minutes
                    SessionBlock.objects.filter(pk=block).update(minutes=30)
                    moved = timeline.extend_current_block(pk, current.timeline_version, by=facilitator)
                # What extend announces (sessies.timeline): the clock moved, not the block or its step.
                event = push.Event(pk, moved.version, push.TIMER)
                measure_move(event, moved, move_times, move_sizes, move_queries)
            append_moves("extend", move_times, move_sizes, move_queries)

            # A step move within the block: the steps and what the room sees, not the whole panel.
            move_times = {screen: [] for screen in team}
            move_sizes, move_queries = {}, {}
            for _ in range(args.repeat):
                current = Session.objects.get(pk=pk)
                try:
                    moved = timeline.next_step(pk, current.timeline_version, by=facilitator)
                except timeline.TransitionRefused:  # the block's last step: back to its first
                    first = current.current_block.outline.steps[0]
                    moved = timeline.go_to_step(pk, current.timeline_version, first.pk, by=facilitator)
                measure_move(push.Event(pk, moved.version, push.STEP), moved, move_times, move_sizes, move_queries)
            append_moves("next step", move_times, move_sizes, move_queries)

            # The old way: the whole live state, what every poll answered after any change.
            for screen in team:
                took, (html, version), queries = timed(
                    lambda s=screen, pk=pk, requests=requests: render_push(pk, s, None, request=requests[s])[:2],
                    args.repeat,
                )
                rows.append((count, "full state (old poll)", screen.value, took, push_bytes(html, version), queries))

            # The secretary's own save: the answer to the POST, against the whole harvest.
            answer_times, answer_size = [], 0
            for number in range(args.repeat):
                data = {
                    "block": block,
                    "question": "",
                    "tag": "opbrengst",
                    "text": "Een nieuwe notitie.",
                    "client_token": f"cost-{count}-{number}-{secrets.token_hex(4)}",
                }
                started = time.perf_counter()
                response = client.post(f"/sessies/{pk}/notities/", data, headers={"HX-Request": "true"})
                answer_times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    sys.exit(f"note_create answered {response.status_code}")
                answer_size = len(response.content)
                Note.objects.filter(session_id=pk, client_token=data["client_token"]).delete()
            rows.append(
                (count, "note-save answer (POST)", "notes", statistics.median(answer_times), answer_size, math.nan)
            )

            fresh = Session.objects.get(pk=pk)
            request = requests[Screen.NOTES]

            def whole_harvest(fresh=fresh, request=request):
                context = notes_page_context(fresh, user=secretary)
                return render_to_string("sessies/notes.html#harvest-update", context, request)

            took, html, queries = timed(whole_harvest, args.repeat)
            rows.append((count, "whole harvest (old answer)", "notes", took, len(html.encode()), queries))
        Session.objects.filter(pk=pk).update(version=F("version") + 1)

    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(
        f"cost: {database}, in-process (DEBUG off, cached templates), median of {args.repeat} repetitions;"
        f" bytes = the SSE event on the wire (id + data: lines) for pushes, the HTTP body for answers"
    )
    print(f"{'notes':>6} | {'change':26s} | {'screen':9s} | {'ms':>7} | {'bytes':>7} | queries")
    for count, change, screen, took, size, queries in rows:
        shown = "" if math.isnan(queries) else f"{queries:7d}"
        print(f"{count:6d} | {change:26s} | {screen:9s} | {took:7.2f} | {size:7d} | {shown}")
    top = max(args.notes)
    checked = [
        r for r in rows if r[0] == top and r[1] in ("new note", "extend", "next step", "note-save answer (POST)")
    ]
    slow = [r for r in checked if r[3] > GOAL_RENDER_MS]
    big = [r for r in checked if r[4] > GOAL_RENDER_BYTES]
    verdict = "holds" if not slow and not big else "DOES NOT hold"
    print(
        f"\nAt {top} notes, <= {GOAL_RENDER_MS} ms and <= {GOAL_RENDER_BYTES // 1024} KiB per screen for a change"
        f" (new note, extend, next step, note-save answer): {verdict}"
    )
    for r in slow:
        print(f"  too slow: {r[1]} / {r[2]}: {r[3]:.1f} ms")
    for r in big:
        print(f"  too big: {r[1]} / {r[2]}: {r[4]} bytes")


def create_running_session(script, project, facilitator, secretary, notes, *, title=None):
    """A started session of `script` with `notes` notes already in it (the bench's setups share it)."""
    from django.db.models import F
    from django.utils import timezone

    from sessies import timeline
    from sessies.models import Note, Session
    from sessies.planning import create_session

    session = create_session(
        script=script,
        project=project,
        title=title or f"Cost {notes}",
        starts_at=timezone.now(),
        facilitator=facilitator,
        secretary=secretary,
    )
    session = timeline.start(session.pk, session.timeline_version)
    if notes:
        add_notes_quickly(session, notes, secretary, Note)
        Session.objects.filter(pk=session.pk).update(version=F("version") + 1)
    return Session.objects.select_related("current_block").get(pk=session.pk)


# phones

PHONE_PHASES = ("none", "idle", "active")
# Fewer changes of a kind than this in a phase, and the comparison says nothing.
MIN_COMPARED = 5
# What participants type: a line or three, as a subgroup answers a question on a phone.
ANSWERS = (
    "Meer tijd voor overleg met collega's voordat we een besluit nemen.",
    "Wij zien vooral dat cliënten niet weten waar ze terechtkunnen; de folder helpt niet genoeg.",
    "Subgroep: de vraag klopt, maar de aanleiding ligt eerder, bij de intake. Daar begint het misverstand.",
    "Eens met de vorige groep. Toevoeging: betrek de wijkteams er vanaf het begin bij.",
)


class Phone:
    """A participant's phone: the join page (its CSRF and signed device cookies), its stream, its answers."""

    def __init__(self, port, session_pk, token, number):
        self.port = port
        self.session_pk = session_pk
        self.base = f"/doe-mee/{token}/"
        self.number = number
        self.stream = None
        self.answers = []  # (sent, seconds until the answer arrived, HTTP status or error, measured)

    async def join(self):
        """GET the join page as a phone opening the link does; then its stream can open."""
        status, headers, body = await http_get(self.port, self.base)
        cookies = dict(cookie.split(";", 1)[0].split("=", 1) for cookie in headers.get("set-cookie", []))
        page = body.decode("utf-8", "replace")
        self.questions = re.findall(r'name="question" value="(\d+)"', page)
        version = re.search(r'id="poller" data-version="(\d+)"', page)
        device = f"gt-device-{self.session_pk}"
        if status != 200 or "csrftoken" not in cookies or device not in cookies or not self.questions or not version:
            sys.exit(f"phone {self.number}: the join page answered {status} without cookies, questions or version")
        self.csrf = cookies["csrftoken"]
        self.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.pool = HttpPool(self.port, 1)  # its own connection, as a phone has
        path = f"{self.base}stroom/?view=participant"
        self.stream = Stream(self.port, self.session_pk, "phone", self.cookie, int(version.group(1)), path=path)

    async def answer(self, t0, measured_from, end, every, rng):
        """An answer every `every` (min, max) seconds until `end`, the first at a random moment of its first wait."""
        at = t0 + rng.uniform(0, rng.uniform(*every))
        while at < end:
            await asyncio.sleep(max(0, at - time.time()))
            fields = {
                "question": rng.choice(self.questions),
                "text": rng.choice(ANSWERS),
                "sender": f"Subgroep {self.number % 6 + 1}",
                "client_token": secrets.token_hex(16),
                "csrfmiddlewaretoken": self.csrf,
            }
            sent = time.time()
            try:
                status, _ = await self.pool.post(
                    f"{self.base}antwoord/", fields, self.cookie, [f"X-CSRFToken: {self.csrf}"]
                )
            except (OSError, asyncio.IncompleteReadError) as error:
                status = repr(error)
            self.answers.append((sent, time.time() - sent, status, sent >= measured_from))
            at += rng.uniform(*every)


async def run_view_versions(port, pk, cookie):
    """The session's version and timeline version, from the facilitator's run view (a page load)."""
    status, _, body = await http_get(port, f"/sessies/{pk}/regie/", [f"Cookie: {cookie}"])
    page = body.decode("utf-8", "replace")
    version = re.search(r'id="poller" data-version="(\d+)"', page)
    timeline_version = re.search(r'name="version" value="(\d+)"', page)
    if status != 200 or not version or not timeline_version:
        sys.exit(f"the run view answered {status} without the versions")
    return {"version": int(version.group(1)), "timeline_version": int(timeline_version.group(1))}


def cmd_phones(args):
    with Resources() as res:
        database_url = res.database(args)
        env = res.env(database_url)
        setup = run_internal(
            env, "_setup", "--sessions", "1", "--notes", str(args.base_notes), "--participants", "--collectstatic"
        )
        port = free_port()
        server = start_uvicorn(res, env, port)
        rows = arun(phones_run(res, env, args, setup, port, process_tree(server.pid)))
        print_phones(rows, args, "PostgreSQL 15" if database_url.startswith("postgres") else "SQLite", env)


async def phones_run(res, env, args, setup, port, server_pids):
    """One session, its team's three streams open throughout; per phase the same changes, with or without phones."""
    session = setup["sessions"][0]
    pk = session["pk"]
    marks = {}  # bench note -> the version its change got, as the secretary's stream saw it
    team = Streams(team_streams(port, [session], setup["cookies"]))
    screens = {stream.screen: stream for stream in team.streams}
    screens["notes"].marks = marks
    await team.open()
    phones = [Phone(port, pk, session["token"], number) for number in range(args.phones)]
    on_phones = Streams([])
    rng = random.Random(args.seed)

    def counts(on_phones):
        return {
            "resyncs": team.total("resyncs"),
            "phone_resyncs": on_phones.total("resyncs"),
            "reconnects": team.total("reconnects") + on_phones.total("reconnects"),
            "phone_bytes": on_phones.total("bytes"),
        }

    def from_click(version, sent):
        """When each team screen got a change, counted from its POST (one list per change: the
        comparison resamples changes, not events)."""
        return [at - sent for at in (s.reached(version) for s in team.streams) if at is not None]

    rows = []
    for phase in PHONE_PHASES:
        row = {"phase": phase, "phones": 0}
        if phase != "none":
            if not on_phones.streams:
                started = time.time()
                await asyncio.gather(*(phone.join() for phone in phones))
                on_phones = Streams([phone.stream for phone in phones])
                row["opened"] = await on_phones.open()
                row["join_seconds"] = time.time() - started
            row["phones"] = len(phones)
        versions = await run_view_versions(port, pk, setup["cookies"]["run"])
        before = counts(on_phones)
        cfg = {
            "warmup": args.warmup,
            "seconds": args.seconds,
            "extend_every": args.extend_every,
            "mode": "http",
            "port": port,
            "cookies": setup["cookies"],
            "csrf": setup["csrf"],
            "concurrency": 4,
            "sessions": [{**session, **versions, "index": 0, "offset": 0.0}],
        }
        drivers = await start_drivers(res, env, [cfg], name=f"driver-{phase}")
        t0 = await release_drivers(drivers)
        measured_from, end = t0 + args.warmup, t0 + args.warmup + args.seconds
        answering = [
            asyncio.create_task(phone.answer(t0, measured_from, end, args.answer_every, rng))
            for phone in (phones if phase == "active" else ())
        ]
        row["used"] = await measured_window(t0, args.warmup, args.seconds, server_pids, [p.pid for p in drivers])
        results = await driver_results(drivers, [cfg])
        await asyncio.gather(*answering)
        result = results[0] if results else {"changes": [], "asked": 0, "late": 0, "failed": 0, "errors": []}
        # The phones bump the version too: a note's is the one the secretary's stream saw it arrive with.
        for change in result["changes"]:
            if change[3] == "note":
                change[1] = marks.get(change[6])
        final = {pk: (await run_view_versions(port, pk, setup["cookies"]["run"]))["version"]}
        row["caught_up"] = await team.catch_up(final) and await on_phones.catch_up(final)
        made = [c for c in result["changes"] if c[4]]
        row["latencies"], row["from_start"] = arrivals(made, lambda _pk, screen: screens[screen])
        row["clusters"] = {
            kind: [from_click(c[1], c[5]) for c in made if c[3] == kind and c[1] is not None]
            for kind in ("extend", "note")
        }
        row["posts"] = {kind: [c[2] - c[5] for c in made if c[3] == kind] for kind in ("extend", "note")}
        moves = [c for c in made if c[3] == "extend"]
        row["moves"] = len(moves)
        row["on_phones"] = [
            phone.stream.reached(version) - sent
            for _pk, version, _committed, _kind, _measured, sent, *_ in moves
            for phone in phones[: row["phones"]]
            if phone.stream.reached(version) is not None
        ]
        row["answers"] = [answer for phone in phones for answer in phone.answers if answer[3]]
        for phone in phones:
            phone.answers = []
        row |= {
            "asked": result["asked"],
            "made": len(made),
            "late": result["late"],
            "failed": result["failed"],
            "errors": result["errors"][:5],
            "unmarked": sum(1 for c in made if c[1] is None),
            **{name: count - before[name] for name, count in counts(on_phones).items()},
            "stream_errors": (team.errors() + on_phones.errors())[:5],
        }
        rows.append(row)
        print(f"[{phase} done: {len(made)} changes, {len(row['answers'])} answers]", flush=True)
    await on_phones.close()
    await team.close()
    for phone in phones:
        if phone.stream is not None:
            phone.pool.close()
    return rows


def shift(base, other, q, rounds=2000):
    """The q-percentile of latencies grouped per change (a list each) in `base` and in `other`, the difference,
    and its 95% bootstrap interval: changes resampled with replacement (one change's screens are not independent).
    """
    rng = random.Random(0)

    def value(clusters):
        return percentile([v for cluster in clusters for v in cluster], q)

    shifts = sorted(
        value(rng.choices(other, k=len(other))) - value(rng.choices(base, k=len(base))) for _ in range(rounds)
    )
    before, after = value(base), value(other)
    return before, after, after - before, shifts[int(0.025 * rounds)], shifts[int(0.975 * rounds) - 1]


def stats(values):
    """p50, p95 and max in ms, 20 characters (STATS_HEAD)."""
    return f"{ms(percentile(values, 0.5))} {ms(percentile(values, 0.95))} {ms(max(values, default=math.nan))}"


STATS_HEAD = f"{'p50':>6} {'p95':>6} {'max':>6}"


def others_cpu(used):
    """CPU seconds of the measured window that went to neither the server nor this bench's processes."""
    return used["machine"] - used["server"] - used["client"] - used["driver"]


def print_phones(rows, args, database, env):
    per_device = env.get("PARTICIPANT_PROPOSALS_PER_DEVICE_PER_MINUTE", "6")
    per_session = env.get("PARTICIPANT_PROPOSALS_PER_SESSION_PER_MINUTE", "120")
    peak = args.phones * 60 / args.answer_every[0]
    print(
        f"phones: {database}, 1 uvicorn process, 1 running session in a block with questions, {args.phones} phones;"
        f" phases of {args.warmup} s warm-up + {args.seconds} s measured"
    )
    for note in (
        "facilitator and secretary, every phase: one change per second over HTTP (1 driver process),"
        f" {args.extend_every - 1} of {args.extend_every} a note POSTed as the secretary, 1 of {args.extend_every}"
        " 'extend the block by 5 min' POSTed as the facilitator",
        "team streams (open throughout): run view + projector as the facilitator, notes as the secretary",
        f"phases: none = no phone; idle = {args.phones} phones joined (GET of the join page: CSRF + device"
        " cookies) with their streams open, sending nothing; active = the same phones each sending an answer"
        f" every {args.answer_every[0]:g}-{args.answer_every[1]:g} s (uniform), the first at a random moment",
        f"rate limits: {per_device} answers per phone, {per_session} per session per minute; the phones send at"
        f" most {peak:.0f} per minute" + ("  ** ABOVE THE SESSION LIMIT **" if peak > int(per_session) else ""),
        "'from click' = event parsed - POST sent (what the user sees; an upper bound on commit-to-screen);"
        " 'from answer' = - the POST's answer arrived (a lower bound: can be negative)",
        f"clients (this process), the driver and the server share this machine's {CORES} cores;"
        " CPU% is of one core; all on loopback (no wifi delay or loss)",
    ):
        print(f"  {note}")
    print()
    print(f"team screens, ms           events    | {'from click':20s} | from answer")
    print(f"phase  screen    |  exp  got | {STATS_HEAD} | {STATS_HEAD}")
    for row in rows:
        for screen in (*SCREENS, "all"):
            if screen == "all":
                clicks = [v for values in row["from_start"].values() for v in values]
                answers = [v for values in row["latencies"].values() for v in values]
                expected = 3 * row["made"]
            else:
                clicks, answers, expected = row["from_start"][screen], row["latencies"][screen], row["made"]
            print(
                f"{row['phase']:6s} {screen:9s} | {expected:4d} {len(clicks):4d} | {stats(clicks)} | {stats(answers)}"
            )
    print()
    print(f"requests, ms    team's changes      | {'move POST (extend)':25s} | {'note POST':25s} | phones' answer POST")
    print(f"phase  | asked made late fail |    n {STATS_HEAD} |    n {STATS_HEAD} | sent  200  429 other {STATS_HEAD}")
    for row in rows:
        answers = row["answers"]
        ok = [took for _, took, status, _ in answers if status == 200]
        refused = sum(1 for answer in answers if answer[2] == 429)
        moves, notes = row["posts"]["extend"], row["posts"]["note"]
        print(
            f"{row['phase']:6s} | {row['asked']:5d} {row['made']:4d} {row['late']:4d} {row['failed']:4d} |"
            f" {len(moves):4d} {stats(moves)} | {len(notes):4d} {stats(notes)} |"
            f" {len(answers):4d} {len(ok):4d} {refused:4d} {len(answers) - len(ok) - refused:5d} {stats(ok)}"
        )
    print()
    print(f"phones and server, ms     moves on phones    | {'from click':20s} |")
    print(
        f"phase  | phones |  exp  got | {STATS_HEAD} | phone KiB* | server CPU s %core | client% driver% other%** |"
        " RSS MiB | resyncs team phones | reconnects"
    )
    for row in rows:
        used = row["used"]
        other = others_cpu(used)
        print(
            f"{row['phase']:6s} | {row['phones']:6d} | {row['moves'] * row['phones']:4d} {len(row['on_phones']):4d} |"
            f" {stats(row['on_phones'])} | {row['phone_bytes'] / 1024:10.0f} |"
            f" {used['server']:12.1f} {100 * used['server'] / used['seconds']:5.0f} |"
            f" {100 * used['client'] / used['seconds']:7.0f} {100 * used['driver'] / used['seconds']:7.0f}"
            f" {100 * other / used['seconds']:9.0f} |"
            f" {used['server_rss'] / 1024:7.1f} | {row['resyncs']:12d} {row['phone_resyncs']:6d} | {row['reconnects']:10d}"
        )
    print("  * all the phones' streams together, the whole phase (warm-up included)")
    print(f"  ** everything else this machine ran meanwhile (of one core; {CORES} cores): a busy machine shows here")
    busy = [row["phase"] for row in rows if others_cpu(row["used"]) > 0.25 * row["used"]["seconds"]]
    if busy:
        print(f"  ** other work took more than a quarter of a core during: {', '.join(busy)}; compare with care")
    for row in rows:
        if "join_seconds" in row:
            print(
                f"  {row['phones']} phones joined and {row['opened']} streams opened in {row['join_seconds']:.1f} s"
                " (before the idle phase)"
            )
        if row["unmarked"]:
            print(f"  {row['phase']}: {row['unmarked']} notes never reached the secretary's stream (counted missing)")
        if not row["caught_up"]:
            print(f"  {row['phase']}: some streams had not caught up 10 s after the phase")
        for error in row["errors"]:
            print(f"    driver error: {error}")
        for error in row["stream_errors"]:
            print(f"    stream error: {error}")
        for answer in [a for a in row["answers"] if a[2] not in (200, 429)][:3]:
            print(f"    answer error: {answer[2]}")

    print()
    print(f"Goal: p95 from click <= {GOAL_P95_SECONDS * 1000:.0f} ms on the team's three screens, every event received")
    base = rows[0]
    passed = True
    for row in rows:
        clicks = [v for values in row["from_start"].values() for v in values]
        p95 = percentile(clicks, 0.95)
        ok = verdict(row, p95, clicks)
        passed = passed and ok == "yes"
        print(f"  {row['phase']:6s} p95 {ms(p95).strip():>4s} ms: {ok}")
    print(
        "No slower than without phones? Each phase against 'none': the statistic before -> after, the difference"
        " [95% interval: changes resampled, 2000 rounds]; SLOWER = the whole interval above 0, else within noise"
    )
    slower = []
    for row in rows[1:]:
        print(f"  {row['phase']} vs none:")
        compared = (
            ("notes on the team's screens, p95 from click", "clusters", "note", 0.95),
            ("moves on the team's screens, median from click", "clusters", "extend", 0.5),
            ("moves on the team's screens, p95 from click", "clusters", "extend", 0.95),
            ("the secretary's note POST, median", "posts", "note", 0.5),
            ("the facilitator's move POST, median", "posts", "extend", 0.5),
        )
        for label, key, kind, q in compared:
            base, other = rows[0][key][kind], row[key][kind]
            if key == "posts":
                base, other = [[v] for v in base], [[v] for v in other]
            before, after, difference, low, high = shift(base, other, q)
            n = min(len(base), len(other))
            if n < MIN_COMPARED:
                outcome = f"too few to tell ({n} in a phase)"
            elif low > 0:
                slower.append(f"{label} ({row['phase']}: {difference * 1000:+.0f} ms)")
                outcome = "SLOWER"
            else:
                outcome = "within noise"
            if MIN_COMPARED <= n < 10:
                outcome += f" (only {n} in a phase: indicative)"
            print(
                f"    {label:45s} {ms(before)} -> {ms(after)} ms {difference * 1000:+5.0f}"
                f" [{low * 1000:+4.0f}, {high * 1000:+4.0f}]  {outcome}"
            )
    print(f"Verdict: the goal (p95 <= {GOAL_P95_SECONDS * 1000:.0f} ms) {'holds' if passed else 'DOES NOT hold'};")
    if slower:
        print(f"  with {args.phones} phones the team is slower than without in: {'; '.join(slower)}")
    else:
        print(f"  with {args.phones} phones the team is no slower than without, within noise")


# memory


def cmd_memory(args):
    with Resources() as res:
        env = res.env(res.database(args), BENCH_COUNT_QUERIES="1")
        sessions = math.ceil(args.streams / 3)
        setup = run_internal(env, "_setup", "--sessions", str(sessions), "--notes", str(args.base_notes))
        port = free_port()
        server = start_uvicorn(res, env, port, 1)
        pids = process_tree(server.pid)
        print(arun(memory_run(args, setup, port, pids)))


async def memory_run(args, setup, port, pids):
    async def queries():
        status, _, body = await http_get(port, "/bench/queries/")
        return int(body)

    # Warm the server up: the stream code path once, the counter view twice (it must cost nothing).
    warm = Streams(team_streams(port, setup["sessions"][:1], setup["cookies"]))
    await warm.open()
    await asyncio.sleep(0.5)
    await warm.close()
    first = await queries()
    second = await queries()
    await asyncio.sleep(1)
    rss_before = rss_kib(pids)
    streams = Streams(team_streams(port, setup["sessions"], setup["cookies"])[: args.streams])
    opened_at = time.time()
    opened = await streams.open()
    open_seconds = time.time() - opened_at
    await asyncio.sleep(3)
    rss_after = rss_kib(pids)
    cpu_before, queries_before = cpu_seconds(pids), await queries()
    bytes_before, pings_before, client_cpu_before = (
        streams.total("bytes"),
        streams.total("pings"),
        cpu_seconds([os.getpid()]),
    )
    started = time.time()
    await asyncio.sleep(args.idle_seconds)
    idle = time.time() - started
    cpu_after, queries_after = cpu_seconds(pids), await queries()
    bytes_after, pings_after, client_cpu_after = (
        streams.total("bytes"),
        streams.total("pings"),
        cpu_seconds([os.getpid()]),
    )
    errors = streams.errors()
    await streams.close()
    k = len(streams.streams)
    n_sessions = math.ceil(k / 3)
    minutes = idle / 60
    cpu_ms = (cpu_after - cpu_before) * 1000
    lines = [
        f"memory: SQLite, 1 uvicorn process, {k} streams over {n_sessions} sessions (3 per session),"
        f" idle {idle:.0f} s, heartbeat every 15 s (LIVE_STREAM_HEARTBEAT_SECONDS unless set)",
        f"  streams and this script share the machine's {CORES} cores with the server",
        "",
        f"streams opened                      : {opened} of {k} in {open_seconds:.1f} s",
        f"server RSS before / after           : {rss_before / 1024:.1f} MiB / {rss_after / 1024:.1f} MiB",
        f"memory per open stream              : {(rss_after - rss_before) / max(k, 1):.1f} KiB",
        f"server CPU while idle               : {cpu_ms:.0f} ms in {idle:.0f} s"
        f" = {cpu_ms / minutes:.0f} ms per idle minute"
        f" = {cpu_ms / minutes / n_sessions:.2f} ms per idle minute per session"
        f" ({cpu_ms / minutes / max(k, 1):.2f} per stream)",
        f"client CPU while idle (this process): {(client_cpu_after - client_cpu_before) * 1000:.0f} ms",
        f"heartbeats received                 : {pings_after - pings_before}"
        f" ({(pings_after - pings_before) / max(k, 1) / minutes:.1f} per stream per minute),"
        f" {bytes_after - bytes_before} bytes (incl. chunk framing)"
        f" = {(bytes_after - bytes_before) / max(k, 1) / minutes:.0f} bytes per stream per minute",
        f"database queries while idle         : {queries_after - queries_before}"
        f" = {(queries_after - queries_before) / minutes:.1f} per idle minute (goal: 0)"
        f" {'-> holds' if queries_after == queries_before else '-> DOES NOT hold'}",
        f"  (the counter read itself: {second - first} queries)",
    ]
    lines += [f"  stream error: {error}" for error in errors[:5]]
    return "\n".join(lines)


def main():
    signal.signal(signal.SIGTERM, _raise_interrupted)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def database_options(command):
        command.add_argument("--pg", action="store_true", help="a throw-away PostgreSQL 15 cluster")
        command.add_argument("--database-url", default="")

    command = commands.add_parser("propagation", help="commit-to-screen latency for N sessions")
    command.add_argument("--sessions", type=int, nargs="+", default=[10, 100, 500])
    command.add_argument("--seconds", type=int, default=20)
    command.add_argument("--warmup", type=int, default=5)
    command.add_argument("--workers", type=int, default=1)
    command.add_argument(
        "--processes",
        type=int,
        default=1,
        help="uvicorn processes on ports of their own, the streams spread over them in turn (PostgreSQL)",
    )
    command.add_argument("--drivers", type=int, default=2, help="driver processes on PostgreSQL")
    command.add_argument("--base-notes", type=int, default=20, help="notes per session before the run")
    database_options(command)
    command.set_defaults(run=cmd_propagation)

    command = commands.add_parser("two-servers", help="streams on server B, changes through server A")
    command.add_argument("--sessions", type=int, default=10)
    command.add_argument("--seconds", type=int, default=20)
    command.add_argument("--warmup", type=int, default=5)
    command.add_argument("--base-notes", type=int, default=20)
    command.add_argument("--database-url", default="")
    command.set_defaults(run=cmd_two_servers, drivers=1)

    command = commands.add_parser("cost", help="server time and bytes per change and screen")
    command.add_argument("--notes", type=int, nargs="+", default=[10, 200, 1000])
    command.add_argument("--repeat", type=int, default=30)
    database_options(command)
    command.set_defaults(run=cmd_cost)

    command = commands.add_parser("memory", help="memory per open stream and the cost of idle streams")
    command.add_argument("--streams", type=int, default=1000)
    command.add_argument("--idle-seconds", type=int, default=60)
    command.add_argument("--base-notes", type=int, default=20)
    command.set_defaults(run=cmd_memory)

    command = commands.add_parser("phones", help="participants' phones in a session: do they slow the team's screens?")
    command.add_argument("--phones", type=int, default=30)
    command.add_argument("--seconds", type=int, default=30, help="measured seconds per phase")
    command.add_argument("--warmup", type=int, default=5)
    command.add_argument(
        "--answer-every",
        type=float,
        nargs=2,
        default=[30, 60],
        metavar=("MIN", "MAX"),
        help="seconds between a phone's answers (uniform)",
    )
    command.add_argument(
        "--extend-every", type=int, default=5, help="1 change in this many is a move (extend), the others notes"
    )
    command.add_argument("--base-notes", type=int, default=20)
    command.add_argument("--seed", type=int, default=1)
    database_options(command)
    command.set_defaults(run=cmd_phones)

    command = commands.add_parser("_setup")
    command.add_argument("--sessions", type=int, required=True)
    command.add_argument("--notes", type=int, default=0)
    command.add_argument("--participants", action="store_true")
    command.add_argument("--collectstatic", action="store_true")
    command.set_defaults(run=internal_setup)
    command = commands.add_parser("_versions")
    command.set_defaults(run=internal_versions)
    command = commands.add_parser("_driver")
    command.add_argument("--config", required=True)
    command.set_defaults(run=internal_driver)

    args = parser.parse_args()
    try:
        args.run(args)
    except Interrupted:
        sys.exit("interrupted; everything started was stopped")


if __name__ == "__main__":
    main()
