"""The live timeline of a session: the server is the one authority on block and time.

A running block stores when its current stretch began (`Session.block_started_at`) and the
time already banked (`SessionBlock.spent_seconds`); clients compute the countdown from that.
Every transition (the `transition` decorator) runs in a transaction, checks the version the
client saw and the session's state, and bumps the version.
"""

import functools
import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from draaiboeken.models import MAX_BLOCK_MINUTES
from sessies import push
from sessies.models import Session, SessionBlock, SessionState, SessionStep, TimeAdjustment

EXTENSION_MINUTES = 5
# Behind by less than this, the run view does not propose catching up.
CATCH_UP_THRESHOLD_SECONDS = 60


class StaleVersion(Exception):
    """Another client changed the session since this one loaded it."""

    def __init__(self, session):
        super().__init__("session changed meanwhile")
        self.session = session


class TransitionRefused(Exception):
    """The transition does not fit the session's state; the message says why."""


# Reading the live state


def elapsed_seconds(session, block, at):
    """Seconds spent in a block so far, counting the running stretch of the current block."""
    seconds = block.spent_seconds
    if block.pk == session.current_block_id and session.block_started_at:
        seconds += max(0, int((at - session.block_started_at).total_seconds()))
    return seconds


@dataclass
class LiveState:
    """What the run, secretary and projector views show, computed at one moment."""

    session: Session
    blocks: list
    at: object
    current: SessionBlock | None = None
    elapsed: int = 0
    remaining: int = 0
    later_seconds: int = 0
    projected_end: object = None
    planned_end: object = None
    rows: list = field(default_factory=list)

    @property
    def running(self):
        return self.session.is_running

    @property
    def delay_seconds(self):
        if not (self.projected_end and self.planned_end):
            return 0
        return int((self.projected_end - self.planned_end).total_seconds())

    @property
    def delay_minutes(self):
        return math.ceil(self.delay_seconds / 60) if self.delay_seconds > 0 else 0

    @property
    def ahead_minutes(self):
        return -self.delay_seconds // 60 if self.delay_seconds < 0 else 0

    @property
    def has_next(self):
        return next_block(self.blocks, self.current) is not None

    @property
    def has_previous(self):
        return previous_block(self.blocks, self.current) is not None

    @property
    def next_block(self):
        return next_block(self.blocks, self.current)


@dataclass
class TimelineRow:
    block: SessionBlock
    planned_start: object
    actual_seconds: int
    is_current: bool
    is_done: bool


def live_state(session, blocks=None, at=None):
    """Compute the live state; `blocks` may be passed in when already loaded."""
    at = at or timezone.now()
    blocks = list(blocks if blocks is not None else session.blocks.all())
    state = LiveState(session=session, blocks=blocks, at=at)
    state.current = session.current_block_in(blocks)
    active = [b for b in blocks if not b.skipped]
    if state.current:
        state.elapsed = elapsed_seconds(session, state.current, at)
        state.remaining = state.current.planned_seconds - state.elapsed
        later = [b for b in active if b.order > state.current.order]
        state.later_seconds = sum(b.planned_seconds for b in later)

    if session.is_planned:
        state.planned_end = session.starts_at + timedelta(minutes=sum(b.minutes for b in active))
        state.projected_end = state.planned_end
        start = session.starts_at
    elif session.is_finished:
        state.planned_end = session.planned_end_at
        state.projected_end = session.finished_at
        start = session.started_at
    else:
        state.planned_end = session.planned_end_at
        state.projected_end = at + timedelta(seconds=max(state.remaining, 0) + state.later_seconds)
        start = session.started_at

    # Planned starts follow the original agenda from the start; actual times come from spent time.
    cursor = start
    finished = session.is_finished
    for block in blocks:
        is_current = state.current is not None and block.pk == state.current.pk
        before_current = state.current is not None and block.order < state.current.order
        state.rows.append(
            TimelineRow(
                block=block,
                planned_start=None if block.skipped else cursor,
                actual_seconds=elapsed_seconds(session, block, at),
                is_current=is_current and not finished,
                is_done=finished or (before_current and block.first_started_at is not None),
            )
        )
        if not block.skipped and cursor is not None:
            cursor = cursor + timedelta(minutes=block.minutes if session.is_planned else block.original_minutes)
    return state


