"""Telling the live screens that a session changed: what changed, sent when the change commits.

Every change bumps the session's version (`SessionQuerySet.bump`) and announces
`<session>:<version>:<change>` here, inside the change's transaction:

- on PostgreSQL with `NOTIFY`, which the server delivers at commit to every app process that
  listens (`sessies.hub`), on this machine or another;
- on SQLite (one process, `make run`) through `on_commit` straight to this process's hub.

A rolled-back change announces nothing either way. The change says what the screens need to
fetch: one note, the agreements, the timeline, or everything.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction

CHANNEL = "gesprekstafels_live"

# What changed. A note change carries the note's pk; "k" when it touches the key harvest.
FULL = "f"
TIMELINE = "t"
# Timeline changes that leave the block and its step as they were (pause, resume, extend, the
# room's screen switches), and step moves within the block: the run view sends less for them.
TIMER = "m"
STEP = "s"
AGREEMENTS = "a"
# Participants' proposals (sessies.participation): the secretary's inbox, the phones' own lists.
PROPOSALS = "p"
NOTE = "n"
KEY_NOTE = "k"


def note_change(note_pk, *, key=False):
    return f"{KEY_NOTE if key else NOTE}{note_pk}"


@dataclass(frozen=True)
class Event:
    session_pk: int
    version: int
    change: str

    @property
    def note_pk(self):
        return int(self.change[1:]) if self.change[:1] in (NOTE, KEY_NOTE) else None

    @property
    def touches_key_harvest(self):
        return self.change[:1] == KEY_NOTE

    @property
    def payload(self):
        return f"{self.session_pk}:{self.version}:{self.change}"

    @classmethod
    def parse(cls, payload):
        """The event in a payload, or None for anything else on the channel."""
        try:
            session_pk, version, change = payload.split(":", 2)
            event = cls(int(session_pk), int(version), change)
            if change not in (FULL, TIMELINE, TIMER, STEP, AGREEMENTS, PROPOSALS) and event.note_pk is None:
                return None
        except ValueError:
            return None
        return event


def backend(using="default"):
    """'postgres' (NOTIFY, any number of processes) or 'local' (this process only)."""
    configured = getattr(settings, "LIVE_PUSH_BACKEND", "")
    if configured:
        return configured
    return "postgres" if connections[using].vendor == "postgresql" else "local"


def announce(event, using="default"):
    """Announce `event` when the current transaction commits (at once outside one)."""
    if backend(using) == "postgres":
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, event.payload])
        return
    from sessies.hub import hub  # here, not above: the hub imports this module

    transaction.on_commit(lambda: hub.publish_threadsafe(event), using=using)
