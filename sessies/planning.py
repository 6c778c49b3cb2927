"""Planning a session: copying its script so later edits in admin never change it."""

from django.db import transaction

from draaiboeken.models import Block, Question, Script, split_questions
from gesprekstafels.lib.http import parse_id
from kader.models import ResearchProject
from sessies import roles
from sessies.models import Session, SessionBlock, SessionQuestion, validate_session_moment

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
                instructions=block.instructions,
                suggested_approach=block.suggested_approach,
                practical_matters=block.practical_matters,
                follow_up=block.follow_up,
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
    questions = split_questions(Question.objects.filter(block__script=script).order_by("block", "order", "pk"))
    copies = SessionQuestion.objects.bulk_create([_copy_question(q, by_block[q.block_id]) for q in questions.central])
    central_copies = {q.pk: copy for q, copy in zip(questions.central, copies, strict=True)}
    SessionQuestion.objects.bulk_create(
        [_copy_question(q, by_block[q.block_id], parent=central_copies.get(q.parent_id)) for q in questions.help]
    )


def _copy_question(question, block, parent=None):
    return SessionQuestion(
        block=block,
        parent=parent,
        order=question.order,
        text=question.text,
        perspective=question.perspective,
        guidance=question.guidance,
    )
