"""The concise report (beknopt verslag): one context for the preview, the PDF and the mail."""

import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gesprekstafels.lib.mail import validate_header_text, validate_mail_address
from gesprekstafels.lib.pdf import render_pdf_bytes
from kader.models import ContactRole, ProjectRole
from sessies import timeline
from sessies.models import Delivery, Note, NoteTag, ParticipantRole, Report

REPORT_TEMPLATE = "sessies/report.html"


def report_for(session):
    """The session's report row, created on the first change: call this only to save something."""
    report, _created = Report.objects.get_or_create(session=session)
    return report


def read_report(session):
    """The session's report as stored, or an unsaved empty one: reading a page never writes."""
    return Report.objects.filter(session=session).first() or Report(session=session)


@dataclass
class QuestionSection:
    question: object
    tag_groups: list = field(default_factory=list)  # [(tag label, [notes])]


@dataclass
class RoundSection:
    block: object
    questions: list = field(default_factory=list)
    general: list = field(default_factory=list)  # [(tag label, [notes])] without a question

    @property
    def has_content(self):
        return bool(self.general) or any(q.tag_groups for q in self.questions)


def _by_tag(notes):
    order = {value: index for index, value in enumerate(NoteTag.values)}
    groups = {}
    for note in sorted(notes, key=lambda n: order[n.tag]):
        groups.setdefault(note.tag, []).append(note)
    return [(NoteTag(tag).label, items) for tag, items in groups.items()]


def report_context(session, *, include_hidden=False):
    """Everything the report shows, in a fixed number of queries."""
    report = read_report(session)
    blocks = list(session.blocks.prefetch_related("steps"))
    outlines = {block.pk: block.outline for block in blocks}
    # A note on a help question is reported under its question.
    reported_under = {
        help_question.pk: question.pk
        for block_outline in outlines.values()
        for question, help_questions in block_outline.questions()
        for help_question in help_questions
    }
    notes = list(
        Note.objects.alive().filter(session=session).order_by("block__order", "report_order", "created_at", "pk")
    )
    shown = [n for n in notes if n.in_report]
    by_question, general = {}, {}
    for note in shown:
        if note.question_id:
            key = reported_under.get(note.question_id, note.question_id)
            by_question.setdefault(key, []).append(note)
        else:
            general.setdefault(note.block_id, []).append(note)
    rounds = []
    for block in blocks:
        if block.skipped and not general.get(block.pk):
            continue
        section = RoundSection(block, general=_by_tag(general.get(block.pk, [])))
        section.questions = [
            QuestionSection(q, _by_tag(by_question.get(q.pk, []))) for q in outlines[block.pk].main_questions()
        ]
        rounds.append(section)
    participants = list(session.participants.all())
    role_groups = [
        (role.label, [p for p in participants if p.role == role])
        for role in ParticipantRole
        if any(p.role == role for p in participants)
    ]
    state = timeline.live_state(session, blocks)
    return {
        "session": session,
        "report": report,
        "project": session.project,
        "role_groups": role_groups,
        "key_notes": [n for n in shown if n.is_key],
        "rounds": rounds,
        "agreements": list(session.agreements.select_related("block")),
        "time_rows": state.rows,
        "adjustments": list(session.adjustments.all()),
        "all_notes": notes if include_hidden else None,
        "planned_total": sum(b.original_minutes for b in blocks if not b.skipped),
        "actual_total": sum(row.actual_seconds for row in state.rows),
    }


def render_report_pdf(session):
    return render_pdf_bytes(REPORT_TEMPLATE, report_context(session))


# Editing


def _revoke_approval(report):
    """Any change to the content withdraws the approval; the last approved PDF stays until replaced."""
    if report.approved_at:
        Report.objects.filter(pk=report.pk).update(approved_at=None, approved_by=None)


@transaction.atomic
def save_texts(report, *, summary, closing_remark):
    report.summary, report.closing_remark = summary, closing_remark
    report.save(update_fields=["summary", "closing_remark"])
    _revoke_approval(report)


@transaction.atomic
def set_note_in_report(report, note, included):
    Note.objects.filter(pk=note.pk).update(in_report=included)
    _revoke_approval(report)


@transaction.atomic
def move_note(report, note, direction):
    """Move a note one place up (-1) or down (+1) among the notes of its block."""
    siblings = list(
        Note.objects.alive()
        .filter(session=note.session_id, block=note.block_id, question=note.question_id)
        .order_by("report_order", "created_at", "pk")
    )
    index = next(i for i, n in enumerate(siblings) if n.pk == note.pk)
    other = index + direction
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.report_order != position:
            Note.objects.filter(pk=sibling.pk).update(report_order=position)
    _revoke_approval(report)


@transaction.atomic
def approve(report, *, by):
    """Freeze the report: render the PDF once and keep it with its hash."""
    pdf = render_report_pdf(report.session)
    report.pdf = pdf
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.approved_at = timezone.now()
    report.approved_by = by
    report.save(update_fields=["pdf", "pdf_sha256", "approved_at", "approved_by"])
    return report