def next_block(blocks, current):
    if current is None:
        return None
    return next((b for b in blocks if b.order > current.order and not b.skipped), None)


def previous_block(blocks, current):
    if current is None:
        return None
    return next((b for b in reversed(blocks) if b.order < current.order and not b.skipped), None)


# Changing the live state


def _locked(session_pk, expected_version):
    """Lock the session and its blocks; refuse when the timeline moved since the client saw it."""
    session = Session.objects.select_for_update().get(pk=session_pk)
    if expected_version is not None and session.timeline_version != expected_version:
        raise StaleVersion(session)
    return session, list(session.blocks.select_for_update().order_by("order", "pk"))


def _require(session, *states):
    if session.state not in states:
        messages = {
            SessionState.PLANNED: _("The session has not started yet."),
            SessionState.RUNNING: _("The session is already running."),
            SessionState.PAUSED: _("The session is paused."),
            SessionState.FINISHED: _("The session has already finished."),
        }
        raise TransitionRefused(messages[session.state])


def transition(*states, change_kind=push.TIMELINE):
    """Make `change(session, blocks, *args, at, by, **kwargs)` a timeline transition.

    `change_kind` tells the live screens what moved (sessies.push): the block (TIMELINE, the
    default), only its step (STEP), or neither (TIMER).

    The transition is called as `name(session_pk, expected_version, *args, by=None, at=None,
    **kwargs)`. In one transaction it locks the session and its blocks, refuses a stale
    version (StaleVersion) or a state outside `states` (TransitionRefused; no states: any),
    lets `change` alter them in place, then saves and bumps both versions. Returns the session.
    """

    def decorate(change):
        @functools.wraps(change)
        @transaction.atomic
        def apply(session_pk, expected_version, *args, by=None, at=None, **kwargs):
            at = at or timezone.now()
            session, blocks = _locked(session_pk, expected_version)
            if states:
                _require(session, *states)
            change(session, blocks, *args, at=at, by=by, **kwargs)
            session.save()
            session.bump_version(timeline=True, change=change_kind)
            return session

        return apply

    return decorate


def _bank(session, blocks, at, *, leaving=False):
    """Add the running stretch to the current block's spent time; `leaving` also notes when it was left."""
    current = session.current_block_in(blocks)
    if current is None:
        return
    fields = []
    if session.block_started_at:
        current.spent_seconds += max(0, int((at - session.block_started_at).total_seconds()))
        fields.append("spent_seconds")
    if leaving:
        current.last_left_at = at
        fields.append("last_left_at")
    if fields:
        current.save(update_fields=fields)


def _move_to(session, blocks, target, at):
    _bank(session, blocks, at, leaving=True)
    if target.first_started_at is None:
        target.first_started_at = at
        target.save(update_fields=["first_started_at"])
    session.current_block = target
    session.block_started_at = at if session.is_running else None
    # A block starts at its first step, as the method orders them.
    steps = _steps_of(target)
    session.current_step = steps[0] if steps else None


def _steps_of(block):
    """The block's top-level steps in the method's order: what the facilitator steps through."""
    return list(SessionStep.objects.filter(block=block, parent__isnull=True).order_by("order", "pk"))


def _step_by(session, blocks, offset):
    current = session.current_block_in(blocks)
    if current is None:
        raise TransitionRefused(_("There is no current block."))
    steps = _steps_of(current)
    if not steps:
        raise TransitionRefused(_("This block has no steps."))
    index = next((i for i, step in enumerate(steps) if step.pk == session.current_step_id), None)
    target = 0 if index is None else index + offset
    if target >= len(steps):
        raise TransitionRefused(_("This is the block's last step: → goes to the next block."))
    if target < 0:
        raise TransitionRefused(_("This is the block's first step."))
    session.current_step = steps[target]


