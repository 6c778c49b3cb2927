"""Planning a session: copying its script so later edits in admin never change it, and its participants."""

from django.db import IntegrityError, transaction
from django.db.models import Q

from draaiboeken.models import Block, Script, Step
from gesprekstafels.lib.http import parse_id
from kader.models import Contact, ContactRole, ProjectRole
from sessies import roles
from sessies.access import projects_to_plan_for
from sessies.models import (
    Participant,
    ParticipantRole,
    Session,
    SessionBlock,
    SessionStep,
    validate_session_moment,
)

# A block may be shortened to this share of its minutes unless the script says otherwise.
DEFAULT_MIN_SHARE = 0.5

# A participant's role as the project's contact role and back; the roles a contact has no
# counterpart for (a researcher taking part) become "other".
CONTACT_ROLE_FOR = {
    ParticipantRole.PROFESSIONAL: ContactRole.PROFESSIONAL,
    ParticipantRole.POLICY: ContactRole.POLICY,
    ParticipantRole.CLIENT: ContactRole.CLIENT,
}
PARTICIPANT_ROLE_FOR = {contact_role: role for role, contact_role in CONTACT_ROLE_FOR.items()}


class ContactOfAnotherProject(Exception):
    """A contact picked as participant belongs to another project than the session's."""


def suggested_plan(user, *, project_pk=None, script_pk=None):
    """Initial values for planning: the user as facilitator, a project they may plan for, its phase's script.

    The project is the one asked for (a link's `?project=`) when the user may plan for it, else
    the only project they may plan for. A project member in the facilitator or secretary role is
    proposed when they are the only one.
    """
    is_facilitator = user.groups.filter(name=roles.FACILITATORS).exists()
    initial = {"facilitator": user.pk if is_facilitator else None}
    # The values come from a link's query string: anything but a plain id is ignored.
    project_pk, script_pk = parse_id(project_pk), parse_id(script_pk)
    projects = projects_to_plan_for(user).select_related("current_phase")
    project = None
    if project_pk is not None:
        project = projects.filter(pk=project_pk).first()
    if project is None:
        only = list(projects[:2])
        project = only[0] if len(only) == 1 else None
    if project:
        initial["project"] = project
        initial["script"] = Script.objects.filter(phase=project.current_phase).order_by("order").first()
        for field, role, group in (
            ("facilitator", ProjectRole.FACILITATOR, roles.FACILITATORS),
            ("secretary", ProjectRole.SECRETARY, roles.SECRETARIES),
        ):
            if initial.get(field) is None:
                members = project.users_in_role(role).filter(is_active=True, groups__name=group)
                members = list(members.values_list("pk", flat=True)[:2])
                if len(members) == 1:
                    initial[field] = members[0]
    if script_pk is not None:
        initial["script"] = Script.objects.filter(pk=script_pk).first()
    return initial


@transaction.atomic
def create_session(*, script, participants=(), contacts=(), **fields):
    """Create a session with a snapshot of the script's blocks and questions, and its participants.

    `contacts` are the project's contacts who take part; `participants` are new people (unsaved
    Participants), who become contacts of the project too (see add_participants).
    Raises ValidationError for a start outside the planning range, whoever calls, and
    ContactOfAnotherProject (nothing saved).
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
    add_participants(session, contacts=contacts, new=participants)
    return session


@transaction.atomic
def add_participants(session, *, contacts=(), new=()):
    """Add contacts of the session's project and new people as participants; return the participants added.

    A contact already taking part is skipped (a form sent twice adds nobody twice). Each new
    person with a name becomes a contact of the project as well, so the next session offers
    them; one whose e-mail address a contact of the project already has is linked to that
    contact instead. Raises ContactOfAnotherProject, before saving anything, for a contact of
    another project.
    """
    contacts, new = list(contacts), list(new)
    if any(contact.project_id != session.project_id for contact in contacts):
        raise ContactOfAnotherProject
    taking_part = set(session.participants.exclude(contact=None).values_list("contact_id", flat=True))
    added = []
    for contact in contacts:
        if contact.pk in taking_part:
            continue
        taking_part.add(contact.pk)
        added.append(
            Participant(
                session=session,
                contact=contact,
                name=contact.name,
                email=contact.email,
                organisation=contact.organisation,
                role=PARTICIPANT_ROLE_FOR.get(contact.role, ParticipantRole.OTHER),
            )
        )
    known = _contacts_by_email(session.project_id, [person.email for person in new])
    for person in new:
        person.session = session
        if person.contact_id is None and person.name:
            person.contact = _contact_for(session.project_id, person, known)
        added.append(person)
    return Participant.objects.bulk_create(added)


def _contacts_by_email(project_id, emails):
    """{lowercased address: contact} of the project's contacts with one of these addresses (one query)."""
    query = Q(pk__in=[])
    for email in {email.strip().lower() for email in emails if email.strip()}:
        query |= Q(email__iexact=email)
    found = {}
    for contact in Contact.objects.filter(query, project_id=project_id).order_by("pk"):
        found.setdefault(contact.email.lower(), contact)
    return found


def _contact_for(project_id, person, known):
    """The project's contact with the person's address, or a new contact made from the person."""
    key = person.email.strip().lower()
    if key and key in known:
        return known[key]
    fields = {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation,
        "role": CONTACT_ROLE_FOR.get(person.role, ContactRole.OTHER),
    }
    try:
        # A savepoint: someone may add the same address at the same moment (unique per project).
        with transaction.atomic():
            contact = Contact.objects.create(project_id=project_id, **fields)
    except IntegrityError:
        contact = Contact.objects.filter(project_id=project_id, email__iexact=key).order_by("pk").first()
        if contact is None:
            raise
    if key:
        known[key] = contact
    return contact


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
