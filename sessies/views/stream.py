"""The live screens' push: one server-sent-events stream per open screen.

Each event carries the session's version as its id and an HTML fragment of out-of-band swaps
(static/js/live.js applies it). A stream sends the whole live state only when it connects
behind (or falls too far behind); otherwise it sends what changed. While nothing happens it
sends a heartbeat every few seconds and asks the database nothing.

Served by an ASGI server (uvicorn). Under WSGI (a plain `runserver`, a WSGI test server) a
stream would hold a worker forever, so the view answers 204, which tells EventSource to stop
and the page to poll instead.
"""

import asyncio
import functools
import time
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django import db
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from gesprekstafels.lib.http import parse_id
from sessies import participation
from sessies.access import get_session_for
from sessies.hub import RESYNC, hub
from sessies.models import Session
from sessies.screens import Screen, render_participant_push, render_push
from sessies.views.participate import device_key

# Beyond this many missed changes the whole state is cheaper than each change.
MAX_CHANGES_REPLAYED = 20
# How often a stream checks, when a change comes, that its user may still see the session.
ACCESS_RECHECK_SECONDS = 60


@require_GET
async def live_stream(request, pk):
    screen = Screen.for_team(request.GET.get("view"))
    user = await request.auser()
    session = await sync_to_async(get_session_for)(user, pk)  # 404 for whoever may not see it
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)
    # The request's own thread waits, idle, until the stream ends: it must not keep a database
    # connection all that time (PostgreSQL allows a hundred by default). Renders use a shared pool.
    await sync_to_async(_close_connection)()
    seen = parse_id(request.headers.get("Last-Event-ID") or request.GET.get("v") or "")
    subscription = await hub.subscribe(session.pk)
    stream = LiveStream(request, session.pk, screen, subscription, seen)
    return _stream_response(stream)


@login_not_required
@require_GET
async def participant_stream(request, token):
    """A participant's phone: the same stream, opened by the session's link instead of a login."""
    link, problem = await sync_to_async(participation.find_link)(token)
    if problem:
        return HttpResponse(status=404 if problem == participation.LinkProblem.UNKNOWN else 410)
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)
    await sync_to_async(_close_connection)()
    seen = parse_id(request.headers.get("Last-Event-ID") or request.GET.get("v") or "")
    subscription = await hub.subscribe(link.session_id)
    stream = ParticipantStream(request, link, device_key(request, link.session_id), subscription, seen)
    return _stream_response(stream)