@transition(SessionState.PLANNED)
def start(session, blocks, *, at, by):
    active = [b for b in blocks if not b.skipped]
    if not active:
        raise TransitionRefused(_("The session has no blocks to run."))
    session.state = SessionState.RUNNING
    session.started_at = at
    session.planned_end_at = at + timedelta(minutes=sum(b.minutes for b in active))
    _move_to(session, blocks, active[0], at)


@transition(SessionState.RUNNING, change_kind=push.TIMER)
def pause(session, blocks, *, at, by):
    _bank(session, blocks, at)
    session.block_started_at = None
    session.state = SessionState.PAUSED


@transition(SessionState.PAUSED, change_kind=push.TIMER)
def resume(session, blocks, *, at, by):
    session.state = SessionState.RUNNING
    session.block_started_at = at


@transition(SessionState.RUNNING, SessionState.PAUSED)
def advance_to_next_block(session, blocks, *, at, by):
    target = next_block(blocks, session.current_block_in(blocks))
    if target is None:
        raise TransitionRefused(_("This is the last block: finish the session instead."))
    _move_to(session, blocks, target, at)


@transition(SessionState.RUNNING, SessionState.PAUSED)
def go_back_to_previous_block(session, blocks, *, at, by):
    target = previous_block(blocks, session.current_block_in(blocks))
    if target is None:
        raise TransitionRefused(_("This is the first block."))
    _move_to(session, blocks, target, at)


@transition(SessionState.RUNNING, SessionState.PAUSED, change_kind=push.TIMER)
def extend_current_block(session, blocks, *, at, by, minutes=EXTENSION_MINUTES):
    current = session.current_block_in(blocks)
    if current is None:
        raise TransitionRefused(_("There is no current block to extend."))
    if minutes < 1 or current.minutes + minutes > MAX_BLOCK_MINUTES:
        raise TransitionRefused(
            _("A block can take at most %(max)s minutes; this one cannot be extended any further.")
            % {"max": MAX_BLOCK_MINUTES}
        )
    current.minutes += minutes
    current.save(update_fields=["minutes"])
    TimeAdjustment.objects.create(
        session=session,
        created_by=by,
        created_at=at,
        description=_("%(block)s extended by %(minutes)s minutes (now %(total)s minutes).")
        % {"block": current.title, "minutes": minutes, "total": current.minutes},
    )


@transition(SessionState.RUNNING, SessionState.PAUSED, change_kind=push.STEP)
def next_step(session, blocks, *, at, by):
    _step_by(session, blocks, 1)


@transition(SessionState.RUNNING, SessionState.PAUSED, change_kind=push.STEP)
def previous_step(session, blocks, *, at, by):
    _step_by(session, blocks, -1)


@transition(SessionState.RUNNING, SessionState.PAUSED, change_kind=push.STEP)
def go_to_step(session, blocks, step_pk, *, at, by):
    step = next((s for s in _steps_of(session.current_block_in(blocks)) if s.pk == step_pk), None)
    if step is None:
        raise TransitionRefused(_("That step is not part of the current block."))
    session.current_step = step


@transition(change_kind=push.TIMER)
def toggle_screen_blank(session, blocks, *, at, by):
    session.screen_blank = not session.screen_blank


@transition(change_kind=push.TIMER)
def toggle_screen_time(session, blocks, *, at, by):
    session.screen_shows_time = not session.screen_shows_time


@transition(SessionState.RUNNING, SessionState.PAUSED)
def finish(session, blocks, *, at, by):
    _bank(session, blocks, at, leaving=True)
    session.state = SessionState.FINISHED
    session.finished_at = at
    session.block_started_at = None


# Keeping the end time


CATCH_UP_KINDS = ("shorten", "skip")


@dataclass
class CatchUpProposal:
    kind: str  # one of CATCH_UP_KINDS
    delay_minutes: int
    saved_minutes: int
    changes: list  # [(block, new_minutes)] for "shorten"; [(block, 0)] for "skip"

    @property
    def ends_on_time(self):
        return self.saved_minutes >= self.delay_minutes


