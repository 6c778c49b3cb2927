"""Retried notes from many concurrent clients are stored exactly once (PostgreSQL only).

Each of 20 clients sends 50 notes, and every note is also sent a second time, with the same
client token, by a neighbouring client at about the same moment: the retry that races the
original. Both may miss the lookup; the unique constraint and add_note's handling of it
must leave exactly one note per token.
"""

import random
import threading

import pytest
from django.db import connection, connections

from sessies import harvest, timeline
from sessies.models import Note, NoteTag

CLIENTS = 20
NOTES_PER_CLIENT = 50


def test_concurrent_retries_store_every_note_exactly_once(transactional_db, session, secretary):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers; SQLite serialises all writes, so the race cannot happen there")
    running = timeline.start(session.pk, session.timeline_version)
    block_id = running.current_block_id
    tokens = [[f"client{c}-note{n}" for n in range(NOTES_PER_CLIENT)] for c in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)
    errors = []
    returned = {}
    lock = threading.Lock()

    def client(number):
        rng = random.Random(number)
        try:
            start.wait()
            for n in range(NOTES_PER_CLIENT):
                # Its own note and the neighbour's retry of the same note, in either order.
                sends = [tokens[number][n], tokens[(number + 1) % CLIENTS][n]]
                rng.shuffle(sends)
                for token in sends:
                    note = harvest.add_note(
                        running,
                        block_id=block_id,
                        text=f"Notitie {token}",
                        tag=NoteTag.HARVEST,
                        author=secretary,
                        client_token=token,
                    )
                    with lock:
                        returned.setdefault(token, set()).add(note.pk)
        except Exception as error:  # noqa: BLE001 - any failure in a thread must fail the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Note.objects.filter(session=running).count() == CLIENTS * NOTES_PER_CLIENT
    assert Note.objects.filter(session=running).values("client_token").distinct().count() == CLIENTS * NOTES_PER_CLIENT
    # Both sends of every note got the same stored note back.
    assert len(returned) == CLIENTS * NOTES_PER_CLIENT
    assert all(len(pks) == 1 for pks in returned.values())
