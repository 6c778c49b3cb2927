"""Fixtures the sessies tests share: the English UI, a running session, many notes at once."""

import socket

import pytest
from aiosmtpd.controller import Controller

from draaiboeken.models import StepKind
from sessies import harvest, timeline
from sessies.models import Agreement, Note, NoteTag, SessionStep


@pytest.fixture
def english(settings):
    """Read the UI in English (the msgids); modules opt in with `pytestmark = pytest.mark.usefixtures("english")`."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def running(session):
    """The session, started a moment ago."""
    return timeline.start(session.pk, session.timeline_version)


@pytest.fixture
def add_notes(secretary):
    """add_notes(session, count, start=0): notes "Opbrengst {start}"… by the secretary, in one bulk insert.

    They are spread over the blocks; every other note hangs under a question of its block, every
    fourth is a quote, every sixth key harvest, and there is one agreement per ten notes, so a
    page that loads any of these per row shows it in its query count. The session's version is
    bumped, as a real change does.
    """

    def _add_notes(session, count, start=0):
        blocks = list(session.blocks.order_by("order", "pk"))
        questions = list(SessionStep.objects.filter(block__session=session, kind=StepKind.QUESTION).order_by("pk"))
        notes = []
        for i in range(start, start + count):
            block = blocks[i % len(blocks)]
            block_questions = [q for q in questions if q.block_id == block.pk]
            question = block_questions[i % len(block_questions)] if block_questions and i % 2 else None
            notes.append(
                Note(
                    session=session,
                    block=block,
                    question=question,
                    text=f"Opbrengst {i}",
                    author=secretary,
                    tag=NoteTag.QUOTE if i % 4 == 0 else NoteTag.HARVEST,
                    is_key=i % 6 == 0,
                )
            )
        Note.objects.bulk_create(notes)
        Agreement.objects.bulk_create(
            Agreement(session=session, block=blocks[i % len(blocks)], who="Olga", what=f"Afspraak {i}")
            for i in range(start, start + count // 10)
        )
        session.bump_version()

    return _add_notes


# The report and its mail: a finished session with harvest, an SMTP server on loopback.


@pytest.fixture
def harvested(session, secretary):
    """A finished Gesprekstafel 1 with notes on each round's questions, a key harvest and agreements."""
    session = timeline.start(session.pk, session.timeline_version)
    blocks = list(session.blocks.prefetch_related("steps"))
    for block in blocks[1:3]:
        for question in block.outline.main_questions():
            harvest.add_note(
                session,
                block_id=block.pk,
                question_id=question.pk,
                author=secretary,
                text=f"Opbrengst bij {question.text[:20]}",
                tag="opbrengst",
            )
    harvest.add_note(
        session,
        block_id=blocks[1].pk,
        author=secretary,
        text="* Professionals willen eerder meedenken",
        tag="opbrengst",
    )
    harvest.add_note(
        session,
        block_id=blocks[2].pk,
        author=secretary,
        text="Let op <script>alert(1)</script> & <b>markup</b>",
        tag="aandachtspunt",
    )
    Agreement.objects.create(
        session=session, block=blocks[3], who="Onderzoeker", what="Verslag rondsturen", when="binnen twee weken"
    )
    session.refresh_from_db()
    timeline.finish(session.pk, session.timeline_version)
    session.refresh_from_db()
    return session


class Collector:
    """An SMTP handler that keeps what it receives and refuses addresses starting with "weiger"."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("weiger"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_server(smtp_port, settings):
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_port, "timeout": 5},
        }
    }
    yield collector, controller
    try:
        controller.stop()
    except AssertionError:
        pass  # already stopped by the test
