"""Planning a session: copying its script so later edits in admin never change it."""

from django.db import transaction

from draaiboeken.models import Block, Script, Step
from gesprekstafels.lib.http import parse_id
from kader.models import ResearchProject
from sessies import roles
from sessies.models import Session, SessionBlock, SessionStep, validate_session_moment

# A block may be shortened to this share of its minutes unless the script says otherwise.
DEFAULT_MIN_SHARE = 0.5


def suggested_plan(user, *, project_pk=None, script_pk=None):
    """Initial values for planning: the user as facilitator, the project's phase script first."""
    initial = {"facilitator": user.pk if user.groups.filter(name=roles.FACILITATORS).exists() else None}
    # The values come from a link's query string: anything but a plain id is ignored.
    project_pk, script_pk = parse_id(project_pk), parse_id(script_pk)
    project = None
    if project_pk is not None:
        project = ResearchProject.objects.visible_to(user).filter(pk=project_pk).select_related("current_phase").first()
    if project:
        initial["project"] = project
        initial["script"] = Script.objects.filter(phase=project.current_phase).order_by("order").first()
    if script_pk is not None:
        initial["script"] = Script.objects.filter(pk=script_pk).first()
    return initial


@transaction.atomic
def create_session(*, script, participants=(), **fields):
    """Create a session with a snapshot of the script's blocks and questions.

    Raises ValidationError for a start outside the planning range, whoever calls.
    """
    validate_session_moment(fields["starts_at"])
    session = Session.objects.create(
        script=script,
        script_title=script.title,
        phase_number=script.phase.number if script.phase_id else None,
        times_are_suggestions=script.times_are_suggestions,
        shortening_advice=script.shortening_advice,
        **fields,
    )
    copy_script(session, script)
    for participant in participants:
        participant.session = session
        participant.save()
    return session


def copy_script(session, script):
    blocks = list(script.blocks.order_by("order", "pk"))
    session_blocks = SessionBlock.objects.bulk_create(
        [
            SessionBlock(
                session=session,
                source_block=block,
                order=index,
                title=block.title,
                subtitle=block.subtitle,
                original_minutes=block.minutes,
                minutes=block.minutes,
                min_minutes=block.min_minutes or max(1, round(block.minutes * DEFAULT_MIN_SHARE)),
                work_form=block.work_form,
                suggested_approach=block.suggested_approach,
                is_protected=block.is_protected,
                is_optional=block.is_optional,
            )
            for index, block in enumerate(blocks, start=1)
        ]
    )
    by_block = dict(zip([block.pk for block in blocks], session_blocks, strict=True))
    links = Block.work_forms.through.objects.filter(block__script=script)
    SessionBlock.work_forms.through.objects.bulk_create(
        [
            SessionBlock.work_forms.through(sessionblock=by_block[link.block_id], workformtool_id=link.workformtool_id)
            for link in links
        ]
    )
    copy_steps(Step.objects.filter(block__script=script), by_block)


def copy_steps(steps, session_blocks):
    """Copy script steps into session blocks ({script block id: session block}), keeping their nesting."""
    steps = list(steps)
    top = [step for step in steps if not step.parent_id]
    copies = SessionStep.objects.bulk_create([_copy_step(step, session_blocks[step.block_id]) for step in top])
    top_copies = {step.pk: copy for step, copy in zip(top, copies, strict=True)}
    SessionStep.objects.bulk_create(
        [
            _copy_step(step, session_blocks[step.block_id], parent=top_copies[step.parent_id])
            for step in steps
            if step.parent_id
        ]
    )


def _copy_step(step, block, parent=None):
    return SessionStep(
        block=block,
        parent=parent,
        order=step.order,
        kind=step.kind,
        text=step.text,
        label=step.label,
        perspective=step.perspective,
        guidance=step.guidance,
        editorial_note=step.editorial_note,
    )


@transaction.atomic
def refresh_legacy_steps():
    """Copy the script's ordered steps into session blocks the upgrade marked (`legacy_steps`).

    Only blocks of sessions not yet started are marked, and a block keeps its steps when a note
    already hangs under one of them (nothing typed loses its question) or its script block is
    gone. Runs after the fixtures are reloaded; each block is refreshed once.
    Returns (refreshed, kept).
    """
    blocks = list(SessionBlock.objects.filter(legacy_steps=True).select_related("session"))
    refresh = [
        block for block in blocks if block.source_block_id and block.session.is_planned and not block.notes.exists()
    ]
    SessionStep.objects.filter(block__in=refresh).delete()
    by_session = {}
    for block in refresh:
        by_session.setdefault(block.session_id, {})[block.source_block_id] = block
    # Per session: several sessions may copy the same script block.
    for session_blocks in by_session.values():
        copy_steps(Step.objects.filter(block_id__in=session_blocks), session_blocks)
    SessionBlock.objects.filter(pk__in=[block.pk for block in blocks]).update(legacy_steps=False)
    return len(refresh), len(blocks) - len(refresh)
