"""This app process's live hub: who holds a stream of which session, and the recent events.

Streams (`sessies.views.stream`) subscribe here and wait on their own queue; an idle stream
costs no database query. Events arrive

- on PostgreSQL from one LISTEN connection per process, opened with the first stream, so a
  change committed through any process on any machine reaches every stream;
- on SQLite from `sessies.push` in this process, through `publish_threadsafe`.

A short history per session lets a stream that reconnects (Last-Event-ID) or falls a few
events behind catch up with the changes themselves instead of the whole state.
"""

import asyncio
import logging
from collections import OrderedDict, deque

from django.db import connections

from sessies import push

logger = logging.getLogger(__name__)

# Enough for a short reconnect (views.stream.MAX_CHANGES_REPLAYED) in this many recently changed sessions.
HISTORY_PER_SESSION = 32
HISTORY_SESSIONS = 2000
QUEUE_SIZE = 256
# A stream whose queue is full has fallen too far behind: it gets the whole state instead.
RESYNC = object()
LISTENER_RETRY_SECONDS = (0.2, 0.5, 1, 2, 5)


class Subscription:
    def __init__(self, hub, session_pk):
        self.hub = hub
        self.session_pk = session_pk
        self.queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.overflowed = False

    def put(self, item):
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # Emptied in place (a waiting get() keeps its queue), then told to start over.
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)

    async def get(self, timeout):
        """The next event (or RESYNC); None after `timeout` seconds without one."""
        try:
            item = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None
        self.overflowed = False
        return item

    def pending(self):
        """The events already waiting, without waiting for more."""
        items = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        self.overflowed = False
        return items

    def close(self):
        self.hub.unsubscribe(self)


class Hub:
    def __init__(self):
        self.loop = None
        self.subscribers = {}
        self.history = OrderedDict()
        self.listener = None
        self.listening = None

    # Streams

    async def subscribe(self, session_pk):
        """Subscribe a stream; on PostgreSQL only once this process listens, so nothing committed after is missed."""
        self._bind_loop()
        subscription = Subscription(self, session_pk)
        self.subscribers.setdefault(session_pk, set()).add(subscription)
        if push.backend() == "postgres":
            await self._ensure_listener()
        return subscription

    def unsubscribe(self, subscription):
        streams = self.subscribers.get(subscription.session_pk)
        if streams is not None:
            streams.discard(subscription)
            if not streams:
                del self.subscribers[subscription.session_pk]

    def stream_count(self):
        return sum(len(streams) for streams in self.subscribers.values())

    def since(self, session_pk, version, current):
        """The events after `version` up to `current`, if all of them are in the history; else None."""
        if version >= current:
            return []
        events = [event for event in self.history.get(session_pk, ()) if version < event.version <= current]
        versions = [event.version for event in events]
        if versions != list(range(version + 1, current + 1)):
            return None
        return events

    # Events

    def publish(self, event):
        """Record `event` and hand it to this session's streams (in the event loop's thread)."""
        history = self.history.get(event.session_pk)
        if history is None:
            history = self.history[event.session_pk] = deque(maxlen=HISTORY_PER_SESSION)
            if len(self.history) > HISTORY_SESSIONS:
                self.history.popitem(last=False)
        else:
            self.history.move_to_end(event.session_pk)
        if history and history[-1].version >= event.version:
            # Versions only grow; a lower one is another session under a reused pk (SQLite reuses
            # the highest one after a delete): what the history held is not this session's.
            history.clear()
        history.append(event)
        for subscription in self.subscribers.get(event.session_pk, ()):
            subscription.put(event)

    def publish_threadsafe(self, event):
        """From any thread (a view's on_commit): publish in the event loop, if this process has one."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.publish, event)
        except RuntimeError:  # the loop closed meanwhile (server shutting down)
            pass

    def resync_all(self):
        """After a gap (the listener reconnected): every stream checks the state again."""
        self.history.clear()
        for streams in self.subscribers.values():
            for subscription in streams:
                subscription.put(RESYNC)

    # PostgreSQL

    def _bind_loop(self):
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            # A new event loop (a restarted server, a test): what belonged to the old one is gone.
            self.loop = loop
            self.subscribers = {}
            self.listener = None
            self.listening = None

    async def _ensure_listener(self):
        if self.listener is None or self.listener.done():
            self.listening = asyncio.Event()
            self.listener = asyncio.create_task(self._listen(), name="gesprekstafels-live-listener")
        try:
            await asyncio.wait_for(asyncio.shield(self.listening.wait()), timeout=5)
        except TimeoutError:
            logger.warning("The live listener is not connected yet; streams fall back to their catch-up on reconnect")

    async def _listen(self):
        import psycopg

        attempt = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**_listen_params(), autocommit=True) as conn:
                    await conn.execute(f"LISTEN {push.CHANNEL}")
                    if attempt:
                        self.resync_all()
                    attempt = 0
                    self.listening.set()
                    async for notify in conn.notifies():
                        event = push.Event.parse(notify.payload)
                        if event is not None:
                            self.publish(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("The live listener lost its database connection; reconnecting", exc_info=True)
            self.listening.clear()
            delay = LISTENER_RETRY_SECONDS[min(attempt, len(LISTENER_RETRY_SECONDS) - 1)]
            attempt += 1
            await asyncio.sleep(delay)


def _listen_params():
    """The default database's connection parameters, as psycopg's async connect takes them."""
    params = connections["default"].get_connection_params()
    return {key: value for key, value in params.items() if isinstance(value, str | int) and value != ""}


hub = Hub()