def catch_up_proposals(state):
    """Ways to win back the delay from the later, unprotected blocks.

    Shortening spreads the delay over those blocks in proportion to their minutes, never
    below each block's minimum; skipping takes the smallest optional block that covers it.
    """
    if not state.session.is_live:
        return []
    if state.delay_seconds < CATCH_UP_THRESHOLD_SECONDS or state.current is None:
        return []
    delay = state.delay_minutes
    later = [b for b in state.blocks if b.order > state.current.order and not b.skipped and not b.is_protected]
    proposals = []
    shortened = _shorten_in_proportion(later, delay)
    if shortened:
        saved = sum(block.minutes - minutes for block, minutes in shortened)
        proposals.append(CatchUpProposal("shorten", delay, saved, shortened))
    optional = sorted((b for b in later if b.is_optional), key=lambda b: b.minutes)
    skippable = next((b for b in optional if b.minutes >= delay), optional[-1] if optional else None)
    if skippable:
        proposals.append(CatchUpProposal("skip", delay, skippable.minutes, [(skippable, 0)]))
    return proposals


def _shorten_in_proportion(blocks, delay):
    room = {b.pk: max(0, b.minutes - b.min_minutes) for b in blocks}
    total_room = sum(room.values())
    if not total_room:
        return []
    cut_total = min(delay, total_room)
    weight = sum(b.minutes for b in blocks if room[b.pk])
    cuts = {b.pk: min(room[b.pk], math.floor(cut_total * b.minutes / weight)) if room[b.pk] else 0 for b in blocks}
    # Hand out what rounding left over, one minute at a time, to the largest blocks first.
    leftover = cut_total - sum(cuts.values())
    for block in sorted(blocks, key=lambda b: -b.minutes) * (leftover + 1):
        if leftover <= 0:
            break
        if cuts[block.pk] < room[block.pk]:
            cuts[block.pk] += 1
            leftover -= 1
    return [(b, b.minutes - cuts[b.pk]) for b in blocks if cuts[b.pk]]


@transition()
def accept_catch_up(session, blocks, kind, *, at, by):
    """Apply the proposal of this kind as computed now, and record it."""
    proposal = next((p for p in catch_up_proposals(live_state(session, blocks, at)) if p.kind == kind), None)
    if proposal is None:
        raise TransitionRefused(_("There is no delay to win back any more."))
    parts = []
    for block, minutes in proposal.changes:
        if kind == "skip":
            block.skipped = True
            block.save(update_fields=["skipped"])
            parts.append(_("%(block)s skipped (%(minutes)s min)") % {"block": block.title, "minutes": block.minutes})
        else:
            parts.append(
                _("%(block)s shortened from %(old)s to %(new)s min")
                % {"block": block.title, "old": block.minutes, "new": minutes}
            )
            block.minutes = minutes
            block.save(update_fields=["minutes"])
    TimeAdjustment.objects.create(
        session=session,
        created_by=by,
        created_at=at,
        description=_("Behind by %(delay)s min: %(changes)s.")
        % {"delay": proposal.delay_minutes, "changes": "; ".join(parts)},
    )


# Before the start


@transition()
def adjust_blocks(session, blocks, changes, *, at, by):
    """Set minutes, skipped and order of blocks before the session starts.

    `changes` maps block pk to a dict with "minutes", "skipped" and "order".
    """
    if not session.can_adjust_blocks:
        raise TransitionRefused(_("Blocks can only be adjusted before the session starts."))
    if any(values and not 1 <= values["minutes"] <= MAX_BLOCK_MINUTES for values in changes.values()):
        raise TransitionRefused(_("Each block takes between 1 and %(max)s minutes.") % {"max": MAX_BLOCK_MINUTES})
    stored_order = {block.pk: block.order for block in blocks}
    for block in blocks:
        values = changes.get(block.pk)
        if not values:
            continue
        for name in ("minutes", "skipped", "order"):
            setattr(block, name, values[name])
        block.save(update_fields=["minutes", "skipped"])
    # Renumber so the order stays 1..n without gaps whatever was typed; only 1..n is stored.
    for index, block in enumerate(sorted(blocks, key=lambda b: (b.order, b.pk)), start=1):
        block.order = index
        if stored_order[block.pk] != index:
            block.save(update_fields=["order"])