# Sending


class Recipient(NamedTuple):
    """Whom one delivery goes to; `took_part` picks the mail's wording (thanks, or for information)."""

    name: str
    email: str
    took_part: bool = False


@dataclass(frozen=True)
class Candidate:
    """Someone the send page proposes: who they are to the project, and whether they took part."""

    name: str
    email: str
    role: str
    organisation: str = ""
    took_part: bool = False

    @property
    def recipient(self):
        return Recipient(self.name, self.email, self.took_part)


@dataclass
class RecipientGroup:
    slug: str
    label: str
    checked: bool  # proposed (checked) by default
    people: list = field(default_factory=list)
    note: str = ""


def unique_recipients(people):
    """`people` ((name, email, ...) tuples or candidates) without empty addresses or repeats; an address
    counts once whatever its case, and the first occurrence wins."""
    seen, recipients = set(), []
    for person in people:
        email = person.email if isinstance(person, Candidate) else person[1]
        if email and email.lower() not in seen:
            seen.add(email.lower())
            recipients.append(person)
    return recipients


def recipient_groups(session):
    """The project's people the report can go to, by role, in three queries however many there are.

    The method sends the report to "onderzoeker(s), professionals en de vertegenwoordiging van
    beleid/management"; those groups are checked by default, other contacts are not. Each address
    appears once, in the first group it fits; whoever took part is in the group of those who took
    part (the mail thanks them), whatever else they are to the project.
    """
    project = session.project
    participants = list(session.participants.select_related("contact").order_by("name", "pk"))
    researchers = (
        project.users_in_role(ProjectRole.RESEARCHER)
        .filter(is_active=True)
        .exclude(email="")
        .order_by("first_name", "last_name", "username", "pk")
    )
    # A contact who was at the table took part, even under another address.
    attended_contacts = {p.contact_id for p in participants if p.contact_id}
    contacts = [c for c in project.contacts.exclude(email="") if c.pk not in attended_contacts]

    attended = RecipientGroup("took_part", _("Took part in the session"), True)
    for participant in participants:
        email = participant.email or (participant.contact.email if participant.contact else "")
        if email:
            attended.people.append(
                Candidate(
                    participant.name, email, participant.get_role_display(), participant.organisation, took_part=True
                )
            )
    by_role = {
        "researchers": RecipientGroup("researchers", _("Researchers"), True),
        "professionals": RecipientGroup("professionals", _("Professionals who did not take part"), True),
        "policy": RecipientGroup("policy", _("Policy and management"), True),
        "others": RecipientGroup(
            "others",
            _("Other contacts"),
            False,
            note=_(
                "Not checked at first: the method sends the report to the researchers, the professionals "
                "and policy and management."
            ),
        ),
    }
    by_role["researchers"].people = [
        Candidate(user.get_full_name() or user.username, user.email, ProjectRole.RESEARCHER.label)
        for user in researchers
    ]
    contact_group = {ContactRole.PROFESSIONAL: "professionals", ContactRole.POLICY: "policy"}
    for contact in contacts:
        by_role[contact_group.get(contact.role, "others")].people.append(
            Candidate(contact.name, contact.email, contact.get_role_display(), contact.organisation)
        )

    # One address, one place: taking part wins, then the order of the groups.
    attended.people = unique_recipients(attended.people)
    seen = {candidate.email.lower() for candidate in attended.people}
    for group in by_role.values():
        group.people = [c for c in unique_recipients(group.people) if c.email.lower() not in seen]
        seen.update(c.email.lower() for c in group.people)
    return [by_role["researchers"], attended, by_role["professionals"], by_role["policy"], by_role["others"]]


def default_recipients(session):
    """The recipients the send page proposes checked: [Recipient]."""
    return [c.recipient for group in recipient_groups(session) if group.checked for c in group.people]


def default_subject(session):
    return _("Report: %(title)s (%(date)s)") % {
        "title": session.title,
        "date": timezone.localtime(session.starts_at).strftime("%d-%m-%Y"),
    }


def queue_deliveries(report, recipients, *, subject, message):
    """Store one Delivery per recipient (Recipient or (name, email)), then queue one task each after the commit.

    Persist first, send later: a crash or a mail-server outage leaves rows to retry.
    The form checks the same; this guards every other caller against header injection.
    """
    from sessies.tasks import send_delivery

    validate_header_text(subject)
    # (name, email) pairs still work: they are told the report is for their information.
    recipients = [Recipient(*person) for person in recipients]
    for recipient in recipients:
        validate_mail_address(recipient.email)
    with transaction.atomic():
        deliveries = [
            Delivery.objects.create(
                report=report,
                name=recipient.name,
                email=recipient.email,
                took_part=recipient.took_part,
                subject=subject,
                message=message,
            )
            for recipient in recipients
        ]
        for delivery in deliveries:
            transaction.on_commit(lambda pk=delivery.pk: send_delivery.enqueue(pk))
    return deliveries