def _stream_response(stream):
    response = StreamingHttpResponse(stream.events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    # nginx: pass each event on at once instead of buffering the response.
    response["X-Accel-Buffering"] = "no"
    return response


class LiveStream:
    def __init__(self, request, session_pk, screen, subscription, seen):
        self.request = request
        self.session_pk = session_pk
        self.screen = screen
        self.subscription = subscription
        self.seen = seen
        self.language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        # The session as of the last timeline change this screen got; a note's change reuses it.
        self.session = None
        self.checked_at = time.monotonic()

    async def events(self):
        try:
            # The first bytes tell the page that pushes get through (no buffering proxy in between).
            yield f"retry: {settings.LIVE_STREAM_RETRY_MS}\nevent: ready\ndata: {self.seen or 0}\n\n"
            yield await self.catch_up()
            heartbeat = settings.LIVE_STREAM_HEARTBEAT_SECONDS
            while True:
                item = await self.subscription.get(timeout=heartbeat)
                if item is None:
                    yield "event: ping\ndata: \n\n"
                    continue
                items = [item, *self.subscription.pending()]
                if not await self.still_allowed():
                    yield "event: gone\ndata: \n\n"
                    return
                yield await self.send(items)
        finally:
            self.subscription.close()

    async def catch_up(self):
        """On (re)connect: nothing when up to date, the missed changes when the hub has them, else everything."""
        html, version = await self.render(None, probe=True)
        if version is None:
            return "event: gone\ndata: \n\n"
        if self.seen == version:
            return ""
        if not self.seen or self.seen > version:
            # None or 0 asks for everything (a page starting over); a version this session never
            # had (a forged id, a database restored from a backup) gets everything too.
            return await self.send_full()
        missed = hub.since(self.session_pk, self.seen, version)
        if missed is None or len(missed) > MAX_CHANGES_REPLAYED:
            return await self.send_full()
        return await self.send(missed)

    async def send(self, items):
        if RESYNC in items or len(items) > MAX_CHANGES_REPLAYED:
            return await self.send_full()
        out = []
        for event in items:
            if self.seen is not None and event.version <= self.seen:
                continue  # already in what this screen has
            if self.seen is not None and event.version != self.seen + 1:
                return await self.send_full()  # a change went by unseen
            html, version = await self.render(event)
            out.append(_event(event.version, html))
            self.seen = event.version
        return "".join(out)

    async def send_full(self):
        html, version = await self.render(None)
        if version is None:
            return "event: gone\ndata: \n\n"
        self.seen = version
        return _event(version, html)

    async def render(self, event, *, probe=False):
        """The fragment for `event` (None: the whole state); with `probe`, only the current version."""
        return await asyncio.get_running_loop().run_in_executor(_renderers(), self._render, event, probe)

    def _render(self, event, probe):
        try:
            return self._render_once(event, probe)
        except (db.InterfaceError, db.OperationalError):
            # This worker thread's connection broke (a database restart): open a new one, once.
            db.connection.close()
            return self._render_once(event, probe)

    def _render_once(self, event, probe):
        if probe:
            version = Session.objects.filter(pk=self.session_pk).values_list("version", flat=True).first()
            return "", version
        with translation.override(self.language):
            html, version, self.session = render_push(
                self.session_pk, self.screen, event, request=self.request, session=self.session
            )
        return html, version

    async def still_allowed(self):
        """Once a minute at most, and only when there is a change to send: is the login still valid, the access still there?"""
        if time.monotonic() - self.checked_at < ACCESS_RECHECK_SECONDS:
            return True
        self.checked_at = time.monotonic()
        return await sync_to_async(self._still_allowed, thread_sensitive=False)()

    def _still_allowed(self):
        from django.contrib.auth import get_user

        session_store = self.request.session
        if not session_store.exists(session_store.session_key or ""):
            return False
        user = get_user(self.request)
        try:
            get_session_for(user, self.session_pk)
        except Http404:
            return False
        return user.is_authenticated


class ParticipantStream(LiveStream):
    """A phone's stream: the link, not a login, decides what it gets (sessies.screens.render_participant_push)."""

    def __init__(self, request, link, device_key, subscription, seen):
        super().__init__(request, link.session_id, Screen.PARTICIPANT, subscription, seen)
        self.link = link
        self.device_key = device_key

    def _render_once(self, event, probe):
        if probe:
            return super()._render_once(event, probe)
        with translation.override(self.language):
            return render_participant_push(self.link, event, device_key=self.device_key, request=self.request)

    def _still_allowed(self):
        # A closed link still gets its "closed" page pushed (render_participant_push), then nothing more.
        return participation.link_works(self.link.pk)


@functools.cache
def _renderers():
    """The threads that render pushed changes: enough to overlap their database round trips.

    Each keeps its own database connection; count them with the app processes (README).
    """
    return ThreadPoolExecutor(max_workers=settings.LIVE_RENDER_THREADS, thread_name_prefix="live-render")


def _close_connection():
    # Resolved here, in the thread that runs it: each thread has its own connection.
    db.connection.close()


def _event(version, html):
    """One event: its id is the version the screen has after applying it (Last-Event-ID on reconnect)."""
    # A change this screen does not show still moves its version on (an empty comment to apply).
    lines = "".join(f"data: {line}\n" for line in (html if html.strip() else "<!-- -->").splitlines())
    return f"id: {version}\n{lines}\n"
