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
from sessies import photos, timeline
from sessies.models import Delivery, Note, NoteTag, ParticipantRole, Report, ReportVersion

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

    @property
    def review_key(self):
        """The round's section key for reviewers' comments (sessies.review)."""
        return f"round-{self.block.pk}"

    @property
    def title(self):
        block = self.block
        return f"{block.title} – {block.subtitle}" if block.subtitle else block.title


def _roles_present(session, participants):
    """The roles at the table, team first, without anyone's name: the method asks for no list of people."""
    team = [
        (session.facilitator_id, ProjectRole.FACILITATOR.label),
        (session.secretary_id, ProjectRole.SECRETARY.label),
    ]
    present = {participant.role for participant in participants}
    return [label for user_id, label in team if user_id] + [role.label for role in ParticipantRole if role in present]


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
        # Only what was noted: a question nobody noted under is the script's prompt, not an outcome.
        questions = [
            QuestionSection(q, _by_tag(by_question.pop(q.pk)))
            for q in outlines[block.pk].main_questions()
            if q.pk in by_question
        ]
        rounds.append(RoundSection(block, questions=questions))
    # A note under a question its block does not report (none today) still appears, as a general note.
    for leftover in by_question.values():
        for note in leftover:
            general.setdefault(note.block_id, []).append(note)
    for section in rounds:
        section.general = _by_tag(general.get(section.block.pk, []))
    participants = list(session.participants.all())
    context = {
        "session": session,
        "report": report,
        "project": session.project,
        "participant_count": len(participants),
        "roles_present": _roles_present(session, participants),
        "key_notes": [n for n in shown if n.is_key],
        "rounds": [section for section in rounds if section.has_content],
        "agreements": list(session.agreements.select_related("block")),
        "all_notes": notes if include_hidden else None,
        # Each with its URL for the page and, made only when the PDF asks, an embedded small copy.
        "photos": photos.report_photos(session),
        "include_times": report.include_times,
    }
    if report.include_times:
        # The facilitator's timekeeping, for the researchers: only when the report includes it.
        state = timeline.live_state(session, blocks)
        context |= {
            "time_rows": state.rows,
            "adjustments": list(session.adjustments.all()),
            "planned_total": sum(b.original_minutes for b in blocks if not b.skipped),
            "actual_total": sum(row.actual_seconds for row in state.rows),
        }
    return context


def render_report_pdf(session):
    return render_pdf_bytes(REPORT_TEMPLATE, report_context(session))


# Editing


def _revoke_approval(report):
    """Any change to the content withdraws the approval; the last approved PDF stays until replaced."""
    if report.approved_at:
        Report.objects.filter(pk=report.pk).withdraw_approval()


@transaction.atomic
def save_texts(report, *, summary, closing_remark):
    report.summary, report.closing_remark = summary, closing_remark
    report.save(update_fields=["summary", "closing_remark"])
    _revoke_approval(report)


@transaction.atomic
def set_include_times(report, *, included):
    """Add or leave out the times appendix; a change alters the PDF, so it withdraws the approval."""
    if report.include_times == included:
        return
    report.include_times = included
    report.save(update_fields=["include_times"])
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
    """Freeze the report: render the PDF once and keep it as a new, immutable version.

    Approving what the latest version already holds (the same bytes) adds no version. The
    report's own `pdf`/`pdf_sha256` keep the latest approved PDF (the report page's PDF link and
    erasure use them); mail attaches the version each delivery names. An open review closes
    here: its outcome is recorded on the version approved (sessies.review.close_review).
    """
    from sessies.review import close_review

    pdf = render_report_pdf(report.session)
    sha256 = hashlib.sha256(pdf).hexdigest()
    now = timezone.now()
    # Locked so two approvals at once cannot both take the next number.
    Report.objects.select_for_update().filter(pk=report.pk).first()
    latest = latest_version(report)
    version = latest
    if latest is None or latest.sha256 != sha256:
        version = ReportVersion.objects.create(
            report=report,
            number=latest.number + 1 if latest else 1,
            pdf=pdf,
            sha256=sha256,
            approved_at=now,
            approved_by=by,
        )
    close_review(report, version)
    report.pdf = pdf
    report.pdf_sha256 = sha256
    report.approved_at = now
    report.approved_by = by
    report.save(update_fields=["pdf", "pdf_sha256", "approved_at", "approved_by"])
    return report


def latest_version(report):
    """The report's most recent approved version (without its bytes), or None."""
    if not report.pk:
        return None
    return report.versions.defer("pdf").order_by("-number").first()


def versions_of(report):
    """The report's approved versions, newest first, without their bytes (one query; none when not stored)."""
    if not report.pk:
        return []
    return list(report.versions.defer("pdf").select_related("approved_by").order_by("-number"))


def version_filename(session_pk, number):
    """A version's PDF file name, in the mail and on download: recipients of a correction tell them apart."""
    return f"verslag-{session_pk}-versie-{number}.pdf"


def version_rows(report, deliveries):
    """[(version, [delivery])] newest first, for the send page: every version and who got it.

    `deliveries` is the report's list already read; deliveries that name no version (sent before
    versions were kept, see migration 0013) come last under None. Two queries whatever the count.
    """
    if not report.pk:
        return []
    versions = list(report.versions.defer("pdf").select_related("approved_by").order_by("-number"))
    by_version = {}
    for delivery in deliveries:
        by_version.setdefault(delivery.version_id, []).append(delivery)
    rows = [(version, by_version.get(version.pk, [])) for version in versions]
    if by_version.get(None):
        rows.append((None, by_version[None]))
    return rows


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


def earlier_recipients(deliveries, latest):
    """Who got a version before `latest` and has neither got nor been queued `latest`: [Candidate].

    A correction after sending (a newer version approved) offers to send it to exactly these.
    Deliveries without a version count as earlier: they carried a PDF that was replaced since.
    """
    if latest is None:
        return []
    has_latest = {d.email.lower() for d in deliveries if d.version_id == latest.pk and not d.is_failed}
    got_earlier = [
        Candidate(d.name, d.email, _("Received an earlier version"), took_part=d.took_part)
        for d in deliveries
        if d.is_sent and d.email and d.version_id != latest.pk and d.email.lower() not in has_latest
    ]
    return unique_recipients(got_earlier)


def earlier_recipient_group(groups, earlier):
    """The earlier recipients who are in none of `groups` (typed addresses, people since removed), so
    they can be chosen again; unchecked by default. None when there are none."""
    listed = {c.email.lower() for group in groups for c in group.people}
    people = [c for c in earlier if c.email.lower() not in listed]
    if not people:
        return None
    return RecipientGroup("earlier", _("Received an earlier version"), False, people)


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
        # Each delivery carries the version approved now, even if the report is approved again
        # before a retry: what was queued is what goes out.
        version = latest_version(report)
        deliveries = [
            Delivery.objects.create(
                report=report,
                version=version,
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
